// The task's privacy budget as a spending limit: a round may start only if the epsilon
// after it, by the accountant, stays within the budget. The coordinator contract is to
// hold the same check on chain (docs/privacy.md); this is the off-chain rule it mirrors.
import { DpError } from './errors.ts';
import { epsilonAfter } from './rdp.ts';

export type PrivacyBudget = {
  /** The most epsilon the task may spend, for `delta`. */
  epsilon: number;
  delta: number;
  noiseMultiplier: number;
  /** The probability that a given client is sampled in a round (sampled / total clients). */
  samplingRate: number;
};

/** What the task has spent so far: its aggregated rounds. */
export type PrivacySpent = { rounds: number };

/** The epsilon reached after one more round, or DP_BUDGET_EXCEEDED naming it. */
export function canStartRound(spent: PrivacySpent, budget: PrivacyBudget): number {
  if (!(budget.epsilon > 0) || !Number.isInteger(spent.rounds) || spent.rounds < 0) {
    throw new DpError('DP_BAD_CONFIG', 'The budget needs a positive epsilon and the rounds spent a whole number.', {
      details: [`epsilon: ${budget.epsilon}`, `rounds: ${spent.rounds}`],
    });
  }
  const next = epsilonAfter({ noiseMultiplier: budget.noiseMultiplier, samplingRate: budget.samplingRate, rounds: spent.rounds + 1, delta: budget.delta });
  if (next > budget.epsilon) {
    throw new DpError('DP_BUDGET_EXCEEDED', 'The round would take the task past its privacy budget.', {
      details: [`epsilon after round ${spent.rounds + 1}: ${next.toFixed(4)}`, `budget: ${budget.epsilon}`, `delta: ${budget.delta}`],
    });
  }
  return next;
}
