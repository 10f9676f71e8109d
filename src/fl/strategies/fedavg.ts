// FedAvg (McMahan et al., 2017): the example-weighted mean of the updates.
import { aggregateWeighted } from './aggregate.ts';
import { createStrategy, type FedAvgOptions } from './create-strategy.ts';
import type { Strategy } from './strategy.ts';

export type { FedAvgOptions };

export function fedAvg(options: FedAvgOptions): Strategy {
  return createStrategy('FedAvg', options, (results) => ({ parameters: aggregateWeighted(results) }));
}
