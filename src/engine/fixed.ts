// Fixed-point helpers. Every tensor has a power-of-two scale: an integer q stands for
// q * 2^-frac. All integers are held in doubles, which are exact below 2^53; the import
// bound check (docs/engine-spec.md) guarantees no intermediate goes beyond that.

/** A tensor's integers: doubles in the reference executor, int16 in the kernel executor (for the operators both share). */
export type Values = Float64Array | Int16Array;

/** Activations are int16. */
export const ACT_MIN = -32768;
export const ACT_MAX = 32767;
/** Weights are symmetric int16 (no -32768, so negating a weight never overflows). */
export const WEIGHT_MAX = 32767;
/** Largest bias magnitude (at the accumulator scale) the bound proof allows: 2^47. */
export const BIAS_MAX = 2 ** 47;
/** Largest right shift of a requantization: 2^(shift-1) <= 2^49. */
export const SHIFT_MAX = 50;
/** Largest fan-in: fanIn * 2^15 * 2^15 <= 2^52. */
export const MAX_FAN_IN = 2 ** 22;
/** Scale of the average-pool reciprocal: 2^32. */
export const RECIPROCAL_FRAC = 32;

const POW2: Float64Array = (() => {
  const t = new Float64Array(64);
  for (let i = 0; i < 64; i++) t[i] = 2 ** i;
  return t;
})();

/** 2^s for 0 <= s < 64, exact. */
export function pow2(s: number): number {
  return POW2[s]!;
}

/**
 * Rounding shift, round half up: floor((x + 2^(s-1)) / 2^s); x when s = 0.
 * Division by a power of two is exact in doubles, so this is an arithmetic right shift
 * of x + 2^(s-1) for any integer |x| < 2^53.
 */
export function shiftRoundHalfUp(x: number, s: number): number {
  if (s === 0) return x;
  return Math.floor((x + POW2[s - 1]!) / POW2[s]!);
}

/** Saturation to the activation range. */
export function clampAct(x: number): number {
  return x < ACT_MIN ? ACT_MIN : x > ACT_MAX ? ACT_MAX : x;
}

/** Requantization: round half up by `s` bits, then saturate to int16. */
export function requantize(acc: number, s: number): number {
  return clampAct(shiftRoundHalfUp(acc, s));
}

/**
 * Quantization of a real number, round half away from zero: sign(x) * floor(|x| + 1/2).
 * Used only at import (weights, biases) and for the model input, never between layers.
 */
export function roundHalfAwayFromZero(x: number): number {
  const a = Math.abs(x);
  const whole = Math.floor(a);
  // a - whole is exact; floor(a + 0.5) is not (0.49999999999999994 + 0.5 rounds to 1).
  const r = a - whole >= 0.5 ? whole + 1 : whole;
  return x < 0 ? -r : r;
}

/**
 * The scale that puts the largest magnitude `maxAbs` at or below `limit`:
 * the largest integer frac with maxAbs * 2^frac <= limit, clamped to [minFrac, maxFrac].
 */
export function fracFor(maxAbs: number, limit: number, minFrac: number, maxFrac: number): number {
  if (!(maxAbs > 0)) return maxFrac;
  let f = Math.floor(Math.log2(limit / maxAbs));
  // log2 may be off by one ulp near exact powers of two; settle with exact products.
  while (f > minFrac && maxAbs * 2 ** f > limit) f--;
  while (f < maxFrac && maxAbs * 2 ** (f + 1) <= limit) f++;
  return Math.max(minFrac, Math.min(maxFrac, f));
}
