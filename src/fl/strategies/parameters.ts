// A model's parameters as the federation exchanges them: one flat vector of signed
// fixed-point integers q (value = q / 2^16), the layers in order and each layer's
// weights before its biases. Integers keep every aggregate exact and the same on
// every machine; |q| < 2^47 leaves room to sum thousands of weighted updates in
// BigInt and to subtract two of them in a double without rounding.
import { StrategyError } from './errors.ts';

export type Parameters = readonly number[];

/** Fractional bits of the fixed-point form. */
export const FIXED_FRACTION_BITS = 16;
export const FIXED_SCALE = 2 ** FIXED_FRACTION_BITS;
/** Every |q| must stay below this bound. */
export const FIXED_LIMIT = 2 ** 47;

/** Quantizes floats to the fixed-point form, rounding half up (floor(x * 2^16 + 1/2)). */
export function toFixed(values: ArrayLike<number>): number[] {
  const out: number[] = new Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    if (!Number.isFinite(x)) {
      throw new StrategyError('FL_VALUE_NOT_FINITE', 'A parameter to quantize is not a finite number.', {
        details: [`index: ${i}`, `got: ${x}`],
      });
    }
    // x * 2^16 is exact (a power-of-two scale); the bound check comes before adding
    // 1/2 so that no huge value is rounded into range.
    const scaled = x * FIXED_SCALE;
    const q = Math.floor(scaled + 0.5);
    if (!(Math.abs(scaled) < FIXED_LIMIT) || !(Math.abs(q) < FIXED_LIMIT)) {
      throw new StrategyError('FL_VALUE_OUT_OF_RANGE', 'A parameter is too large for the fixed-point form.', {
        details: [`index: ${i}`, `got: ${x}`, `limit: |x| < 2^${47 - FIXED_FRACTION_BITS}`],
      });
    }
    out[i] = q;
  }
  return out;
}

/** The float value of each fixed-point integer (exact: q < 2^47 fits a double). */
export function fromFixed(parameters: Parameters): Float64Array {
  const out = new Float64Array(parameters.length);
  for (let i = 0; i < parameters.length; i++) out[i] = parameters[i]! / FIXED_SCALE;
  return out;
}

/** Refuses a vector of the wrong length or with an element that is not an integer in range. */
export function checkParameters(parameters: Parameters, expectedLength: number, whose: string): void {
  if (parameters.length !== expectedLength) {
    throw new StrategyError('FL_UPDATE_WRONG_LENGTH', `The parameters of ${whose} have the wrong length.`, {
      details: [`expected: ${expectedLength} values`, `got: ${parameters.length}`],
    });
  }
  for (let i = 0; i < parameters.length; i++) {
    const q = parameters[i]!;
    if (typeof q !== 'number' || !Number.isFinite(q)) {
      throw new StrategyError('FL_VALUE_NOT_FINITE', `A parameter of ${whose} is not a finite number.`, {
        details: [`index: ${i}`, `got: ${String(q)}`],
      });
    }
    if (!Number.isInteger(q) || !(Math.abs(q) < FIXED_LIMIT)) {
      throw new StrategyError('FL_VALUE_OUT_OF_RANGE', `A parameter of ${whose} is not a fixed-point integer in range.`, {
        details: [`index: ${i}`, `got: ${q}`, 'expected: an integer q with |q| < 2^47'],
      });
    }
  }
}
