// The routing policy: which providers may take a request, and in which order to try
// them. A pure function of its inputs (no clock, no randomness), so the same network
// state always gives the same order; docs/gateway.md explains the score.
import type { Address } from 'viem';

export type RouteCandidate = {
  provider: Address;
  /** The provider's on-chain price for the requested model; undefined when it offers none. */
  price: bigint | undefined;
  activeStake: bigint;
  /** The registry's isActive (registered, not jailed, enough stake). */
  active: boolean;
  /** Passed its last health check. */
  healthy: boolean;
  /** Its last health answer listed the model. */
  servesModel: boolean;
  /** Its last health answer said it proves the model (verification zk); absent: it does not. */
  provesModel?: boolean;
  /** EMA of round trips in milliseconds; undefined when never measured. */
  latencyMs: number | undefined;
  /** Requests in flight (the gateway's own count plus what the node reported). */
  inFlight: number;
  /** EMA of failures, 0 to 1. */
  errorRate: number;
};

export type RoutingWeights = {
  price: number;
  latency: number;
  load: number;
  errors: number;
  stake: number;
};

export const defaultRoutingWeights: RoutingWeights = Object.freeze({ price: 1, latency: 1, load: 1, errors: 2, stake: 0.5 });

/** In-flight count at which the load term reaches one half. */
export const LOAD_HALF = 4;

export type RankedProvider = {
  provider: Address;
  price: bigint;
  /** Lower is better. */
  score: number;
  terms: { price: number; latency: number; load: number; errors: number; stake: number };
};

export type ExclusionReason = 'inactive' | 'unhealthy' | 'model not offered' | 'model not served' | 'no zk proving key for the model' | 'price above maxFee';

export type RouteResult = {
  ranked: RankedProvider[];
  excluded: { provider: Address; reason: ExclusionReason }[];
};

/** `zk`: the request asks for verification zk, which only providers holding the model's proving key serve. */
export function rankProviders(candidates: readonly RouteCandidate[], maxFee: bigint, weights: RoutingWeights = defaultRoutingWeights, zk = false): RouteResult {
  const excluded: RouteResult['excluded'] = [];
  const eligible: (RouteCandidate & { price: bigint })[] = [];
  for (const candidate of candidates) {
    const reason = exclusion(candidate, maxFee, zk);
    if (reason) excluded.push({ provider: candidate.provider, reason });
    else eligible.push(candidate as RouteCandidate & { price: bigint });
  }
  const measured = eligible.map((c) => c.latencyMs).filter((x): x is number => x !== undefined);
  // An unmeasured provider is assumed average: neither favoured nor starved.
  const assumedLatency = measured.length > 0 ? measured.reduce((a, b) => a + b, 0) / measured.length : 0;
  const maxLatency = Math.max(0, ...measured);
  const maxStake = eligible.reduce((m, c) => (c.activeStake > m ? c.activeStake : m), 0n);
  const maxPrice = eligible.reduce((m, c) => (c.price > m ? c.price : m), 0n);

  const ranked = eligible.map((c): RankedProvider => {
    const terms = {
      // Relative to the dearest eligible provider, so that price differences count
      // whatever ceiling the client set.
      price: maxPrice === 0n ? 0 : ratio(c.price, maxPrice),
      latency: maxLatency === 0 ? 0 : (c.latencyMs ?? assumedLatency) / maxLatency,
      load: c.inFlight / (c.inFlight + LOAD_HALF),
      errors: Math.min(1, Math.max(0, c.errorRate)),
      stake: maxStake === 0n ? 0 : ratio(c.activeStake, maxStake),
    };
    const score =
      weights.price * terms.price + weights.latency * terms.latency + weights.load * terms.load + weights.errors * terms.errors - weights.stake * terms.stake;
    return { provider: c.provider, price: c.price, score, terms };
  });
  ranked.sort((a, b) => a.score - b.score || (a.provider.toLowerCase() < b.provider.toLowerCase() ? -1 : 1));
  return { ranked, excluded };
}

function exclusion(c: RouteCandidate, maxFee: bigint, zk: boolean): ExclusionReason | undefined {
  if (!c.active) return 'inactive';
  if (!c.healthy) return 'unhealthy';
  if (c.price === undefined) return 'model not offered';
  if (!c.servesModel) return 'model not served';
  if (zk && !c.provesModel) return 'no zk proving key for the model';
  if (c.price > maxFee) return 'price above maxFee';
  return undefined;
}

/** a / b for b > 0 as a number, to 1e-6: token amounts exceed float precision. */
const ratio = (a: bigint, b: bigint): number => Number((a * 1_000_000n) / b) / 1_000_000;
