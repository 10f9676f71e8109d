// Parsing of CLI option values, with errors that name the option and what it expects.
import { TrellisError } from '../errors.ts';

export function parseIntegerOption(name: string, value: string, min: number, max: number): number {
  const parsed = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
    throw new TrellisError('INVALID_OPTION', `${name} must be an integer from ${min} to ${max}, got "${value}".`);
  }
  return parsed;
}

/** A token amount in whole units with up to `decimals` decimals, e.g. "12.5". */
export function parseAmountOption(name: string, value: string, decimals: number): string {
  if (!new RegExp(`^\\d+(\\.\\d{1,${decimals}})?$`).test(value.trim())) {
    throw new TrellisError('INVALID_OPTION', `${name} must be a non-negative amount with at most ${decimals} decimals, got "${value}".`);
  }
  return value.trim();
}
