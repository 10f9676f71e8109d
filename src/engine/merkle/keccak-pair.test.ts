import assert from 'node:assert/strict';
import { test } from 'node:test';
import { keccak_256 } from '@noble/hashes/sha3';
import { createKeccakPair } from './keccak-pair.ts';

test('keccak of 64 bytes matches @noble/hashes', () => {
  const hash = createKeccakPair();
  const data = new Uint8Array(64 * 40);
  for (let i = 0; i < data.length; i++) data[i] = (i * 131 + 7) & 0xff;
  data.fill(0, 0, 64);
  data.fill(0xff, 64, 128);
  const out = new Uint8Array(32);
  for (let k = 0; k < 40; k++) {
    hash(data, 64 * k, out, 0);
    assert.deepEqual(out, keccak_256(data.subarray(64 * k, 64 * k + 64)), `block ${k}`);
  }
});
