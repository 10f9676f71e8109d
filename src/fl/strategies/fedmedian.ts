// FedMedian (Yin et al., 2018): the element-wise median, example counts ignored.
import { aggregateMedian } from './aggregate.ts';
import { createStrategy, type FedAvgOptions } from './create-strategy.ts';
import type { Strategy } from './strategy.ts';

export type FedMedianOptions = FedAvgOptions;

export function fedMedian(options: FedMedianOptions): Strategy {
  return createStrategy('FedMedian', options, (results) => ({ parameters: aggregateMedian(results.map((r) => r.parameters)) }));
}
