// What each participant's update added to a round, measured on the task owner's
// validation set (committed before training starts). Leave-one-out with the update
// replaced by the round's global model: the round's aggregate is compared with the
// aggregate the strategy gives when k's update is the global model itself, i.e. as
// if k had sent no change:
//
//   score_k = max(0, correct(aggregate of all) - correct(aggregate with k's update := global))
//
// in validation rows (an integer, so a reward split on chain needs no rounding rule).
// A free-rider that returns the global model scores exactly 0 by construction; a
// noise or poisoned update that makes the aggregate worse scores 0 by the clip. See
// docs/fl-training.md for why the update is replaced rather than dropped.
import type { Parameters } from './strategies/parameters.ts';
import type { FitRes } from './strategies/strategy.ts';

export type ContributionInput = {
  /** The global parameters the round started from. */
  global: Parameters;
  results: readonly FitRes[];
  /** The strategy's aggregation of a set of results (e.g. strategy.aggregateFit). */
  aggregate: (results: readonly FitRes[]) => Parameters;
  /** Correct predictions of a parameter vector on the validation rows. */
  correct: (parameters: Parameters) => number;
};

export type Contribution = {
  client: number;
  /** Validation rows gained by the round thanks to this update, clipped at 0. */
  score: number;
  correctWith: number;
  correctWithout: number;
};

export function leaveOneOutContribution(input: ContributionInput): Contribution[] {
  const correctWith = input.correct(input.aggregate(input.results));
  return [...input.results]
    .sort((a, b) => a.client - b.client)
    .map((r) => {
      const replaced = input.results.map((other) => (other.client === r.client ? { ...other, parameters: input.global } : other));
      const correctWithout = input.correct(input.aggregate(replaced));
      return { client: r.client, score: Math.max(0, correctWith - correctWithout), correctWith, correctWithout };
    });
}

/** Each participant's share of a reward, proportional to its score (all zero: nobody is paid). */
export function rewardShares(contributions: readonly Contribution[], reward: bigint): { client: number; amount: bigint }[] {
  const total = contributions.reduce((s, c) => s + BigInt(c.score), 0n);
  return contributions.map((c) => ({ client: c.client, amount: total === 0n ? 0n : (reward * BigInt(c.score)) / total }));
}
