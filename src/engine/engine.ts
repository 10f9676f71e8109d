// The graph executor. `createEngine` turns an artifact into typed arrays once; `run`
// executes a batch, layer by layer over the whole batch, and when asked slices every
// tensor per sample into a trace. Plain and traced runs share the same code path.
import type { Artifact, Layer } from './artifact.ts';
import { InputRangeError, InputShapeError, InputValueError } from './errors.ts';
import { ACT_MAX, ACT_MIN, roundHalfAwayFromZero } from './fixed.ts';
import { add } from './ops/add.ts';
import { avgpool } from './ops/avgpool.ts';
import { conv } from './ops/conv.ts';
import { dense } from './ops/dense.ts';
import { maxpool } from './ops/maxpool.ts';
import { relu } from './ops/relu.ts';
import { buildTrace, type Trace } from './trace.ts';

type Prepared = { layer: Layer; size: number; weights: Float64Array; bias: Float64Array };

export type Engine = {
  readonly artifact: Artifact;
  readonly inputSize: number;
  readonly outputSize: number;
  /** Element count of every tensor (0 = input), per sample. */
  readonly tensorSizes: readonly number[];
  readonly layers: readonly Prepared[];
};

/** A flat batch (row-major, batch first) or one array per sample. */
export type RunInput = Float32Array | Float64Array | readonly number[] | readonly ArrayLike<number>[];

export type RunOptions = {
  /** Samples in a flat input; default 1. Ignored (inferred) for one array per sample. */
  batch?: number;
  /** Also return one trace per sample. */
  trace?: boolean;
};

export type RunResult = {
  batch: number;
  /** Output shape without the batch dimension. */
  shape: number[];
  /** Output scale: value = output * 2^-frac. */
  frac: number;
  /** The exact output integers, batch x outputSize. */
  output: Int32Array;
  /** The output dequantized, batch x outputSize. */
  values: Float64Array;
  traces?: Trace[];
};

const product = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

export function createEngine(artifact: Artifact): Engine {
  const layers = artifact.layers.map((layer) => ({
    layer,
    size: product(layer.shape),
    weights: Float64Array.from(layer.op === 'dense' || layer.op === 'conv' ? layer.weights : []),
    bias: Float64Array.from(layer.op === 'dense' || layer.op === 'conv' ? layer.bias : []),
  }));
  const inputSize = product(artifact.input.shape);
  return {
    artifact,
    inputSize,
    outputSize: product(artifact.output.shape),
    tensorSizes: [inputSize, ...layers.map((l) => l.size)],
    layers,
  };
}

/** Checks and flattens the caller's input; returns the floats and the batch size. */
function flattenInput(engine: Engine, input: RunInput, options: RunOptions): { data: ArrayLike<unknown>; batch: number } {
  const size = engine.inputSize;
  const expectedShape = `[N, ${engine.artifact.input.shape.join(', ')}]`;
  if (input === null || typeof input !== 'object' || typeof (input as { length?: unknown }).length !== 'number') {
    throw new InputShapeError('The input is not an array of numbers.', [
      `expected: ${expectedShape} as numbers`,
      `got: ${input === null ? 'null' : typeof input}`,
    ]);
  }
  const rows = input as ArrayLike<unknown>;
  if (rows.length > 0 && typeof rows[0] === 'object' && rows[0] !== null) {
    const batch = rows.length;
    const data = new Array<unknown>(batch * size);
    for (let n = 0; n < batch; n++) {
      const row = rows[n] as ArrayLike<unknown> | null;
      if (row === null || typeof row !== 'object' || typeof row.length !== 'number' || row.length !== size) {
        throw new InputShapeError('A sample has the wrong length.', [
          `sample: ${n}`,
          `expected: ${size} values (${expectedShape})`,
          `got: ${row !== null && typeof row === 'object' ? row.length : typeof row}`,
        ]);
      }
      for (let i = 0; i < size; i++) data[n * size + i] = row[i];
    }
    return { data, batch };
  }
  const batch = options.batch ?? 1;
  if (!Number.isInteger(batch) || batch < 1) {
    throw new InputShapeError('The batch size is not a positive integer.', ['expected: an integer >= 1', `got: ${batch}`]);
  }
  if (rows.length !== batch * size) {
    throw new InputShapeError('The input has the wrong length.', [
      `expected: ${batch * size} values (batch ${batch} x ${size}, ${expectedShape})`,
      `got: ${rows.length}`,
    ]);
  }
  return { data: rows, batch };
}

/** Validates the input against the declared range and quantizes it (round half away from zero). */
export function quantizeInput(engine: Engine, input: RunInput, options: RunOptions = {}): { data: Float64Array; batch: number } {
  const { data, batch } = flattenInput(engine, input, options);
  const { frac, range } = engine.artifact.input;
  const scale = 2 ** frac;
  const out = new Float64Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new InputValueError(i, v);
    if (v < range.min || v > range.max) throw new InputRangeError(i, v, range.min, range.max);
    const q = roundHalfAwayFromZero(v * scale);
    out[i] = q < ACT_MIN ? ACT_MIN : q > ACT_MAX ? ACT_MAX : q;
  }
  return { data: out, batch };
}

function execute(engine: Engine, input: Float64Array, batch: number): Float64Array[] {
  const tensors: Float64Array[] = [input];
  for (const p of engine.layers) {
    const l = p.layer;
    const out = new Float64Array(batch * p.size);
    switch (l.op) {
      case 'dense':
        dense({ inFeatures: l.inFeatures, outFeatures: l.outFeatures, shift: l.shift, weights: p.weights, bias: p.bias }, tensors[l.input]!, batch, out);
        break;
      case 'conv':
        conv({ ...l, weights: p.weights, bias: p.bias }, tensors[l.input]!, batch, out);
        break;
      case 'relu':
        relu(tensors[l.input]!, batch * p.size, out);
        break;
      case 'maxpool':
        maxpool(l, tensors[l.input]!, batch, out);
        break;
      case 'avgpool':
        avgpool(l, tensors[l.input]!, batch, out);
        break;
      case 'add':
        add(l, tensors[l.inputs[0]]!, tensors[l.inputs[1]]!, batch * p.size, out);
        break;
    }
    tensors.push(out);
  }
  return tensors;
}

/** Runs a batch; with `trace: true` also returns one trace per sample. */
export function run(engine: Engine, input: RunInput, options: RunOptions = {}): RunResult {
  const { data, batch } = quantizeInput(engine, input, options);
  const tensors = execute(engine, data, batch);
  const last = tensors[tensors.length - 1]!;
  const output = Int32Array.from(last);
  const inv = 2 ** -engine.artifact.output.frac;
  const values = new Float64Array(output.length);
  for (let i = 0; i < output.length; i++) values[i] = output[i]! * inv;
  const result: RunResult = { batch, shape: [...engine.artifact.output.shape], frac: engine.artifact.output.frac, output, values };
  if (options.trace) {
    result.traces = [];
    for (let n = 0; n < batch; n++) {
      result.traces.push(buildTrace(tensors.map((t, i) => Int32Array.from(t.subarray(n * engine.tensorSizes[i]!, (n + 1) * engine.tensorSizes[i]!)))));
    }
  }
  return result;
}
