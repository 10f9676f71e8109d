// FedTrimmedAvg (Yin et al., 2018): per element, drop the floor(beta K) lowest and
// highest values and average the rest, unweighted. Flower's default beta is 0.2.
import { aggregateTrimmedMean } from './aggregate.ts';
import { badConfig, createStrategy, type FedAvgOptions } from './create-strategy.ts';
import type { Strategy } from './strategy.ts';

export type FedTrimmedAvgOptions = FedAvgOptions & { beta?: number };

export function fedTrimmedAvg(options: FedTrimmedAvgOptions): Strategy {
  const beta = options.beta ?? 0.2;
  if (!(beta >= 0 && beta < 0.5)) badConfig('beta must lie in [0, 0.5).', beta);
  return createStrategy('FedTrimmedAvg', options, (results) => ({
    parameters: aggregateTrimmedMean(
      results.map((r) => r.parameters),
      beta,
    ),
  }));
}
