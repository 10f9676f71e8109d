// Turns a default model's ONNX file into its fixed-point artifact with the engine's
// importer: calibrated on every (preprocessed) training row, with the declared input
// range of its preprocessing. Both follow from data and seed alone (prepareData), so
// the committed artifact can be rebuilt from the committed ONNX file without training.
import { importOnnx, type Artifact } from '../engine/index.ts';
import type { PreparedData } from './prepare-data.ts';

export function importDefaultModel(onnx: Uint8Array, prepared: PreparedData): Artifact {
  return importOnnx(onnx, { calibration: prepared.train.x, inputRange: prepared.preprocess.range });
}
