// The graph executor. `createEngine` prepares an artifact once: the weights packed
// for the SIMD kernels in WebAssembly memory (src/engine/wasm/) and, for the
// reference executor (src/engine/reference.ts), as doubles. `run` executes a batch,
// layer by layer over the whole batch, in the kernels, and when asked slices every
// tensor per sample into a trace. Plain and traced runs share the same code path.
import type { Artifact, Hex, Layer } from './artifact.ts';
import { InputRangeError, InputShapeError, InputValueError } from './errors.ts';
import { ACT_MAX, ACT_MIN, roundHalfAwayFromZero } from './fixed.ts';
import { buildTrace, type Trace } from './trace.ts';
import { type CompiledModel, compileModel, executeBatch, inputView, quantizeTypedInput } from './wasm/executor.ts';

/** A layer with its weights as doubles, for the reference executor. */
export type Prepared = { layer: Layer; size: number; weights: Float64Array; bias: Float64Array };

export type Engine = {
  readonly artifact: Artifact;
  readonly inputSize: number;
  readonly outputSize: number;
  /** Element count of every tensor (0 = input), per sample. */
  readonly tensorSizes: readonly number[];
  readonly layers: readonly Prepared[];
  /** The packed weights and kernels that `run` uses. */
  readonly compiled: CompiledModel;
};

/** A flat batch (row-major, batch first) or one array per sample. */
export type RunInput = Float32Array | Float64Array | readonly number[] | readonly ArrayLike<number>[];

export type RunOptions = {
  /** Samples in a flat input; default 1. Ignored (inferred) for one array per sample. */
  batch?: number;
  /** Also return one trace per sample. */
  trace?: boolean;
  /**
   * Batch 1 with trace: the root of tensor 0 when the caller already computed it from
   * this very input (a provider checks the request's input hash first), so that the
   * trace takes it instead of hashing the input again.
   */
  inputRoot?: Hex;
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
  const tensorSizes = [inputSize, ...layers.map((l) => l.size)];
  return {
    artifact,
    inputSize,
    outputSize: product(artifact.output.shape),
    tensorSizes,
    layers,
    compiled: compileModel(artifact.layers, tensorSizes),
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

/**
 * Quantizes checked values into `out` (round half away from zero, saturated). The
 * loop accepts only finite numbers inside the declared range; on the first element
 * that is not, it raises the error that names it.
 */
function quantizeValues(engine: Engine, data: ArrayLike<unknown>, out: Int16Array): void {
  const { frac, range } = engine.artifact.input;
  const scale = 2 ** frac;
  const min = range.min;
  const max = range.max;
  const n = data.length;
  for (let i = 0; i < n; i++) {
    const v = data[i] as number;
    // NaN and non-numbers fail both comparisons, so one test covers every bad value.
    if (!(typeof v === 'number' && v >= min && v <= max)) {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new InputValueError(i, v);
      throw new InputRangeError(i, v, min, max);
    }
    const q = roundHalfAwayFromZero(v * scale);
    out[i] = q < ACT_MIN ? ACT_MIN : q > ACT_MAX ? ACT_MAX : q;
  }
}

/** Validates the input against the declared range and quantizes it (round half away from zero). */
export function quantizeInput(engine: Engine, input: RunInput, options: RunOptions = {}): { data: Float64Array; batch: number } {
  const { data, batch } = flattenInput(engine, input, options);
  const q = new Int16Array(data.length);
  quantizeValues(engine, data, q);
  return { data: Float64Array.from(q), batch };
}

/** Runs a batch; with `trace: true` also returns one trace per sample. */
export function run(engine: Engine, input: RunInput, options: RunOptions = {}): RunResult {
  const { data, batch } = flattenInput(engine, input, options);
  const model = engine.compiled;
  if (data instanceof Float32Array || data instanceof Float64Array) {
    // Typed input holds only numbers: the kernel checks the range and quantizes; the
    // checked loop below runs only to name a value the kernel refused.
    const { frac, range } = engine.artifact.input;
    if (!quantizeTypedInput(model, batch, data, range.min, range.max, 2 ** frac)) quantizeValues(engine, data, inputView(model, batch));
  } else {
    quantizeValues(engine, data, inputView(model, batch));
  }
  const tensors = executeBatch(model, batch);
  const last = tensors[tensors.length - 1]!;
  // Copies: the views belong to the engine's memory, which the next run overwrites.
  const output = new Int32Array(last.length);
  output.set(last);
  const inv = 2 ** -engine.artifact.output.frac;
  const values = new Float64Array(output.length);
  for (let i = 0; i < output.length; i++) values[i] = output[i]! * inv;
  const result: RunResult = { batch, shape: [...engine.artifact.output.shape], frac: engine.artifact.output.frac, output, values };
  if (options.trace) {
    result.traces = [];
    for (let n = 0; n < batch; n++) {
      const perSample = tensors.map((t, i) => {
        const size = engine.tensorSizes[i]!;
        const copy = new Int32Array(size);
        copy.set(t.subarray(n * size, (n + 1) * size));
        return copy;
      });
      result.traces.push(buildTrace(perSample, batch === 1 ? options.inputRoot : undefined));
    }
  }
  return result;
}
