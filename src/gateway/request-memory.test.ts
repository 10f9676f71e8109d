// The gateway's replay memory: delivered requests are refused until their deadline,
// concurrent duplicates too, and the memory stays bounded.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Hex } from 'viem';
import { RequestMemory } from './request-memory.ts';

const hash = (n: number) => `0x${n.toString(16).padStart(64, '0')}` as Hex;

test('a request being served or delivered is REPLAYED; one that failed may come again', () => {
  const memory = new RequestMemory();
  memory.claim(hash(1), 100n);
  assert.throws(() => memory.claim(hash(1), 100n), { code: 'REPLAYED' });
  memory.release(hash(1), { deadline: 200n });
  assert.throws(() => memory.claim(hash(1), 150n), { code: 'REPLAYED' });
  memory.claim(hash(2), 100n);
  memory.release(hash(2), undefined);
  memory.claim(hash(2), 100n);
});

test('entries past their deadline are forgotten, and at most `capacity` are kept', () => {
  const memory = new RequestMemory(3);
  for (let i = 1; i <= 5; i++) {
    memory.claim(hash(i), 100n);
    memory.release(hash(i), { deadline: 100n + BigInt(i) });
  }
  assert.equal(memory.size, 3);
  assert.throws(() => memory.claim(hash(5), 100n), { code: 'REPLAYED' });
  memory.claim(hash(6), 200n);
  assert.equal(memory.size, 0);
});
