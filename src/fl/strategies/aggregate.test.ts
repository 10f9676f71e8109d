import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Xoshiro128 } from '../../train/prng.ts';
import { divRoundHalfUp, floorDiv, krumScores, lowestScores, squaredDistance } from './aggregate.ts';

test('floor division and half-up rounding on negative sums', () => {
  assert.equal(floorDiv(-7n, 2n), -4n);
  assert.equal(floorDiv(-8n, 2n), -4n);
  assert.equal(floorDiv(7n, 2n), 3n);
  assert.equal(divRoundHalfUp(5n, 2n), 3n); // 2.5 -> 3
  assert.equal(divRoundHalfUp(-5n, 2n), -2n); // -2.5 -> -2
  assert.equal(divRoundHalfUp(-7n, 2n), -3n); // -3.5 -> -3
  assert.equal(divRoundHalfUp(-8n, 3n), -3n); // -2.67 -> -3
  assert.equal(divRoundHalfUp(-7n, 3n), -2n); // -2.33 -> -2
  assert.equal(divRoundHalfUp(2n ** 60n + 1n, 2n), 2n ** 59n + 1n); // past 2^53: exact
});

test('squared distances are exact past 2^53, as BigInt throughout would give them', () => {
  const rng = new Xoshiro128(9);
  const big = () => Math.floor(rng.uniform(2 ** 47 - 1));
  const a = Array.from({ length: 300 }, (_, i) => (i % 3 === 0 ? big() : rng.nextInt(1000) - 500));
  const b = Array.from({ length: 300 }, (_, i) => (i % 5 === 0 ? big() : rng.nextInt(1000) - 500));
  let naive = 0n;
  for (let i = 0; i < a.length; i++) naive += (BigInt(a[i]!) - BigInt(b[i]!)) ** 2n;
  assert.equal(squaredDistance(a, b), naive);
  assert.equal(squaredDistance([2 ** 47 - 1], [-(2 ** 47 - 1)]), (2n ** 48n - 2n) ** 2n);
});

test('Krum scores sum the K - f - 2 closest squared distances; ties keep the lower position', () => {
  // 1-D points 0, 1, 2, 3, 100 with f = 1: each score sums the 2 closest.
  const scores = krumScores([[0], [1], [2], [3], [100]], 1);
  assert.deepEqual(scores, [1n + 4n, 1n + 1n, 1n + 1n, 1n + 4n, 97n ** 2n + 98n ** 2n]);
  assert.deepEqual(lowestScores(scores, 3), [1, 2, 0]);
  // With f so large that K - f - 2 < 1, Flower still sums the single closest.
  assert.deepEqual(krumScores([[0], [1], [3]], 5), [1n, 1n, 4n]);
});
