// The float path: runs an ONNX model on the CPU with onnxruntime-node. Requests that
// ask for no verification are served here, and the accuracy report measures the
// fixed-point engine's quantization error against it. The model's first input is
// taken to be batch-first ([N, ...row shape], N symbolic or fixed) and its first
// output to be the logits [N, classes].
import ort from 'onnxruntime-node';
import { TrellisError } from '../errors.ts';

export type FloatModelErrorCode = 'FLOAT_BAD_INPUT_SHAPE' | 'FLOAT_MODEL_INVALID' | 'FLOAT_RUN_FAILED';

export class FloatModelError extends TrellisError<FloatModelErrorCode> {
  override name = 'FloatModelError';
}

export type FloatModelOptions = {
  /** Threads onnxruntime may use inside one operator; 1 keeps runs comparable. */
  threads?: number;
};

export type FloatLogits = {
  rows: number;
  /** Values per row of the output (classes, for a classifier). */
  width: number;
  /** rows x width, row-major. */
  logits: Float32Array;
};

export class FloatModel {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly inputName: string,
    readonly outputName: string,
    /** Shape of one row of the input, without the batch dimension. */
    readonly rowShape: readonly number[],
  ) {}

  /** Loads an ONNX model from a file path or its bytes. */
  static async load(source: string | Uint8Array, options: FloatModelOptions = {}): Promise<FloatModel> {
    const sessionOptions: ort.InferenceSession.SessionOptions = {
      intraOpNumThreads: options.threads ?? 1,
      interOpNumThreads: 1,
      executionMode: 'sequential',
    };
    let session: ort.InferenceSession;
    try {
      session =
        typeof source === 'string' ? await ort.InferenceSession.create(source, sessionOptions) : await ort.InferenceSession.create(source, sessionOptions);
    } catch (cause) {
      throw new FloatModelError('FLOAT_MODEL_INVALID', 'onnxruntime could not load the model.', {
        details: [typeof source === 'string' ? `file: ${source}` : `bytes: ${source.length}`],
        cause,
      });
    }
    const input = session.inputMetadata[0];
    const outputName = session.outputNames[0];
    if (!input?.isTensor || outputName === undefined) {
      throw new FloatModelError('FLOAT_MODEL_INVALID', 'The model needs one tensor input and one output.', {
        details: [`inputs: ${session.inputNames.join(', ') || 'none'}`, `outputs: ${session.outputNames.join(', ') || 'none'}`],
      });
    }
    const rowShape = input.shape.slice(1);
    if (input.shape.length < 2 || !rowShape.every((d): d is number => typeof d === 'number' && d > 0)) {
      throw new FloatModelError('FLOAT_MODEL_INVALID', 'The model input must be batch-first with fixed row dimensions.', {
        details: [`input ${input.name}: [${input.shape.join(', ')}]`],
      });
    }
    return new FloatModel(session, input.name, outputName, rowShape);
  }

  /** Values in one input row. */
  get rowSize(): number {
    return this.rowShape.reduce((a, b) => a * b, 1);
  }

  /**
   * Runs a batch. `input` is either rows (each a flat array of rowSize values) or one
   * flat row-major array of rows x rowSize values with `rows` given.
   */
  async run(input: ArrayLike<number> | readonly ArrayLike<number>[], rows?: number): Promise<FloatLogits> {
    const flat = this.flatten(input, rows);
    const n = flat.length / this.rowSize;
    const feed = new ort.Tensor('float32', flat, [n, ...this.rowShape]);
    let output: ort.Tensor | undefined;
    try {
      output = (await this.session.run({ [this.inputName]: feed }))[this.outputName];
    } catch (cause) {
      throw new FloatModelError('FLOAT_RUN_FAILED', 'onnxruntime failed to run the model.', { details: [`rows: ${n}`], cause });
    }
    if (!output || !(output.data instanceof Float32Array) || output.dims[0] !== n) {
      throw new FloatModelError('FLOAT_RUN_FAILED', 'The model output is not a float32 batch of the input size.', {
        details: [`expected: float32 [${n}, ...]`, `got: ${output ? `${output.type} [${output.dims.join(', ')}]` : 'no output'}`],
      });
    }
    return { rows: n, width: n === 0 ? 0 : output.data.length / n, logits: output.data };
  }

  async close(): Promise<void> {
    await this.session.release();
  }

  private flatten(input: ArrayLike<number> | readonly ArrayLike<number>[], rows: number | undefined): Float32Array {
    const size = this.rowSize;
    const expected = `rows of ${size} values, shape [N, ${this.rowShape.join(', ')}]`;
    if (isRowList(input)) {
      const flat = new Float32Array(input.length * size);
      input.forEach((row, r) => {
        if (row.length !== size) {
          throw new FloatModelError('FLOAT_BAD_INPUT_SHAPE', 'An input row has the wrong number of values.', {
            details: [`row: ${r}`, `expected: ${size}`, `got: ${row.length}`],
          });
        }
        for (let i = 0; i < size; i++) flat[r * size + i] = finite(row[i]!, r * size + i);
      });
      if (input.length === 0) throw badShape(expected, 'no rows');
      return flat;
    }
    const n = rows ?? input.length / size;
    if (!Number.isInteger(n) || n <= 0 || n * size !== input.length) {
      throw badShape(expected, `${input.length} values${rows === undefined ? '' : ` for ${rows} rows`}`);
    }
    const flat = new Float32Array(input.length);
    for (let i = 0; i < input.length; i++) flat[i] = finite(input[i]!, i);
    return flat;
  }
}

function isRowList(input: ArrayLike<number> | readonly ArrayLike<number>[]): input is readonly ArrayLike<number>[] {
  return Array.isArray(input) && (input.length === 0 || typeof input[0] !== 'number');
}

function finite(value: number, index: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new FloatModelError('FLOAT_BAD_INPUT_SHAPE', 'An input value is not a finite number.', { details: [`index: ${index}`, `got: ${String(value)}`] });
  }
  return value;
}

function badShape(expected: string, got: string): FloatModelError {
  return new FloatModelError('FLOAT_BAD_INPUT_SHAPE', 'The input does not match the model input shape.', {
    details: [`expected: ${expected}`, `got: ${got}`],
  });
}
