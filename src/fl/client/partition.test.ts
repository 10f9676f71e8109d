import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadDigits } from '../../train/datasets.ts';
import { dirichletPartition, iidPartition, type Partition } from './partition.ts';

function assertCover(parts: Partition, rows: number): void {
  const all = parts.flatMap((p) => Array.from(p));
  assert.equal(all.length, rows);
  assert.equal(new Set(all).size, rows);
}

/** Mean over clients of the largest single class's share of the client's rows. */
function dominantShare(parts: Partition, y: Int32Array): number {
  const shares = parts.map((p) => {
    const counts = new Array(10).fill(0);
    for (const row of p) counts[y[row]!]++;
    return Math.max(...counts) / p.length;
  });
  return shares.reduce((a, b) => a + b, 0) / shares.length;
}

test('IID: every row once, even sizes, fixed by the seed', () => {
  const parts = iidPartition(1437, 10, 3);
  assertCover(parts, 1437);
  assert.deepEqual(
    parts.map((p) => p.length),
    [144, 144, 144, 144, 144, 144, 144, 143, 143, 143],
  );
  assert.deepEqual(iidPartition(1437, 10, 3), parts);
  assert.notDeepEqual(iidPartition(1437, 10, 4), parts);
});

test('Dirichlet by label: every row once, each client at least the minimum, skewed for a small alpha', () => {
  const digits = loadDigits();
  const skewed = dirichletPartition(digits.y, 10, 10, { alpha: 0.5, seed: 1 });
  assertCover(skewed, digits.rows);
  assert.ok(skewed.every((p) => p.length >= 10));
  assert.deepEqual(dirichletPartition(digits.y, 10, 10, { alpha: 0.5, seed: 1 }), skewed);
  const iid = iidPartition(digits.rows, 10, 1);
  // IID clients see about 1/10 of each class; alpha 0.5 gives each client a dominant one.
  assert.ok(dominantShare(iid, digits.y) < 0.2);
  assert.ok(dominantShare(skewed, digits.y) > 0.3);
  assert.ok(dominantShare(dirichletPartition(digits.y, 10, 10, { alpha: 1000, seed: 1 }), digits.y) < 0.2);
});

test('bad partition settings are refused by name', () => {
  const y = Int32Array.of(0, 1, 0, 1);
  assert.throws(() => iidPartition(4, 5, 1), { code: 'FL_BAD_PARTITION' });
  assert.throws(() => iidPartition(4, 0, 1), { code: 'FL_BAD_PARTITION' });
  assert.throws(() => dirichletPartition(y, 2, 2, { alpha: 0, seed: 1 }), { code: 'FL_BAD_PARTITION' });
  assert.throws(() => dirichletPartition(y, 2, 2, { alpha: Number.NaN, seed: 1 }), { code: 'FL_BAD_PARTITION' });
  assert.throws(() => dirichletPartition(y, 2, 2, { alpha: 1, seed: 1, minPartitionSize: 3 }), { code: 'FL_BAD_PARTITION' });
});
