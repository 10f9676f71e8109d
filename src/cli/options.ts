// Parsing of CLI option values, with errors that name the option and what it expects.
import { getAddress, isAddress, type Address, type Hex } from 'viem';
import { TrellisError } from '../errors.ts';
import type { ModelTrust } from '../models/registry.ts';

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

export function parseAddressOption(name: string, value: string): Address {
  if (!isAddress(value.trim())) throw new TrellisError('INVALID_OPTION', `${name} must be an address (0x and 40 hex digits), got "${value}".`);
  return getAddress(value.trim());
}

export function parseModelIdOption(name: string, value: string): Hex {
  if (!/^0x[0-9a-fA-F]{64}$/.test(value.trim())) throw new TrellisError('INVALID_OPTION', `${name} must be a model id (0x and 64 hex digits), got "${value}".`);
  return value.trim().toLowerCase() as Hex;
}

/** The model trust of a command: `--publisher ADDRESS`, and `--model-id ID` for its one model. */
export function parseTrustOptions(options: { publisher?: string; modelId?: string }, model?: string): ModelTrust {
  return {
    ...(options.publisher === undefined ? {} : { publisher: parseAddressOption('--publisher', options.publisher) }),
    ...(options.modelId === undefined || model === undefined ? {} : { modelIds: { [model]: parseModelIdOption('--model-id', options.modelId) } }),
  };
}

/** An http(s) URL option, without trailing slashes. */
export function parseUrlOption(name: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TrellisError('INVALID_OPTION', `${name} must be an http:// or https:// URL, got "${value}".`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new TrellisError('INVALID_OPTION', `${name} must be an http:// or https:// URL, got "${value}".`);
  return value.replace(/\/+$/, '');
}
