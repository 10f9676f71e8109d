import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createEngine, run } from './engine.ts';
import { EngineError } from './errors.ts';
import { importOnnx } from './onnx/import.ts';
import { parseArtifact, serializeArtifact } from './serialize.ts';
import { cnnOnnx, fixedInputs } from './testing/fixtures.ts';

const range = { min: 0, max: 1 };
const artifact = importOnnx(cnnOnnx(), { calibration: fixedInputs(8, 36, 100), inputRange: range });
const engine = createEngine(artifact);

// Golden vectors: the fixture CNN (opset 13, Flatten, Gemm transB = 1) on three fixed
// inputs. Any change to these numbers is a change of the arithmetic or of a layout
// (the trace roots changed once, with the chunked leaves of docs/engine-spec.md).
const GOLDEN = {
  onnxHash: '0xcff3c32a6533bd44967b8e4d2d8fb7fe980be9e28f9487efb6bd93fed7cf370e',
  weightCommitment: '0x2ce6b8b5b0b97b38d912ba8a5e1d60491ea346feaba402306eb41ec8cc951ccc',
  output: [-339, -73, -3418, -3457, 7353, 1079, 2720, -2873, -4031, 8326, 1404, 2211, -3952, -4836, 8913],
  roots: [
    '0xf1f32bcd580ba0761c02bd2beeb3164baf3555c73643b08688cf1ccc2570a400',
    '0xd1979132516ebaf77a928638759d1db198be4c7232380238c51a5e9fe8574d5b',
    '0xe4e20cdfd72e1d6166ed5d8cef7d87c51441ca63d44ed00e6c7ad1009e7678df',
  ],
};

function codeOf(fn: () => unknown): { code: string; details: readonly string[] } {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof EngineError, `expected an EngineError, got ${String(e)}`);
    return { code: e.code, details: e.details };
  }
  assert.fail('expected an error');
}

test('golden vectors: outputs, trace roots, ONNX hash and weight commitment are bit-exact', () => {
  assert.equal(artifact.onnxHash, GOLDEN.onnxHash);
  assert.equal(artifact.weightCommitment, GOLDEN.weightCommitment);
  const r = run(engine, fixedInputs(3, 36, 500), { trace: true });
  assert.deepEqual(Array.from(r.output), GOLDEN.output);
  assert.deepEqual(
    r.traces!.map((t) => t.root),
    GOLDEN.roots,
  );
  const again = run(createEngine(parseArtifact(serializeArtifact(artifact))), fixedInputs(3, 36, 500), { trace: true });
  assert.deepEqual(
    again.traces!.map((t) => t.root),
    GOLDEN.roots,
  );
});

test('batch and single runs give the same outputs and trace roots', () => {
  const inputs = fixedInputs(5, 36, 900);
  const batch = run(engine, inputs, { trace: true });
  const flat = run(engine, Float32Array.from(inputs.flat()), { batch: 5 });
  assert.deepEqual(flat.output, batch.output);
  inputs.forEach((x, n) => {
    const single = run(engine, x, { trace: true });
    assert.deepEqual(Array.from(single.output), Array.from(batch.output.subarray(n * 5, n * 5 + 5)));
    assert.equal(single.traces![0]!.root, batch.traces![n]!.root);
    assert.deepEqual(single.traces![0]!.layerRoots, batch.traces![n]!.layerRoots);
  });
});

test('a plain run equals a traced run; values are the dequantized integers', () => {
  const x = fixedInputs(2, 36, 3);
  const plain = run(engine, x);
  const traced = run(engine, x, { trace: true });
  assert.equal(plain.traces, undefined);
  assert.deepEqual(plain.output, traced.output);
  assert.deepEqual(Array.from(traced.traces![1]!.tensors.at(-1)!), Array.from(traced.output.subarray(5)));
  plain.values.forEach((v, i) => {
    assert.equal(v, plain.output[i]! * 2 ** -artifact.output.frac);
  });
  assert.equal(traced.traces![0]!.tensors.length, artifact.layers.length + 1);
});

test('bad input raises typed errors naming expected vs got', () => {
  const good = fixedInputs(1, 36, 1)[0]!;
  let e = codeOf(() => run(engine, good.slice(0, 35)));
  assert.equal(e.code, 'ENGINE_INPUT_SHAPE');
  assert.deepEqual(e.details.slice(1), ['got: 35']);
  assert.equal(codeOf(() => run(engine, [good, good.slice(1)])).code, 'ENGINE_INPUT_SHAPE');
  assert.equal(codeOf(() => run(engine, good, { batch: 2 })).code, 'ENGINE_INPUT_SHAPE');
  assert.equal(codeOf(() => run(engine, good, { batch: 0 })).code, 'ENGINE_INPUT_SHAPE');
  assert.equal(codeOf(() => run(engine, 'pixels' as unknown as number[])).code, 'ENGINE_INPUT_SHAPE');
  assert.equal(codeOf(() => run(engine, null as unknown as number[])).code, 'ENGINE_INPUT_SHAPE');
  for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, '0.5', null, undefined]) {
    const x: unknown[] = [...good];
    x[7] = bad;
    e = codeOf(() => run(engine, x as number[]));
    assert.equal(e.code, 'ENGINE_INPUT_VALUE');
    assert.equal(e.details[0], 'index: 7');
  }
  const high = [...good];
  high[3] = 1.5;
  e = codeOf(() => run(engine, high));
  assert.equal(e.code, 'ENGINE_INPUT_RANGE');
  assert.deepEqual(e.details, ['index: 3', 'expected: 0 <= value <= 1', 'got: 1.5']);
});

test('a tampered artifact is refused on parse', () => {
  const text = serializeArtifact(artifact);
  const parsed = JSON.parse(text);
  parsed.layers[0].weights[0] += 1;
  assert.equal(codeOf(() => parseArtifact(JSON.stringify(parsed))).code, 'ENGINE_ARTIFACT_INVALID');
  assert.equal(codeOf(() => parseArtifact('{"format":"other"}')).code, 'ENGINE_ARTIFACT_INVALID');
  assert.equal(codeOf(() => parseArtifact(text.slice(0, 100))).code, 'ENGINE_ARTIFACT_INVALID');
});
