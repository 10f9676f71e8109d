// Whether a parsed preprocess file (trellis-preprocess-1) fits a model of `features`
// input values: read from an author's file at import and from a package at load, so
// both refuse the same files for the same reasons.
import type { Preprocess } from '../train/preprocess.ts';

/** The first field that is wrong, as "field: expected ..., got ...", or undefined. */
export function preprocessProblem(value: unknown, features: number): string | undefined {
  const p = value as Partial<Preprocess> | null;
  const std = p?.standardize;
  if (p?.format !== 'trellis-preprocess-1') return `format: expected "trellis-preprocess-1", got ${JSON.stringify(p?.format)}`;
  if (p.features !== features) return `features: expected ${features} (the model input size), got ${JSON.stringify(p.features)}`;
  if (!(Number.isFinite(p.range?.min) && Number.isFinite(p.range?.max) && p.range!.min < p.range!.max))
    return `range: expected { "min", "max" } with min < max, got ${JSON.stringify(p.range)}`;
  if (std !== null && !(std?.mean?.length === features && std?.std?.length === features))
    return `standardize: expected null or { "mean": [${features} numbers], "std": [${features} numbers] }`;
  return undefined;
}
