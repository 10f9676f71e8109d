// The coordinator's epsilon, unit for unit (contracts/src/libraries/DpAccountant.sol):
// the Renyi DP bound of the Gaussian mechanism without subsampling, rounds * alpha /
// (2 z^2) + ln(1 / delta) / (alpha - 1), at the two integer orders around the real
// optimum, in the contract's fixed point (epsilon and the noise multiplier in
// millionths, delta in 1e-18) and with its integer steps, so that the SDK, the CLI and
// the contract always agree on what a round spends and whether it may start.
import { DpError } from './errors.ts';

const WAD = 10n ** 18n;
const MIN_ORDER = 2n;
const MAX_ORDER = 256n;
const LN2_UP = 693_147_180_559_945_310n;
// log2 to 24 fractional bits; the margin (1e-7) covers what is left below them.
const LOG_MARGIN = 10n ** 11n;
const LAST_BIT = WAD >> 24n;
/** The largest value a uint32 millionths field holds. */
export const MAX_MICROS = 2n ** 32n - 1n;

const ceilDiv = (a: bigint, b: bigint) => (a === 0n ? 0n : (a - 1n) / b + 1n);

function log2Floor(x: bigint): bigint {
  let n = 0n;
  while (x > 1n) {
    x >>= 1n;
    n++;
  }
  return n;
}

function sqrtFloor(x: bigint): bigint {
  if (x < 2n) return x;
  // Newton's iteration from above converges to floor(sqrt(x)).
  let r = 1n << ((log2Floor(x) >> 1n) + 1n);
  for (;;) {
    const next = (r + x / r) >> 1n;
    if (next >= r) return r;
    r = next;
  }
}

/** ln(1 / delta) in 1e-18, never below the true value (and within 1.5e-7 of it); delta in 1e-18. */
export function logInverseAtto(deltaAtto: bigint): bigint {
  checkDeltaAtto(deltaAtto);
  const x = (WAD * WAD) / deltaAtto;
  const n = log2Floor(x / WAD);
  let log2x = n * WAD;
  let y = x >> n;
  for (let bit = WAD / 2n; bit >= LAST_BIT; bit >>= 1n) {
    y = (y * y) / WAD;
    if (y >= 2n * WAD) {
      log2x += bit;
      y >>= 1n;
    }
  }
  return ceilDiv(log2x * LN2_UP, WAD) + LOG_MARGIN;
}

const atOrder = (rounds: bigint, twoZ2: bigint, logInv: bigint, alpha: bigint) => {
  const a = alpha < MIN_ORDER ? MIN_ORDER : alpha > MAX_ORDER ? MAX_ORDER : alpha;
  return ceilDiv(rounds * a * 10n ** 30n, twoZ2) + ceilDiv(logInv, a - 1n);
};

/** epsilon in millionths (rounded up) after `rounds` rounds: FlTaskRules.epsilonAfter on chain. */
export function epsilonBoundMicros(noiseMicros: bigint, deltaAtto: bigint, rounds: number): bigint {
  if (!(noiseMicros > 0n && noiseMicros <= MAX_MICROS) || !Number.isInteger(rounds) || rounds < 0) {
    throw new DpError('DP_BAD_CONFIG', 'The bound needs a noise multiplier of 1e-6 to 4294.967295 and a whole number of rounds.', {
      details: [`noise multiplier (millionths): ${noiseMicros}`, `rounds: ${rounds}`],
    });
  }
  if (rounds === 0) return 0n;
  const logInv = logInverseAtto(deltaAtto);
  const r = BigInt(rounds);
  const twoZ2 = 2n * noiseMicros * noiseMicros;
  const k = sqrtFloor((logInv * twoZ2) / (r * 10n ** 30n));
  const a = atOrder(r, twoZ2, logInv, k + 1n);
  const b = atOrder(r, twoZ2, logInv, k + 2n);
  return ceilDiv(a < b ? a : b, 10n ** 12n);
}

function checkDeltaAtto(deltaAtto: bigint): void {
  if (!(deltaAtto > 0n && deltaAtto < WAD)) {
    throw new DpError('DP_BAD_CONFIG', 'delta must lie in (0, 1).', { details: [`delta (1e-18): ${deltaAtto}`] });
  }
}

/** Rounds the budget allows: the most rounds (up to `maxRounds`) whose epsilon stays within it. */
export function roundsWithinBudget(budgetMicros: bigint, noiseMicros: bigint, deltaAtto: bigint, maxRounds: number): number {
  let rounds = 0;
  while (rounds < maxRounds && epsilonBoundMicros(noiseMicros, deltaAtto, rounds + 1) <= budgetMicros) rounds++;
  return rounds;
}

/** The least noise multiplier (in millionths) whose `rounds` rounds stay within the budget. */
export function noiseMicrosFor(budgetMicros: bigint, deltaAtto: bigint, rounds: number): bigint {
  if (epsilonBoundMicros(MAX_MICROS, deltaAtto, rounds) > budgetMicros) {
    throw new DpError('DP_BUDGET_EXCEEDED', 'No noise multiplier the task can hold keeps these rounds within the budget.', {
      details: [`budget: ${Number(budgetMicros) / 1e6}`, `rounds: ${rounds}`],
    });
  }
  // epsilon falls as the noise grows: the least noise within the budget, by bisection.
  let lo = 0n;
  let hi = MAX_MICROS;
  while (hi - lo > 1n) {
    const mid = (lo + hi) / 2n;
    if (epsilonBoundMicros(mid, deltaAtto, rounds) <= budgetMicros) hi = mid;
    else lo = mid;
  }
  return hi;
}
