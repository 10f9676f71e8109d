import assert from 'node:assert/strict';
import { test } from 'node:test';
import { keccak_256 } from '@noble/hashes/sha3';
import { bytesEqual, merkleLevels, merkleProof, merkleRoot, merkleRootFromProof, treeDepth } from './tree.ts';

const leaf = (i: number) => keccak_256(Uint8Array.of(i));
const pack = (nodes: Uint8Array[]) => {
  const out = new Uint8Array(nodes.length * 32);
  nodes.forEach((n, i) => {
    out.set(n, i * 32);
  });
  return out;
};
const h = (a: Uint8Array, b: Uint8Array) => keccak_256(pack([a, b]));

test('roots of small trees follow the zero-subtree padding rule', () => {
  const [a, b, c] = [leaf(1), leaf(2), leaf(3)];
  assert.ok(bytesEqual(merkleRoot(pack([a])), a));
  assert.ok(bytesEqual(merkleRoot(pack([a, b])), h(a, b)));
  const z0 = new Uint8Array(32);
  assert.ok(bytesEqual(merkleRoot(pack([a, b, c])), h(h(a, b), h(c, z0))));
  const z1 = h(z0, z0);
  const e = leaf(5);
  assert.ok(bytesEqual(merkleRoot(pack([a, b, c, leaf(4), e])), h(h(h(a, b), h(c, leaf(4))), h(h(e, z0), z1))));
  assert.ok(bytesEqual(merkleRoot(new Uint8Array(0)), z0));
});

test('every proof verifies and a tampered one does not', () => {
  for (let n = 1; n <= 9; n++) {
    const leaves = pack(Array.from({ length: n }, (_, i) => leaf(i)));
    const levels = merkleLevels(leaves);
    const root = merkleRoot(leaves);
    for (let i = 0; i < n; i++) {
      const path = merkleProof(levels, i);
      assert.equal(path.length, treeDepth(n));
      assert.ok(bytesEqual(merkleRootFromProof(leaf(i), i, path), root));
      assert.ok(!bytesEqual(merkleRootFromProof(leaf(i + 100), i, path), root));
      if (path.length > 0) {
        const bad = path.map((p) => p.slice());
        bad[0]![0] = bad[0]![0]! ^ 1;
        assert.ok(!bytesEqual(merkleRootFromProof(leaf(i), i, bad), root));
      }
    }
  }
});
