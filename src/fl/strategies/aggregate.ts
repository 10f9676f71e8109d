// The aggregation math of the strategies, as pure functions over fixed-point vectors
// (Flower's aggregate, aggregate_median, aggregate_trimmed_avg, aggregate_krum),
// computed exactly in integers so that anyone recomputing an aggregate gets the same
// bits. Every division rounds half up: round(S / N) = floor((2S + N) / (2N)), with
// floor division for negative sums.
import { StrategyError } from './errors.ts';
import type { Parameters } from './parameters.ts';

export type WeightedParameters = { parameters: Parameters; numExamples: number };

/** floor(a / b) for b > 0 (BigInt division truncates toward zero). */
export function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n ? q - 1n : q;
}

/** S / N rounded half up (toward +infinity on an exact half), for N > 0. */
export function divRoundHalfUp(sum: bigint, count: bigint): bigint {
  return floorDiv(2n * sum + count, 2n * count);
}

/** FedAvg: per element, sum_k n_k q_k / sum_k n_k, rounded half up. */
export function aggregateWeighted(results: readonly WeightedParameters[]): number[] {
  const length = results[0]?.parameters.length ?? 0;
  const weights = results.map((r) => BigInt(r.numExamples));
  const total = weights.reduce((a, b) => a + b, 0n);
  const out: number[] = new Array(length);
  for (let i = 0; i < length; i++) {
    let sum = 0n;
    for (let k = 0; k < results.length; k++) sum += weights[k]! * BigInt(results[k]!.parameters[i]!);
    out[i] = Number(divRoundHalfUp(sum, total));
  }
  return out;
}

/** FedMedian: per element, the median; for an even count the mean of the middle two, rounded half up. */
export function aggregateMedian(vectors: readonly Parameters[]): number[] {
  const length = vectors[0]?.length ?? 0;
  const k = vectors.length;
  const column = new Float64Array(k);
  const out: number[] = new Array(length);
  for (let i = 0; i < length; i++) {
    for (let j = 0; j < k; j++) column[j] = vectors[j]![i]!;
    column.sort();
    const mid = k >> 1;
    // Two values below 2^47 sum below 2^48: exact in a double, and so is the floor.
    out[i] = k % 2 === 1 ? column[mid]! : Math.floor((column[mid - 1]! + column[mid]! + 1) / 2);
  }
  return out;
}

/** How many values FedTrimmedAvg drops at each end: floor(beta * K). */
export function trimCount(beta: number, count: number): number {
  return Math.floor(beta * count);
}

/** FedTrimmedAvg: per element, drop floor(beta K) lowest and highest, plain mean of the rest, rounded half up. */
export function aggregateTrimmedMean(vectors: readonly Parameters[], beta: number): number[] {
  const length = vectors[0]?.length ?? 0;
  const k = vectors.length;
  const cut = trimCount(beta, k);
  if (k - 2 * cut <= 0) {
    throw new StrategyError('FL_BAD_STRATEGY_CONFIG', 'The trimmed mean would drop every value.', {
      details: [`beta: ${beta}`, `results: ${k}`, `dropped at each end: ${cut}`],
    });
  }
  const kept = BigInt(k - 2 * cut);
  const column = new Float64Array(k);
  const out: number[] = new Array(length);
  for (let i = 0; i < length; i++) {
    for (let j = 0; j < k; j++) column[j] = vectors[j]![i]!;
    column.sort();
    let sum = 0n;
    for (let j = cut; j < k - cut; j++) sum += BigInt(column[j]!);
    out[i] = Number(divRoundHalfUp(sum, kept));
  }
  return out;
}

/** The exact squared Euclidean distance of two vectors. */
export function squaredDistance(a: Parameters, b: Parameters): bigint {
  // Each difference is below 2^48 and exact in a double; squares and partial sums
  // stay in a double while they are below 2^53 (then exact too) and go to BigInt
  // otherwise, which is ten times faster than BigInt throughout and the same value.
  let exact = 0n;
  let partial = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    const square = d * d;
    if (square < 2 ** 53 && partial + square < 2 ** 53) {
      partial += square;
    } else {
      exact += BigInt(partial);
      partial = 0;
      const big = BigInt(d);
      exact += big * big;
    }
  }
  return exact + BigInt(partial);
}

/**
 * Krum scores (Blanchard et al., 2017, as Flower computes them): for each vector,
 * the sum of its squared distances to the max(1, K - f - 2) closest other vectors.
 */
export function krumScores(vectors: readonly Parameters[], numMalicious: number): bigint[] {
  const k = vectors.length;
  const distance: bigint[][] = vectors.map(() => new Array<bigint>(k).fill(0n));
  for (let a = 0; a < k; a++) {
    for (let b = a + 1; b < k; b++) {
      const d = squaredDistance(vectors[a]!, vectors[b]!);
      distance[a]![b] = d;
      distance[b]![a] = d;
    }
  }
  const closest = Math.max(1, k - numMalicious - 2);
  return distance.map((row, self) => {
    const others = row.filter((_, j) => j !== self).sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
    return others.slice(0, closest).reduce((s, d) => s + d, 0n);
  });
}

/** Positions of the `count` lowest scores, ties to the lower position, in that order. */
export function lowestScores(scores: readonly bigint[], count: number): number[] {
  return scores
    .map((score, index) => ({ score, index }))
    .sort((x, y) => (x.score < y.score ? -1 : x.score > y.score ? 1 : x.index - y.index))
    .slice(0, count)
    .map((s) => s.index);
}
