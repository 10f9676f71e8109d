import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fedTrimmedAvg } from './fedtrimmedavg.ts';
import type { FitRes } from './strategy.ts';

const columns = (cols: number[][]): FitRes[] => cols[0]!.map((_, client) => ({ client, parameters: cols.map((c) => c[client]!), numExamples: client + 1 }));

test('FedTrimmedAvg drops floor(beta K) at each end and takes the plain mean, rounded half up', () => {
  // K = 5, default beta 0.2: one dropped at each end.
  const results = columns([
    [10, -100, 3, 4, 1000], // keep 3, 4, 10 -> 17/3 = 5.67 -> 6
    [-1, -2, -3, -4, -5], // keep -4, -3, -2 -> -3
    [0, 1, 0, 1, -7], // keep 0, 0, 1 -> 0.33 -> 0
  ]);
  assert.deepEqual(fedTrimmedAvg({ initialParameters: [0, 0, 0] }).aggregateFit(1, results, []).parameters, [6, -3, 0]);
});

test('negative halves round up; a beta that cuts nothing is the unweighted mean', () => {
  const four = columns([[-10, -2, -3, 50]]);
  // beta 0.25, K = 4: drop -10 and 50, mean of -3 and -2 = -2.5 -> -2.
  assert.deepEqual(fedTrimmedAvg({ initialParameters: [0], beta: 0.25 }).aggregateFit(1, four, []).parameters, [-2]);
  // beta 0.2, K = 4: floor(0.8) = 0, nothing dropped: 35 / 4 = 8.75 -> 9, example counts ignored.
  assert.deepEqual(fedTrimmedAvg({ initialParameters: [0] }).aggregateFit(1, four, []).parameters, [9]);
});

test('a beta of 0.5 or more is refused', () => {
  assert.throws(() => fedTrimmedAvg({ initialParameters: [0], beta: 0.5 }), { code: 'FL_BAD_STRATEGY_CONFIG' });
  assert.throws(() => fedTrimmedAvg({ initialParameters: [0], beta: -0.1 }), { code: 'FL_BAD_STRATEGY_CONFIG' });
});
