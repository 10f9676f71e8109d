import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Xoshiro128 } from './prng.ts';

test('xoshiro128** matches the reference stream from state {1, 2, 3, 4}', () => {
  // First outputs of the reference C implementation for this state.
  const rng = Xoshiro128.fromState(1, 2, 3, 4);
  assert.deepEqual([rng.nextU32(), rng.nextU32(), rng.nextU32()], [11520, 0, 5927040]);
});

test('the same seed gives the same stream, another seed another', () => {
  const a = new Xoshiro128(42);
  const b = new Xoshiro128(42);
  const c = new Xoshiro128(43);
  const streamA = Array.from({ length: 8 }, () => a.nextU32());
  assert.deepEqual(
    Array.from({ length: 8 }, () => b.nextU32()),
    streamA,
  );
  assert.notDeepEqual(
    Array.from({ length: 8 }, () => c.nextU32()),
    streamA,
  );
});

test('nextFloat stays in [0, 1) and nextInt in [0, n)', () => {
  const rng = new Xoshiro128(7);
  const seen = new Set<number>();
  for (let i = 0; i < 2000; i++) {
    const f = rng.nextFloat();
    assert.ok(f >= 0 && f < 1);
    const k = rng.nextInt(6);
    assert.ok(Number.isInteger(k) && k >= 0 && k < 6);
    seen.add(k);
  }
  assert.equal(seen.size, 6);
  assert.throws(() => rng.nextInt(0), RangeError);
});

test('shuffle is a permutation', () => {
  const items = Array.from({ length: 50 }, (_, i) => i);
  const shuffled = new Xoshiro128(1).shuffle([...items]);
  assert.notDeepEqual(shuffled, items);
  assert.deepEqual(
    [...shuffled].sort((a, b) => a - b),
    items,
  );
});
