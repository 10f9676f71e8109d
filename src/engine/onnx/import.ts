// ONNX import: decode, check, fold, calibrate, quantize, commit. (Body in progress.)
import type { Artifact } from '../artifact.ts';

export type ImportOnnxOptions = {
  /** Calibration samples (floats): one array per sample, or a flat array of whole samples. */
  calibration: readonly ArrayLike<number>[] | Float32Array | Float64Array;
  /** The range every input value must stay within, at import and at run time. */
  inputRange: { min: number; max: number };
};

export function importOnnx(bytes: Uint8Array, options: ImportOnnxOptions): Artifact {
  void bytes;
  void options;
  throw new Error('importOnnx: not implemented yet');
}
