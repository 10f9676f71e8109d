import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createEngine, run } from '../engine.ts';
import { EngineError } from '../errors.ts';
import { parseArtifact, serializeArtifact } from '../serialize.ts';
import { cnnOnnx, fixedInputs, fixedValues, mlpOnnx, type DenseForm, type FlattenForm } from '../testing/fixtures.ts';
import { buildOnnx } from './build.ts';
import { importOnnx } from './import.ts';

const range = { min: 0, max: 1 };
const cnnCal = fixedInputs(8, 36, 100);
const mlpCal = fixedInputs(8, 6, 100);

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof EngineError, `expected an EngineError, got ${String(e)}`);
    return e.code;
  }
  assert.fail('expected an error');
}

test('the builder writes the same bytes for the same description', () => {
  assert.deepEqual(cnnOnnx(), cnnOnnx());
  assert.notDeepEqual(cnnOnnx({ opset: 11 }), cnnOnnx({ opset: 13 }));
});

test('every exporter form of the CNN imports to the same integers', () => {
  const reference = run(createEngine(importOnnx(cnnOnnx(), { calibration: cnnCal, inputRange: range })), cnnCal.slice(0, 3), { trace: true });
  for (const opset of [11, 13, 17])
    for (const flatten of ['flatten', 'reshape-initializer', 'reshape-constant'] as FlattenForm[])
      for (const dense of ['gemm-transB', 'gemm', 'matmul-add'] as DenseForm[]) {
        const artifact = importOnnx(cnnOnnx({ opset, flatten, dense }), { calibration: cnnCal, inputRange: range });
        assert.equal(artifact.opset, opset);
        const r = run(createEngine(artifact), cnnCal.slice(0, 3), { trace: true });
        assert.deepEqual(r.output, reference.output, `${opset} ${flatten} ${dense}`);
        assert.deepEqual(
          r.traces!.map((t) => t.root),
          reference.traces!.map((t) => t.root),
        );
      }
});

test('every exporter form of the MLP imports to the same integers; Identity is a no-op', () => {
  const reference = run(createEngine(importOnnx(mlpOnnx(), { calibration: mlpCal, inputRange: range })), mlpCal);
  for (const opset of [11, 13, 17])
    for (const form of ['gemm-transB', 'gemm', 'matmul-add'] as DenseForm[]) {
      const a = importOnnx(mlpOnnx({ opset, form, identity: opset === 17 }), { calibration: mlpCal, inputRange: range });
      assert.equal(a.layers.length, 3);
      assert.deepEqual(run(createEngine(a), mlpCal).output, reference.output, `${opset} ${form}`);
    }
});

test('re-importing the same file and calibration reproduces the artifact byte for byte', () => {
  const a = serializeArtifact(importOnnx(cnnOnnx(), { calibration: cnnCal, inputRange: range }));
  const b = serializeArtifact(importOnnx(cnnOnnx(), { calibration: cnnCal, inputRange: range }));
  assert.equal(a, b);
  assert.equal(serializeArtifact(parseArtifact(a)), a);
});

test('the quantized model stays close to the float model', () => {
  const artifact = importOnnx(mlpOnnx(), { calibration: mlpCal, inputRange: range });
  const r = run(createEngine(artifact), mlpCal);
  // The same network in floats, from the fixture's own parameters (float32 as stored).
  const [w1, b1, w2, b2] = [fixedValues(48, 1, 0.6), fixedValues(8, 2, 0.2), fixedValues(24, 3, 0.8), fixedValues(3, 4, 0.1)].map((a) => a.map(Math.fround));
  mlpCal.forEach((x, n) => {
    const h = b1!.map((b, m) =>
      Math.max(
        0,
        x.reduce((acc, v, k) => acc + v * w1![m * 6 + k]!, b),
      ),
    );
    const y = b2!.map((b, m) => h.reduce((acc, v, k) => acc + v * w2![m * 8 + k]!, b));
    for (const [m, v] of y.entries()) assert.ok(Math.abs(r.values[n * 3 + m]! - v) < 2e-3, `sample ${n} output ${m}: ${r.values[n * 3 + m]} vs ${v}`);
  });
});

test('an unsupported operator is refused naming the operator and the node', () => {
  const bytes = buildOnnx({
    opset: 13,
    inputs: [{ name: 'x', shape: ['N', 2] }],
    outputs: [{ name: 'y', shape: ['N', 2] }],
    nodes: [{ opType: 'Sigmoid', name: 'head/Sigmoid', inputs: ['x'], outputs: ['y'] }],
  });
  try {
    importOnnx(bytes, { calibration: [[0, 1]], inputRange: range });
    assert.fail('expected an error');
  } catch (e) {
    assert.ok(e instanceof EngineError);
    assert.equal(e.code, 'ENGINE_ONNX_UNSUPPORTED_OP');
    assert.match(e.message, /Sigmoid/);
    assert.match(e.message, /head\/Sigmoid/);
  }
});

test('a graph with several unsupported operators is refused listing every one of them at once', () => {
  // The layout of a recurrent export: Transpose to time-major, LSTM, Squeeze, then a
  // supported Gemm head reading the refused part, and a Sigmoid after it.
  const bytes = buildOnnx({
    opset: 13,
    inputs: [{ name: 'x', shape: ['N', 4, 3] }],
    outputs: [{ name: 'y', shape: ['N', 2] }],
    initializers: [
      { name: 'W', dims: [1, 8, 3], data: fixedValues(24, 1, 0.5) },
      { name: 'R', dims: [1, 8, 2], data: fixedValues(16, 2, 0.5) },
      { name: 'head.weight', dims: [2, 2], data: fixedValues(4, 3, 0.5) },
      { name: 'axes', dims: [1], data: [0], type: 'int64' },
    ],
    nodes: [
      { opType: 'Transpose', name: '/rnn/Transpose', inputs: ['x'], outputs: ['t'], attributes: { perm: { type: 'ints', value: [1, 0, 2] } } },
      { opType: 'LSTM', name: '/rnn/LSTM', inputs: ['t', 'W', 'R'], outputs: ['', 'h'], attributes: { hidden_size: { type: 'int', value: 2 } } },
      { opType: 'Squeeze', name: '/rnn/Squeeze', inputs: ['h', 'axes'], outputs: ['s'] },
      { opType: 'Gemm', name: '/head/Gemm', inputs: ['s', 'head.weight'], outputs: ['g'], attributes: { transB: { type: 'int', value: 1 } } },
      { opType: 'Sigmoid', name: '/head/Sigmoid', inputs: ['g'], outputs: ['y'] },
    ],
  });
  try {
    importOnnx(bytes, { calibration: [fixedValues(12, 4, 0.5).map((v) => v + 0.5)], inputRange: range });
    assert.fail('expected an error');
  } catch (e) {
    assert.ok(e instanceof EngineError);
    assert.equal(e.code, 'ENGINE_ONNX_UNSUPPORTED_OP');
    assert.match(e.shortMessage, /4 nodes/);
    for (const op of ['Transpose', 'LSTM', 'Squeeze', 'Sigmoid']) assert.match(e.shortMessage, new RegExp(op));
    assert.deepEqual(e.details, [
      'node "/rnn/Transpose": Transpose',
      'node "/rnn/LSTM": LSTM',
      'node "/rnn/Squeeze": Squeeze',
      'node "/head/Sigmoid": Sigmoid',
    ]);
  }
});

test('unsupported opsets are refused with expected vs got', () => {
  for (const opset of [9, 10, 18, 21]) {
    try {
      importOnnx(mlpOnnx({ opset }), { calibration: mlpCal, inputRange: range });
      assert.fail('expected an error');
    } catch (e) {
      assert.ok(e instanceof EngineError);
      assert.equal(e.code, 'ENGINE_ONNX_OPSET');
      assert.deepEqual(e.details, ['expected: default-domain opset 11..17', `got: ${opset}`]);
    }
  }
});

test('a truncated file, a non-ONNX file and an empty file are refused without crashing', () => {
  const bytes = mlpOnnx();
  assert.equal(
    codeOf(() => importOnnx(bytes.subarray(0, Math.floor(bytes.length / 2)), { calibration: mlpCal, inputRange: range })),
    'ENGINE_ONNX_DECODE',
  );
  for (const cut of [1, 7, 50, 200, bytes.length - 3]) codeOf(() => importOnnx(bytes.subarray(0, cut), { calibration: mlpCal, inputRange: range }));
  assert.equal(
    codeOf(() => importOnnx(new TextEncoder().encode('this is not an onnx model'), { calibration: mlpCal, inputRange: range })),
    'ENGINE_ONNX_DECODE',
  );
  assert.equal(
    codeOf(() => importOnnx(new Uint8Array(0), { calibration: mlpCal, inputRange: range })),
    'ENGINE_ONNX_DECODE',
  );
  assert.equal(
    codeOf(() => importOnnx('model.onnx' as unknown as Uint8Array, { calibration: mlpCal, inputRange: range })),
    'ENGINE_ONNX_DECODE',
  );
});

test('forms the engine cannot run exactly are refused', () => {
  const pool = (attributes: Record<string, { type: 'int'; value: number } | { type: 'ints'; value: number[] }>) =>
    buildOnnx({
      opset: 13,
      inputs: [{ name: 'x', shape: ['N', 1, 4, 4] }],
      outputs: [{ name: 'y', shape: ['N', 1, 2, 2] }],
      nodes: [{ opType: 'AveragePool', name: 'avg', inputs: ['x'], outputs: ['y'], attributes }],
    });
  const cal = fixedInputs(2, 16, 1);
  assert.equal(
    codeOf(() =>
      importOnnx(
        pool({ kernel_shape: { type: 'ints', value: [2, 2] }, pads: { type: 'ints', value: [1, 1, 1, 1] }, strides: { type: 'ints', value: [2, 2] } }),
        { calibration: cal, inputRange: range },
      ),
    ),
    'ENGINE_ONNX_UNSUPPORTED_OP',
  );
  assert.equal(
    codeOf(() =>
      importOnnx(pool({ kernel_shape: { type: 'ints', value: [2, 2] }, ceil_mode: { type: 'int', value: 1 } }), { calibration: cal, inputRange: range }),
    ),
    'ENGINE_ONNX_UNSUPPORTED_OP',
  );
  // count_include_pad = 1 with padding is fine
  importOnnx(
    pool({
      kernel_shape: { type: 'ints', value: [2, 2] },
      pads: { type: 'ints', value: [1, 1, 1, 1] },
      strides: { type: 'ints', value: [2, 2] },
      count_include_pad: { type: 'int', value: 1 },
    }),
    { calibration: cal, inputRange: range },
  );
});

test('calibration and range errors name what was wrong', () => {
  assert.equal(
    codeOf(() => importOnnx(mlpOnnx(), { calibration: [], inputRange: range })),
    'ENGINE_CALIBRATION',
  );
  assert.equal(
    codeOf(() => importOnnx(mlpOnnx(), { calibration: [[0, 0, 0]], inputRange: range })),
    'ENGINE_CALIBRATION',
  );
  assert.equal(
    codeOf(() => importOnnx(mlpOnnx(), { calibration: [[0, 0, 0, 0, 0, 2]], inputRange: range })),
    'ENGINE_CALIBRATION',
  );
  assert.equal(
    codeOf(() => importOnnx(mlpOnnx(), { calibration: [[0, 0, 0, 0, 0, Number.NaN]], inputRange: range })),
    'ENGINE_CALIBRATION',
  );
  assert.equal(
    codeOf(() => importOnnx(mlpOnnx(), { calibration: mlpCal, inputRange: { min: 1, max: 0 } })),
    'ENGINE_CALIBRATION',
  );
});
