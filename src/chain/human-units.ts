// Amounts and times the way a person reads them: tUSD with its 6 decimals instead of
// base units, dates in UTC to the minute, and durations in days, hours and minutes.
import { formatUnits } from 'viem';
import { TOKEN_DECIMALS } from './parameters.ts';

/** 2500000n -> "2.5 tUSD". */
export const formatTokens = (value: bigint): string => `${formatUnits(value, TOKEN_DECIMALS)} tUSD`;

/** Unix seconds -> "2026-12-02 09:14 UTC". */
export function formatDate(seconds: bigint | number): string {
  const iso = new Date(Number(seconds) * 1000).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** Seconds -> "23 h 59 min", "2 d 3 h", "45 s"; never negative. */
export function formatDuration(seconds: bigint | number): string {
  let s = Math.max(0, Math.round(Number(seconds)));
  if (s < 60) return `${s} s`;
  const days = Math.floor(s / 86_400);
  s -= days * 86_400;
  const hours = Math.floor(s / 3_600);
  s -= hours * 3_600;
  const minutes = Math.floor(s / 60);
  if (days > 0) return hours > 0 ? `${days} d ${hours} h` : `${days} d`;
  if (hours > 0) return minutes > 0 ? `${hours} h ${minutes} min` : `${hours} h`;
  return `${minutes} min`;
}

/** "in 23 h 59 min, at 2026-12-02 09:14 UTC", counted from `now` (chain time, seconds). */
export const formatWhen = (at: bigint | number, now: bigint | number): string => `in ${formatDuration(Number(at) - Number(now))}, at ${formatDate(at)}`;

/** "23 h 59 min ago, at …" or "in …, at …". */
export const formatRelative = (at: bigint | number, now: bigint | number): string =>
  Number(at) < Number(now) ? `${formatDuration(Number(now) - Number(at))} ago, at ${formatDate(at)}` : formatWhen(at, now);
