import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fedMedian } from './fedmedian.ts';
import type { FitRes } from './strategy.ts';

const vectors = [
  [1, -3, -1],
  [5, -2, 100],
  [3, 7, 4],
  [2, -9, 6],
];
const results = (count: number): FitRes[] => vectors.slice(0, count).map((parameters, client) => ({ client, parameters, numExamples: 10 ** client }));

test('FedMedian takes the element-wise median and ignores example counts', () => {
  const strategy = fedMedian({ initialParameters: [0, 0, 0] });
  // Odd: [1,3,5] -> 3, [-3,-2,7] -> -2, [-1,4,100] -> 4.
  assert.deepEqual(strategy.aggregateFit(1, results(3), []).parameters, [3, -2, 4]);
  // Even: [1,2,3,5] -> 2.5 -> 3, [-9,-3,-2,7] -> -2.5 -> -2, [-1,4,6,100] -> 5.
  assert.deepEqual(strategy.aggregateFit(1, results(4), []).parameters, [3, -2, 5]);
  assert.deepEqual(strategy.aggregateFit(1, results(4).reverse(), []).parameters, [3, -2, 5]);
});

test('one huge outlier does not move the median', () => {
  const strategy = fedMedian({ initialParameters: [0] });
  const out = strategy.aggregateFit(
    1,
    [
      { client: 0, parameters: [10], numExamples: 1 },
      { client: 1, parameters: [11], numExamples: 1 },
      { client: 2, parameters: [2 ** 47 - 1], numExamples: 1_000_000 },
    ],
    [],
  );
  assert.deepEqual(out.parameters, [11]);
});
