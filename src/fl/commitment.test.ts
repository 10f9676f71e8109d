import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { keccak_256 } from '@noble/hashes/sha3';
import { toHex } from '../engine/merkle/hex.ts';
import { FL_MAX_ABS, commitWeights, elementLeaf, elementProof, fromFixedPoint, toFixedPoint, verifyElement } from './commitment.ts';
import { FlCommitmentError } from './commitment-errors.ts';

const pair = (a: Uint8Array, b: Uint8Array) => keccak_256(new Uint8Array([...a, ...b]));

describe('weight-vector commitment', () => {
  test("leaves are the 32-byte two's complement of q", () => {
    assert.equal(toHex(elementLeaf(1n)), `0x${'0'.repeat(63)}1`);
    assert.equal(toHex(elementLeaf(-1n)), `0x${'f'.repeat(64)}`);
    assert.equal(toHex(elementLeaf(-2n)), `0x${'f'.repeat(63)}e`);
  });

  test('the root is the engine tree over the leaves, odd levels completed with zero', () => {
    const q = [5n, -3n, 7n];
    const [a, b, c] = q.map(elementLeaf) as [Uint8Array, Uint8Array, Uint8Array];
    const expected = pair(pair(a, b), pair(c, new Uint8Array(32)));
    assert.equal(commitWeights(q).root, toHex(expected));
    assert.equal(commitWeights([9n]).root, toHex(elementLeaf(9n)), 'one leaf is its own root');
  });

  test('every element proves against the root, and nothing else does', () => {
    const q = [11n, -22n, 33n, -44n, 55n];
    const commitment = commitWeights(q);
    for (let i = 0; i < q.length; i++) {
      const proof = elementProof(commitment, i);
      assert.equal(proof.length, 3);
      assert.ok(verifyElement(commitment.root, q.length, i, q[i]!, proof));
      assert.ok(!verifyElement(commitment.root, q.length, i, q[i]! + 1n, proof), 'a lied value fails');
      assert.ok(!verifyElement(commitment.root, q.length, (i + 1) % q.length, q[i]!, proof), 'another index fails');
    }
    // Past the end lies the zero padding: refused by index, not proven as a zero element.
    assert.ok(!verifyElement(commitment.root, q.length, 5, 0n, elementProof(commitment, 4)));
    assert.throws(
      () => elementProof(commitment, 5),
      (e: unknown) => e instanceof FlCommitmentError && e.code === 'FL_INDEX_OUT_OF_RANGE',
    );
  });

  test('refuses values outside |q| < 2^47, non-integers, NaN and Infinity by name', () => {
    assert.doesNotThrow(() => commitWeights([FL_MAX_ABS, -FL_MAX_ABS]));
    const code = (code: string) => (e: unknown) => e instanceof FlCommitmentError && e.code === code;
    assert.throws(() => commitWeights([0n, FL_MAX_ABS + 1n]), code('FL_VALUE_OUT_OF_RANGE'));
    assert.throws(() => commitWeights([1 as unknown as bigint]), code('FL_VALUE_NOT_INTEGER'));
    assert.throws(() => commitWeights([]), code('FL_EMPTY_VECTOR'));
    assert.throws(() => toFixedPoint(Number.NaN, 3), code('FL_VALUE_NOT_FINITE'));
    assert.throws(() => toFixedPoint(Number.POSITIVE_INFINITY), code('FL_VALUE_NOT_FINITE'));
    assert.throws(() => toFixedPoint(2 ** 32), code('FL_VALUE_OUT_OF_RANGE'));
  });

  test('fixed point is round(x * 2^16), halves toward +inf', () => {
    assert.equal(toFixedPoint(1), 65536n);
    assert.equal(toFixedPoint(-0.5), -32768n);
    assert.equal(toFixedPoint(1.5 / 65536), 2n);
    assert.equal(toFixedPoint(-1.5 / 65536), -1n);
    assert.equal(fromFixedPoint(98304n), 1.5);
  });
});
