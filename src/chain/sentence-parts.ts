// How error sentences render a decoded argument: amounts in tUSD, times as dates, long
// hex shortened, a bytes32 that holds a name as that name.
import { hexToString, isHex } from 'viem';
import { formatDate, formatTokens } from './human-units.ts';

/** A decoded error's arguments by their ABI names. */
export type ErrorArgs = Readonly<Record<string, unknown>>;
export type ErrorSentence = (args: ErrorArgs) => string;

export const big = (v: unknown): bigint => (typeof v === 'bigint' ? v : BigInt(typeof v === 'number' || typeof v === 'string' ? v : 0));
export const tusd = (v: unknown) => formatTokens(big(v));
export const date = (v: unknown) => formatDate(big(v));
export const text = (v: unknown) => String(v);
export const short = (v: unknown) => {
  const s = String(v);
  return s.length > 14 ? `${s.slice(0, 10)}…` : s;
};
/** A bytes32 that holds a short name (a parameter's or a field's), else its hex. */
export const label = (v: unknown) => {
  if (!isHex(v)) return String(v);
  const name = hexToString(v).replace(/\0+$/, '');
  return /^[\x20-\x7e]+$/.test(name) ? name : short(v);
};
export const bps = (v: unknown) => `${Number(big(v)) / 100} %`;
