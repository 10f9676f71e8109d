// The task's aggregate of a set of fixed-point updates, element by element with the
// exact rule the coordinator recomputes in a challenge (src/fl/aggregate-element.ts),
// weighted by each participant's committed example count. Krum and MultiKrum need a
// selection the contract cannot recompute and are not run by this SDK.
import { aggregateElement, flStrategyIds, type FlStrategy } from '../aggregate-element.ts';
import { FlTaskError } from './errors.ts';

export const strategyName = (id: number): FlStrategy => {
  const name = (Object.keys(flStrategyIds) as FlStrategy[]).find((k) => flStrategyIds[k] === id);
  if (!name || name === 'Krum' || name === 'MultiKrum') {
    throw new FlTaskError('FL_STRATEGY_UNSUPPORTED', `The SDK runs FedAvg, FedProx, FedMedian and FedTrimmedAvg tasks, not strategy ${name ?? id}.`);
  }
  return name;
};

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
