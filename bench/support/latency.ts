// Throughput and latency percentiles of one measured phase.

export type LatencySummary = {
  /** Requests that completed. */
  count: number;
  /** Completed requests per second of wall time. */
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
};

/**
 * Nearest-rank percentile (`q` in (0, 1]): the smallest sample with at least a
 * fraction `q` of the samples at or below it. No interpolation, so the figure is
 * always a latency that was actually observed.
 */
export function percentile(sortedMs: readonly number[], q: number): number {
  if (sortedMs.length === 0) return Number.NaN;
  const rank = Math.min(sortedMs.length, Math.max(1, Math.ceil(q * sortedMs.length)));
  return sortedMs[rank - 1]!;
}

export function summarizeLatencies(latenciesMs: readonly number[], elapsedMs: number): LatencySummary {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  return {
    count: sorted.length,
    perSecond: elapsedMs > 0 ? (sorted.length * 1000) / elapsedMs : Number.NaN,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
  };
}
