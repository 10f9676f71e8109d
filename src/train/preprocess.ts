// What a client does to a raw row before sending it to a default model, stored beside
// the model as models/<name>.preprocess.json: optional per-feature standardization,
// then a clamp into the input range declared to the fixed-point engine (the engine
// refuses values outside it). The float path gets the same rows, so both runtimes are
// compared on identical inputs.
import { TrainError } from './errors.ts';
import type { Standardizer } from './standardize.ts';

export type Preprocess = {
  format: 'trellis-preprocess-1';
  /** Features per row, before and after. */
  features: number;
  /** Present when the model expects standardized features. */
  standardize: Standardizer | null;
  /** The declared input range; every value is clamped into it. */
  range: { min: number; max: number };
};

export function applyPreprocess(p: Preprocess, x: ArrayLike<number>): Float64Array {
  if (x.length % p.features !== 0) {
    throw new TrainError('TRAIN_SHAPE_MISMATCH', 'The rows do not match the model input width.', {
      details: [`expected: a multiple of ${p.features} values`, `got: ${x.length}`],
    });
  }
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const j = i % p.features;
    const v = p.standardize ? (x[i]! - p.standardize.mean[j]!) / p.standardize.std[j]! : x[i]!;
    out[i] = v < p.range.min ? p.range.min : v > p.range.max ? p.range.max : v;
  }
  return out;
}
