// The task's aggregate of a set of fixed-point updates, element by element with the
// exact rule the coordinator recomputes in a challenge (src/fl/aggregate-element.ts),
// weighted by each participant's committed example count. For Krum and MultiKrum the
// rule is the weighted mean over the selection (src/fl/distances.ts krumSelection), so
// the updates given must be the selected ones.
import { aggregateElement, flStrategyIds, type FlStrategy } from '../aggregate-element.ts';
import { FlTaskError } from './errors.ts';

export const strategyName = (id: number): FlStrategy => {
  const name = (Object.keys(flStrategyIds) as FlStrategy[]).find((k) => flStrategyIds[k] === id);
  if (!name)
    throw new FlTaskError('FL_STRATEGY_UNSUPPORTED', `The SDK runs FedAvg, FedProx, FedMedian, FedTrimmedAvg, Krum and MultiKrum tasks, not strategy ${id}.`);
  return name;
};

export const isKrum = (strategy: FlStrategy): boolean => strategy === 'Krum' || strategy === 'MultiKrum';

/** How many updates the strategy selects: Krum one, MultiKrum the task's m. */
export const krumSelectCount = (strategy: FlStrategy, krumSelect: number): number => (strategy === 'Krum' ? 1 : krumSelect);

export function aggregateUpdates(strategy: FlStrategy, trimBetaBps: number, updates: readonly (readonly bigint[])[], counts: readonly bigint[]): bigint[] {
  const n = updates[0]!.length;
  const out: bigint[] = new Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = aggregateElement(
      strategy,
      { trimBetaBps },
      updates.map((u) => u[i]!),
      counts,
    );
  }
  return out;
}
