// Differential tests: the kernel executor against the reference executor, bit for bit,
// on the default models (thousands of random inputs, the ends of the input range,
// traced and plain runs) and on synthetic models built to reach what the default
// models do not: every conv geometry (groups, strides, dilations, uneven padding, odd
// windows), output counts that are not a multiple of 4, odd fan-ins, int16 extremes
// in every tensor and worst-case accumulators far above 2^33.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { Artifact, ConvLayer, DenseLayer, Layer, PoolLayer } from '../artifact.ts';
import { createEngine, type Engine, run } from '../engine.ts';
import { reciprocalFor } from '../ops/avgpool.ts';
import { referenceExecute, referenceTensors } from '../reference.ts';
import { parseArtifact } from '../serialize.ts';
import { buildTrace } from '../trace.ts';
import { executeBatch, inputView } from './executor.ts';
import { provenChunk } from './panels.ts';

/** A seeded generator of 32-bit words (xorshift), so that every run tests the same cases. */
function words(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return s >>> 0;
  };
}

const defaultModels = ['digits-mlp', 'digits-cnn', 'breast-cancer-mlp'].map((name) => ({
  name,
  engine: createEngine(parseArtifact(readFileSync(new URL(`../../../models/${name}.artifact.json`, import.meta.url), 'utf8'))),
}));

/** Checks the kernel executor's tensors for an already quantized batch against the reference. */
function assertSameOnQuantized(engine: Engine, quantized: Float64Array, batch: number, label: string): void {
  const view = inputView(engine.compiled, batch);
  view.set(quantized);
  const fast = executeBatch(engine.compiled, batch);
  const reference = referenceExecute(engine, quantized, batch);
  reference.forEach((t, i) => {
    const got = fast[i]!;
    assert.equal(got.length, t.length, `${label}: tensor ${i} length`);
    for (let e = 0; e < t.length; e++) {
      if (got[e] !== t[e]) assert.fail(`${label}: tensor ${i} element ${e}: kernel ${got[e]}, reference ${t[e]}`);
    }
  });
}

/** Random inputs in the declared range, with some values exactly half way between two quantization steps. */
function randomInputs(engine: Engine, samples: number, seed: number): Float64Array {
  const next = words(seed);
  const { frac, range } = engine.artifact.input;
  const x = new Float64Array(samples * engine.inputSize);
  for (let i = 0; i < x.length; i++) {
    const u = next() / 2 ** 32;
    let v = range.min + u * (range.max - range.min);
    if (next() % 4 === 0) v = Math.min(range.max, Math.max(range.min, (Math.floor(v * 2 ** frac) + 0.5) * 2 ** -frac));
    x[i] = v;
  }
  return x;
}

for (const { name, engine } of defaultModels) {
  test(`${name}: kernel outputs equal the reference on 3,000 random inputs, in batches of every remainder`, () => {
    const x = randomInputs(engine, 3000, name.length * 7919);
    let at = 0;
    for (const batch of [1, 2, 3, 4, 5, 7, 64, 65, 849, 2000]) {
      const part = x.subarray(at * engine.inputSize, (at + batch) * engine.inputSize);
      at += batch;
      const fast = run(engine, part, { batch });
      const reference = referenceTensors(engine, part, { batch }).tensors.at(-1)!;
      assert.deepEqual(Array.from(fast.output), Array.from(reference), `${name}, batch ${batch}`);
      // The same rows as plain arrays take the checked quantization loop, not the kernel's.
      const rows = Array.from({ length: batch }, (_, n) => Array.from(part.subarray(n * engine.inputSize, (n + 1) * engine.inputSize)));
      assert.deepEqual(run(engine, rows).output, fast.output, `${name}, batch ${batch} as arrays`);
    }
  });

  test(`${name}: traced runs carry the reference's tensors and roots`, () => {
    const batch = 6;
    const x = randomInputs(engine, batch, 99);
    const traced = run(engine, x, { batch, trace: true });
    const plain = run(engine, x, { batch });
    assert.deepEqual(traced.output, plain.output);
    const reference = referenceTensors(engine, x, { batch }).tensors;
    for (let n = 0; n < batch; n++) {
      const perSample = reference.map((t, i) => Int32Array.from(t.subarray(n * engine.tensorSizes[i]!, (n + 1) * engine.tensorSizes[i]!)));
      const trace = traced.traces![n]!;
      assert.deepEqual(trace.tensors, perSample);
      assert.equal(trace.root, buildTrace(perSample).root);
    }
  });

  test(`${name}: the ends of the input range and int16 extremes in the input tensor`, () => {
    const { min, max } = engine.artifact.input.range;
    for (const value of [min, max]) {
      const x = new Float64Array(3 * engine.inputSize).fill(value);
      assert.deepEqual(Array.from(run(engine, x, { batch: 3 }).output), Array.from(referenceTensors(engine, x, { batch: 3 }).tensors.at(-1)!));
    }
    // The kernels must be exact for any int16 tensor, not only for inputs the range allows.
    const next = words(5);
    const patterns = [
      () => -32768,
      () => 32767,
      (i: number) => (i % 2 === 0 ? -32768 : 32767),
      () => (next() % 2 === 0 ? -32768 : 32767),
      () => (next() % 65536) - 32768,
    ];
    patterns.forEach((pattern, p) => {
      const q = new Float64Array(5 * engine.inputSize).map((_, i) => pattern(i));
      assertSameOnQuantized(engine, q, 5, `${name}, pattern ${p}`);
    });
  });
}

test('a refused input leaves no trace of the kernel path: the error names the value', () => {
  const { engine } = defaultModels[0]!;
  const x = randomInputs(engine, 2, 1);
  x[70] = Number.NaN;
  assert.throws(
    () => run(engine, x, { batch: 2 }),
    (e: { code?: string; details?: string[] }) => e.code === 'ENGINE_INPUT_VALUE' && e.details?.[0] === 'index: 70',
  );
  x[70] = engine.artifact.input.range.max * 2;
  assert.throws(
    () => run(engine, Float32Array.from(x), { batch: 2 }),
    (e: { code?: string; details?: string[] }) => e.code === 'ENGINE_INPUT_RANGE' && e.details?.[0] === 'index: 70',
  );
  x[70] = 0;
  assert.deepEqual(Array.from(run(engine, x, { batch: 2 }).output), Array.from(referenceTensors(engine, x, { batch: 2 }).tensors.at(-1)!));
});

// Synthetic models. Shapes follow docs/engine-spec.md, section 3.
type Spec =
  | {
      op: 'conv';
      input: number;
      M: number;
      kernel: [number, number];
      strides: [number, number];
      pads: [number, number, number, number];
      dilations: [number, number];
      group: number;
    }
  | { op: 'dense'; input: number; M: number }
  | { op: 'relu'; input: number }
  | { op: 'maxpool' | 'avgpool'; input: number; kernel: [number, number]; strides: [number, number]; pads: [number, number, number, number] }
  | { op: 'add'; inputs: [number, number]; alignA: number; alignB: number; shift: number };

/** A model of the given layers with random int16 weights of magnitude up to `weightMax` and biases up to `biasMax`. */
function syntheticEngine(inputShape: number[], specs: Spec[], weightMax: number, biasMax: number, seed: number): Engine {
  const next = words(seed);
  const shapes: number[][] = [inputShape];
  const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
  const weight = () => (next() % (2 * weightMax + 1)) - weightMax;
  const bias = () => Math.round(((next() / 2 ** 32) * 2 - 1) * biasMax);
  // A shift that keeps typical outputs inside int16, so that saturation is not all the test sees.
  const shiftFor = (K: number) => Math.max(0, Math.min(50, Math.round(Math.log2(K * weightMax * 32768) - 15 + ((next() % 5) - 2))));
  const layers: Layer[] = specs.map((spec, i): Layer => {
    const base = { name: `layer${i + 1}`, frac: 0 };
    let layer: Layer;
    if (spec.op === 'dense') {
      const K = size(shapes[spec.input]!);
      layer = {
        ...base,
        op: 'dense',
        input: spec.input,
        shape: [spec.M],
        inFeatures: K,
        outFeatures: spec.M,
        weightFrac: 0,
        shift: shiftFor(K),
        weights: Array.from({ length: spec.M * K }, weight),
        bias: Array.from({ length: spec.M }, bias),
      } satisfies DenseLayer;
    } else if (spec.op === 'conv') {
      const [C, H, W] = shapes[spec.input] as [number, number, number];
      const [kh, kw] = spec.kernel;
      const OH = Math.floor((H + spec.pads[0] + spec.pads[2] - spec.dilations[0] * (kh - 1) - 1) / spec.strides[0]) + 1;
      const OW = Math.floor((W + spec.pads[1] + spec.pads[3] - spec.dilations[1] * (kw - 1) - 1) / spec.strides[1]) + 1;
      const K = (C / spec.group) * kh * kw;
      layer = {
        ...base,
        ...spec,
        op: 'conv',
        inShape: [C, H, W],
        shape: [spec.M, OH, OW],
        weightFrac: 0,
        shift: shiftFor(K),
        weights: Array.from({ length: spec.M * K }, weight),
        bias: Array.from({ length: spec.M }, bias),
      } satisfies ConvLayer;
    } else if (spec.op === 'maxpool' || spec.op === 'avgpool') {
      const [C, H, W] = shapes[spec.input] as [number, number, number];
      const OH = Math.floor((H + spec.pads[0] + spec.pads[2] - spec.kernel[0]) / spec.strides[0]) + 1;
      const OW = Math.floor((W + spec.pads[1] + spec.pads[3] - spec.kernel[1]) / spec.strides[1]) + 1;
      const reciprocal = spec.op === 'avgpool' ? reciprocalFor(spec.kernel[0] * spec.kernel[1]) : 0;
      layer = { ...base, ...spec, inShape: [C, H, W], shape: [C, OH, OW], reciprocal } satisfies PoolLayer;
    } else if (spec.op === 'relu') {
      layer = { ...base, op: 'relu', input: spec.input, shape: shapes[spec.input]! };
    } else {
      const add = spec as Extract<Spec, { op: 'add' }>;
      layer = { ...base, ...add, shape: shapes[add.inputs[0]]! };
    }
    shapes.push(layer.shape);
    return layer;
  });
  const artifact = {
    format: 'trellis-fixed-1',
    input: { name: 'x', shape: inputShape, frac: 0, range: { min: -32768, max: 32767 } },
    output: { name: 'y', shape: shapes.at(-1)!, frac: 0 },
    layers,
  } as unknown as Artifact;
  return createEngine(artifact);
}

const geometry: Spec[] = [
  { op: 'conv', input: 0, M: 6, kernel: [3, 2], strides: [2, 1], pads: [1, 0, 2, 1], dilations: [2, 1], group: 3 },
  { op: 'relu', input: 1 },
  { op: 'conv', input: 2, M: 5, kernel: [3, 3], strides: [1, 1], pads: [1, 1, 1, 1], dilations: [1, 1], group: 1 },
  { op: 'maxpool', input: 3, kernel: [2, 2], strides: [1, 1], pads: [1, 1, 0, 0] },
  { op: 'avgpool', input: 4, kernel: [2, 3], strides: [1, 2], pads: [0, 0, 0, 0] },
  { op: 'conv', input: 5, M: 9, kernel: [1, 3], strides: [1, 3], pads: [0, 2, 0, 0], dilations: [1, 1], group: 1 },
  { op: 'dense', input: 6, M: 7 },
  { op: 'dense', input: 7, M: 7 },
  { op: 'add', inputs: [7, 8], alignA: 1, alignB: 0, shift: 1 },
  { op: 'dense', input: 9, M: 3 },
];

test('synthetic models: every conv geometry, uneven output counts and odd fan-ins, at several weight and bias scales', () => {
  let seed = 1;
  for (const weightMax of [3, 300, 20000, 32767]) {
    for (const biasMax of [0, 2 ** 20, 2 ** 47]) {
      const engine = syntheticEngine([3, 7, 9], geometry, weightMax, biasMax, seed++);
      const next = words(seed);
      for (const batch of [1, 3, 4, 6]) {
        const q = new Float64Array(batch * engine.inputSize).map(() => (next() % 65536) - 32768);
        assertSameOnQuantized(engine, q, batch, `weights ${weightMax}, bias ${biasMax}, batch ${batch}`);
      }
    }
  }
});

test('worst-case accumulators (|acc| near K * 2^30, above 2^33) stay exact in the int64 lanes', () => {
  for (const K of [1, 2, 3, 64, 1023, 4096]) {
    const engine = syntheticEngine([K], [{ op: 'dense', input: 0, M: 6 }], 32767, 2 ** 47, K);
    const dense = engine.artifact.layers[0] as DenseLayer;
    // Every weight at +-32767 and every input at -32768 or 32767: each product is
    // +-(2^30 - 2^15) and, row by row, the signs line up or alternate.
    dense.weights.forEach((_, i) => {
      dense.weights[i] = Math.floor(i / K) % 2 === 0 ? 32767 : i % 2 === 0 ? 32767 : -32767;
    });
    for (const shift of [0, 17, 30, 50]) {
      const layer = { ...dense, shift };
      const e = createEngine({ ...engine.artifact, layers: [layer] });
      assertSameOnQuantized(e, new Float64Array(5 * K).fill(-32768), 5, `K ${K}, shift ${shift}, all -32768`);
      assertSameOnQuantized(e, new Float64Array(5 * K).fill(32767), 5, `K ${K}, shift ${shift}, all 32767`);
    }
  }
});

test('provenChunk: the chunk is the longest window whose int32 partial sums cannot wrap', () => {
  const bound = (w: number[], K: number, m: number, from: number, pairs: number) => {
    let sum = 0;
    for (let k = 2 * from; k < Math.min(K, 2 * (from + pairs)); k++) sum += Math.abs(w[m * K + k]!);
    return sum * 32768;
  };
  const next = words(77);
  for (let trial = 0; trial < 200; trial++) {
    const M = 1 + (next() % 5);
    const K = 1 + (next() % 40);
    const scale = [1, 100, 3000, 32767][next() % 4]!;
    const w = Array.from({ length: M * K }, () => (next() % (2 * scale + 1)) - scale);
    const c = provenChunk(w, M, K);
    const pairs = Math.ceil(K / 2);
    assert.ok(c >= 1 && c <= pairs);
    for (let m = 0; m < M; m++) for (let p = 0; p + 1 <= pairs; p++) assert.ok(bound(w, K, m, p, c) <= 2 ** 31 - 1, `trial ${trial}: window at ${p} overflows`);
    if (c < pairs) {
      let longerFits = true;
      for (let m = 0; m < M; m++) for (let p = 0; p + c + 1 <= pairs; p++) if (bound(w, K, m, p, c + 1) > 2 ** 31 - 1) longerFits = false;
      assert.equal(longerFits, false, `trial ${trial}: a chunk of ${c + 1} would also fit`);
    }
  }
  // Weights whose two pairs sum to exactly 65536: two pairs could reach 2^31, so one pair per chunk.
  assert.equal(provenChunk([16384, 16384, 16384, 16384], 1, 4), 1);
  assert.equal(provenChunk([16384, 16384, 16384, 16383], 1, 4), 2);
});
