// The watcher's choice of the element to demand: where the posted aggregate strays
// furthest from the aggregate of the updates at hand, so a tampered element is the one
// opened; a random element in range when there is nothing to compare.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Included } from './aggregator.ts';
import { suspectIndex } from './watcher.ts';

const update = (index: number, elements: bigint[], examples: bigint): Included => ({
  update: { index, account: '0x0000000000000000000000000000000000000001', root: '0x00', cid: 'ipfs://x', transactionHash: '0x00' },
  elements,
  examples,
});

test('the element where the posted aggregate strays furthest is demanded', () => {
  const known = [update(0, [100n, -200n, 300n, 50n], 1n), update(1, [120n, -180n, 280n, 70n], 1n)];
  // The honest aggregate of the known two is [110, -190, 290, 60]; the missing update moves
  // every element a little, the tamper moves element 2 by far more.
  const posted = [115n, -185n, 290n + 5_000n, 55n];
  assert.equal(suspectIndex('FedAvg', 0, known, posted, 4), 2);
  assert.equal(suspectIndex('FedMedian', 0, known, [110n, -190n, 290n, 60n - 900n], 4), 3);
});

test('with nothing to compare the index is random but in range', () => {
  for (let i = 0; i < 20; i++) {
    const index = suspectIndex('FedAvg', 0, [], undefined, 7);
    assert.ok(Number.isInteger(index) && index >= 0 && index < 7, `index ${index}`);
  }
});
