// Per-feature standardization, (x - mean) / std, fitted on training rows only. The
// breast cancer features span 0.001..4254 in one tensor, and the fixed-point engine
// gives each tensor a single power-of-two scale with int16 activations, so raw values
// would leave the small features with almost no bits; standardized, every feature
// lives in a few units around 0 and shares one scale well. The client applies this
// step (models/<name>.preprocess.json) before sending the row.
import type { Dataset } from './datasets.ts';
import { TrainError } from './errors.ts';

export type Standardizer = {
  mean: number[];
  std: number[];
};

export function fitStandardizer(data: Dataset): Standardizer {
  const { rows, features, x } = data;
  const mean: number[] = [];
  const std: number[] = [];
  for (let j = 0; j < features; j++) {
    let sum = 0;
    for (let r = 0; r < rows; r++) sum += x[r * features + j]!;
    const m = sum / rows;
    let squares = 0;
    for (let r = 0; r < rows; r++) squares += (x[r * features + j]! - m) ** 2;
    // Population standard deviation; a constant feature keeps std 1 so it maps to 0.
    const s = Math.sqrt(squares / rows);
    mean.push(m);
    std.push(s > 0 ? s : 1);
  }
  return { mean, std };
}

export function standardizeRows(x: ArrayLike<number>, s: Standardizer): Float64Array {
  const features = s.mean.length;
  if (x.length % features !== 0) {
    throw new TrainError('TRAIN_SHAPE_MISMATCH', 'The rows do not match the standardizer width.', {
      details: [`expected: a multiple of ${features} values`, `got: ${x.length}`],
    });
  }
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = (x[i]! - s.mean[i % features]!) / s.std[i % features]!;
  return out;
}

export function standardizeDataset(data: Dataset, s: Standardizer): Dataset {
  return { ...data, x: standardizeRows(data.x, s) };
}
