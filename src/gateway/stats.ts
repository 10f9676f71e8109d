// What the gateway measures per provider from its own traffic: requests in flight,
// round-trip latency and error rate, the last two as exponential moving averages so
// that old behaviour fades and one slow answer does not decide everything.
import type { Address } from 'viem';

export type ProviderStats = {
  inFlight: number;
  /** EMA of successful round trips in milliseconds; undefined until the first one. */
  latencyMs: number | undefined;
  /** EMA of failures (1) and successes (0), between 0 and 1. */
  errorRate: number;
  requests: number;
  failures: number;
};

/** Weight of the newest sample in both averages. */
export const EMA_ALPHA = 0.2;

export const ema = (previous: number | undefined, sample: number, alpha = EMA_ALPHA): number =>
  previous === undefined ? sample : previous + alpha * (sample - previous);

export class StatsBook {
  private readonly stats = new Map<Address, ProviderStats>();

  get(provider: Address): ProviderStats {
    let entry = this.stats.get(provider);
    if (!entry) {
      entry = { inFlight: 0, latencyMs: undefined, errorRate: 0, requests: 0, failures: 0 };
      this.stats.set(provider, entry);
    }
    return entry;
  }

  begin(provider: Address): void {
    this.get(provider).inFlight += 1;
  }

  /**
   * Ends a call begun with `begin`. A provider fault counts in the error rate; only a
   * delivered result is a latency sample (a quick refusal says nothing of its speed).
   */
  end(provider: Address, outcome: { fault: boolean; latencyMs?: number }): void {
    const entry = this.get(provider);
    entry.inFlight = Math.max(0, entry.inFlight - 1);
    entry.requests += 1;
    entry.errorRate = ema(entry.errorRate, outcome.fault ? 1 : 0);
    if (outcome.latencyMs !== undefined) entry.latencyMs = ema(entry.latencyMs, outcome.latencyMs);
    if (outcome.fault) entry.failures += 1;
  }

  /**
   * A passing health check is one success sample of the error rate, so that failures
   * fade without traffic: the ranking is deterministic, and a provider whose error rate
   * only fell with traffic would, after one failure, never get the traffic that shows
   * it recovered. Traffic still dominates: a provider that keeps failing requests keeps
   * a high rate, since every request is a sample too.
   */
  passedHealthCheck(provider: Address): void {
    const entry = this.get(provider);
    if (entry.errorRate > 0) entry.errorRate = ema(entry.errorRate, 0);
  }
}
