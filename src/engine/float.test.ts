import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FloatModel, FloatModelError } from './float.ts';
import { buildOnnx } from './onnx/build.ts';

// logits = x W^T + b with W = [[1, 2, 3], [-1, 0, 0.5]], b = [0.5, -1].
const gemmModel = buildOnnx({
  opset: 13,
  inputs: [{ name: 'input', shape: ['N', 3] }],
  outputs: [{ name: 'logits', shape: ['N', 2] }],
  initializers: [
    { name: 'w', dims: [2, 3], data: [1, 2, 3, -1, 0, 0.5] },
    { name: 'b', dims: [2], data: [0.5, -1] },
  ],
  nodes: [
    {
      opType: 'Gemm',
      name: 'gemm',
      inputs: ['input', 'w', 'b'],
      outputs: ['logits'],
      attributes: { transB: { type: 'int', value: 1 } },
    },
  ],
});

test('runs a batch given as rows or as one flat array', async () => {
  const model = await FloatModel.load(gemmModel);
  try {
    assert.deepEqual(model.rowShape, [3]);
    const byRows = await model.run([
      [1, 0, 0],
      [1, 1, 2],
    ]);
    assert.equal(byRows.rows, 2);
    assert.equal(byRows.width, 2);
    assert.deepEqual(Array.from(byRows.logits), [1.5, -2, 9.5, -1]);
    const flat = await model.run(Float64Array.of(1, 0, 0, 1, 1, 2), 2);
    assert.deepEqual(flat.logits, byRows.logits);
  } finally {
    await model.close();
  }
});

test('a bad input shape raises FloatModelError naming expected and got', async () => {
  const model = await FloatModel.load(gemmModel);
  try {
    await assert.rejects(
      model.run([[1, 2]]),
      (e: unknown) => e instanceof FloatModelError && e.code === 'FLOAT_BAD_INPUT_SHAPE' && e.details.includes('expected: 3') && e.details.includes('got: 2'),
    );
    await assert.rejects(
      model.run([1, 2, 3, 4]),
      (e: unknown) => e instanceof FloatModelError && e.code === 'FLOAT_BAD_INPUT_SHAPE' && e.details.some((d) => d.includes('got: 4 values')),
    );
    await assert.rejects(model.run([1, 2, 3], 2), (e: unknown) => e instanceof FloatModelError && e.code === 'FLOAT_BAD_INPUT_SHAPE');
    await assert.rejects(model.run([]), (e: unknown) => e instanceof FloatModelError && e.code === 'FLOAT_BAD_INPUT_SHAPE');
    await assert.rejects(model.run([1, Number.NaN, 3]), (e: unknown) => e instanceof FloatModelError && e.details.includes('index: 1'));
  } finally {
    await model.close();
  }
});

test('bytes that are not an ONNX model raise FLOAT_MODEL_INVALID', async () => {
  await assert.rejects(
    FloatModel.load(new TextEncoder().encode('not a model')),
    (e: unknown) => e instanceof FloatModelError && e.code === 'FLOAT_MODEL_INVALID',
  );
});
