// The exact per-element aggregation rule of each strategy (docs/fl.md, "Formats"):
// the reference that the strategies in src/fl/strategies must equal element by
// element, and the same rule FederatedTraining.sol recomputes in a challenge
// (contracts/src/libraries/FlAggregation.sol). Integer arithmetic only; every
// input is first clamped into |q| <= 2^47 - 1, as on chain.
import { FL_MAX_ABS } from './commitment.ts';
import { FlCommitmentError } from './commitment-errors.ts';

export type FlStrategy = 'FedAvg' | 'FedProx' | 'FedMedian' | 'FedTrimmedAvg' | 'Krum' | 'MultiKrum';

/** The contract's Strategy enum values. */
export const flStrategyIds: Readonly<Record<FlStrategy, number>> = Object.freeze({
  FedAvg: 0,
  FedProx: 1,
  FedMedian: 2,
  FedTrimmedAvg: 3,
  Krum: 4,
  MultiKrum: 5,
});

export type AggregateElementParams = {
  /** FedTrimmedAvg: fraction cut at each end, in basis points, 0 <= beta < 5000. */
  trimBetaBps?: number;
};

/** floor(a / b) for b > 0 (BigInt division truncates toward zero). */
function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n ? q - 1n : q;
}

/** s / n rounded half up toward +inf: floor((2s + n) / (2n)). */
export function divRoundHalfUp(s: bigint, n: bigint): bigint {
  return floorDiv(2n * s + n, 2n * n);
}

function clamp(q: bigint): bigint {
  return q > FL_MAX_ABS ? FL_MAX_ABS : q < -FL_MAX_ABS ? -FL_MAX_ABS : q;
}

function invalid(problem: string, details: string[] = []): FlCommitmentError {
  return new FlCommitmentError('FL_AGGREGATE_INPUT_INVALID', `Cannot aggregate: ${problem}.`, { details });
}

/**
 * One element of the aggregate. `values[k]` is participant k's value at that index and
 * `counts[k]` its committed example count; for Krum and MultiKrum, only the selected
 * participants. FedAvg, FedProx, Krum and MultiKrum: the example-weighted mean;
 * FedMedian: the median (even count: the middle pair's mean); FedTrimmedAvg: the plain
 * mean after dropping floor(beta * K) values at each end. All rounded half up.
 */
export function aggregateElement(strategy: FlStrategy, params: AggregateElementParams, values: readonly bigint[], counts: readonly bigint[]): bigint {
  if (values.length === 0) throw invalid('no values');
  if (counts.length !== values.length) throw invalid('one example count per value is needed', [`values: ${values.length}`, `counts: ${counts.length}`]);
  const v = values.map(clamp);
  switch (strategy) {
    case 'FedAvg':
    case 'FedProx':
    case 'Krum':
    case 'MultiKrum': {
      let s = 0n;
      let n = 0n;
      for (let k = 0; k < v.length; k++) {
        const c = counts[k]!;
        if (c <= 0n) throw invalid(`example count ${k} is not positive`, [`got: ${c}`]);
        s += c * v[k]!;
        n += c;
      }
      return divRoundHalfUp(s, n);
    }
    case 'FedMedian': {
      const sorted = [...v].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const k = sorted.length;
      return k % 2 === 1 ? sorted[(k - 1) / 2]! : divRoundHalfUp(sorted[k / 2 - 1]! + sorted[k / 2]!, 2n);
    }
    case 'FedTrimmedAvg': {
      const beta = params.trimBetaBps ?? 0;
      if (!Number.isInteger(beta) || beta < 0 || beta >= 5000) throw invalid('trimBetaBps must be an integer in [0, 5000)', [`got: ${beta}`]);
      const sorted = [...v].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const k = sorted.length;
      const t = Math.floor((beta * k) / 10_000);
      let s = 0n;
      for (let i = t; i < k - t; i++) s += sorted[i]!;
      return divRoundHalfUp(s, BigInt(k - 2 * t));
    }
    default:
      throw invalid(`unknown strategy ${String(strategy)}`);
  }
}
