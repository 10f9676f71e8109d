// The RDP (moments) accountant for the sampled Gaussian mechanism: each round samples
// each client with probability q and adds Gaussian noise of standard deviation
// sigma * (clipping norm) to the sum. For an integer order alpha its Renyi divergence is
// log(A_alpha) / (alpha - 1) with
//   A_alpha = sum_{k=0..alpha} C(alpha, k) (1 - q)^(alpha - k) q^k exp((k^2 - k) / (2 sigma^2))
// (Mironov, Talwar and Zhang 2019, "Renyi Differential Privacy of the Sampled Gaussian
// Mechanism", section 3.3), RDP adds up over rounds, and
//   epsilon = min_alpha (rdp(alpha) + log(1 / delta) / (alpha - 1))
// converts it to (epsilon, delta) (Mironov 2017, proposition 3). Only integer orders
// are used: the bound is exact for them and the minimum over 2..256 loses little.
import { DpError } from './errors.ts';

export const DEFAULT_ORDERS: readonly number[] = [...Array.from({ length: 63 }, (_, i) => i + 2), 80, 96, 128, 160, 192, 256];

function logAdd(a: number, b: number): number {
  if (a === Number.NEGATIVE_INFINITY) return b;
  if (b === Number.NEGATIVE_INFINITY) return a;
  const hi = Math.max(a, b);
  return hi + Math.log1p(Math.exp(Math.min(a, b) - hi));
}

function check(q: number, sigma: number, steps: number): void {
  if (!(q >= 0 && q <= 1) || !(sigma > 0 && Number.isFinite(sigma)) || !Number.isInteger(steps) || steps < 0) {
    throw new DpError('DP_BAD_CONFIG', 'The accountant needs q in [0, 1], a positive noise multiplier and a whole number of steps.', {
      details: [`q: ${q}`, `noise multiplier: ${sigma}`, `steps: ${steps}`],
    });
  }
}

/** RDP of one step at integer order alpha (alpha >= 2). */
function rdpOneStep(q: number, sigma: number, alpha: number): number {
  if (q === 0) return 0;
  if (q === 1) return alpha / (2 * sigma * sigma);
  let logA = Number.NEGATIVE_INFINITY;
  let logBinomial = 0; // log C(alpha, 0)
  for (let k = 0; k <= alpha; k++) {
    if (k > 0) logBinomial += Math.log(alpha - k + 1) - Math.log(k);
    const term = logBinomial + (alpha - k) * Math.log1p(-q) + k * Math.log(q) + (k * k - k) / (2 * sigma * sigma);
    logA = logAdd(logA, term);
  }
  return logA / (alpha - 1);
}

/** RDP after `steps` rounds at each order. */
export function computeRdp(q: number, noiseMultiplier: number, steps: number, orders: readonly number[] = DEFAULT_ORDERS): number[] {
  check(q, noiseMultiplier, steps);
  return orders.map((alpha) => {
    if (!Number.isInteger(alpha) || alpha < 2) throw new DpError('DP_BAD_CONFIG', 'RDP orders must be integers of at least 2.', { details: [`got: ${alpha}`] });
    return rdpOneStep(q, noiseMultiplier, alpha) * steps;
  });
}

/** The smallest epsilon any order gives for the target delta, and that order. */
export function epsilonFromRdp(orders: readonly number[], rdp: readonly number[], delta: number): { epsilon: number; order: number } {
  if (!(delta > 0 && delta < 1)) throw new DpError('DP_BAD_CONFIG', 'delta must lie in (0, 1).', { details: [`got: ${delta}`] });
  let best = { epsilon: Number.POSITIVE_INFINITY, order: orders[0]! };
  for (let i = 0; i < orders.length; i++) {
    const epsilon = rdp[i]! - Math.log(delta) / (orders[i]! - 1);
    if (epsilon < best.epsilon) best = { epsilon, order: orders[i]! };
  }
  return best;
}

export type GaussianSchedule = { noiseMultiplier: number; samplingRate: number; rounds: number; delta: number };

/** epsilon spent by `rounds` rounds of the sampled Gaussian mechanism. */
export function epsilonAfter(schedule: GaussianSchedule): number {
  if (schedule.rounds === 0) return 0;
  return epsilonFromRdp(DEFAULT_ORDERS, computeRdp(schedule.samplingRate, schedule.noiseMultiplier, schedule.rounds), schedule.delta).epsilon;
}

/** The smallest noise multiplier (to 0.1 %) whose `rounds` rounds stay within `epsilon`. */
export function noiseMultiplierFor(epsilon: number, schedule: Omit<GaussianSchedule, 'noiseMultiplier'>): number {
  if (!(epsilon > 0)) throw new DpError('DP_BAD_CONFIG', 'The target epsilon must be positive.', { details: [`got: ${epsilon}`] });
  let lo = 0.01;
  let hi = 1;
  while (epsilonAfter({ ...schedule, noiseMultiplier: hi }) > epsilon) hi *= 2;
  while (hi - lo > hi * 1e-3) {
    const mid = (lo + hi) / 2;
    if (epsilonAfter({ ...schedule, noiseMultiplier: mid }) > epsilon) lo = mid;
    else hi = mid;
  }
  return hi;
}
