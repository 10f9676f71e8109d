// Validation of what a caller sends: path ids, query filters and page bounds. Every
// value reaching SQL passed through here first, and goes in as a query parameter;
// a query parameter a route does not take is refused rather than ignored.
import { getAddress, isAddress, type Address } from 'viem';
import { IndexerError } from '../errors.ts';

export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 100;

const shown = (value: string) => JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}...` : value);

export function parseAddress(name: string, value: string): Address {
  if (!isAddress(value, { strict: false })) {
    throw new IndexerError('INVALID_ADDRESS', `${name} must be a 20-byte hex address.`, { details: [`got ${shown(value)}`, 'expected 0x and 40 hex digits'] });
  }
  return getAddress(value);
}

export function parseHash(name: string, value: string): string {
  if (!/^0x[0-9a-fA-F]{64}$/.test(value)) {
    throw new IndexerError('INVALID_ID', `${name} must be a 32-byte hex value.`, { details: [`got ${shown(value)}`, 'expected 0x and 64 hex digits'] });
  }
  return value.toLowerCase();
}

export function parseChoice<T extends string>(name: string, value: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(value)) {
    throw new IndexerError('INVALID_QUERY', `${name} must be one of: ${choices.join(', ')}.`, { details: [`got ${shown(value)}`] });
  }
  return value as T;
}

export function parseBoolean(name: string, value: string): boolean {
  return parseChoice(name, value, ['true', 'false']) === 'true';
}

/** The query of a request, refusing parameters the route does not take and repeated ones. */
export function readQuery(url: string, allowed: readonly string[]): Map<string, string> {
  const params = new URL(url).searchParams;
  const query = new Map<string, string>();
  for (const [key, value] of params) {
    if (!allowed.includes(key)) {
      throw new IndexerError('INVALID_QUERY', `Unknown query parameter ${shown(key)}.`, {
        details: [allowed.length > 0 ? `this route takes: ${allowed.join(', ')}` : 'this route takes no query parameters'],
      });
    }
    if (query.has(key)) throw new IndexerError('INVALID_QUERY', `The query parameter ${key} is given more than once.`);
    query.set(key, value);
  }
  return query;
}

export function parseLimit(value: string | undefined): number {
  if (value === undefined) return DEFAULT_LIMIT;
  const limit = Number(value);
  if (!/^\d{1,4}$/.test(value) || limit < 1 || limit > MAX_LIMIT) {
    throw new IndexerError('INVALID_LIMIT', `limit must be an integer from 1 to ${MAX_LIMIT}.`, { details: [`got ${shown(value)}`] });
  }
  return limit;
}

/** A counter id in a path (an agent or a training task): a positive whole number. */
export function parseId(name: string, value: string): number {
  if (!/^[1-9]\d{0,14}$/.test(value)) {
    throw new IndexerError('INVALID_ID', `${name} must be a positive whole number.`, { details: [`got ${shown(value)}`, 'expected plain digits, like 1'] });
  }
  return Number(value);
}

/** A whole number from min to max, written in plain digits. */
export function parseInteger(name: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d{1,9}$/.test(value) || n < min || n > max) {
    throw new IndexerError('INVALID_QUERY', `${name} must be an integer from ${min} to ${max}.`, { details: [`got ${shown(value)}`] });
  }
  return n;
}

/** The kinds of value a cursor holds, in the order of the list's sort key. */
export type CursorShape = readonly ('integer' | 'text')[];
export type CursorValue = (number | string)[];

/** Cursors are opaque to callers: base64url of the JSON sort key of the last row returned. */
export function encodeCursor(values: CursorValue): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

export function parseCursor(value: string | undefined, shape: CursorShape): CursorValue | undefined {
  if (value === undefined) return undefined;
  const invalid = () =>
    new IndexerError('INVALID_CURSOR', 'cursor is not one this list gave out.', { details: ['pass the nextCursor of the previous page, unchanged'] });
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(value)) throw invalid();
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(decoded) || decoded.length !== shape.length) throw invalid();
  for (const [i, kind] of shape.entries()) {
    const item = decoded[i] as unknown;
    const ok = kind === 'integer' ? Number.isSafeInteger(item) && (item as number) >= 0 : typeof item === 'string' && /^0x[0-9a-fA-F]{1,64}$/.test(item);
    if (!ok) throw invalid();
  }
  return decoded as CursorValue;
}
