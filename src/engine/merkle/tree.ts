// The one Merkle tree shape used by the engine (weight commitment, per-layer trace
// trees, the trace root): a binary keccak256 tree over 32-byte leaf nodes in index
// order, inner node = keccak256(left ++ right). A level of odd length is completed
// with the zero subtree of that level (Z0 = 32 zero bytes, Z(k+1) = keccak256(Zk ++ Zk)),
// which is the same as padding the leaves with zero words to the next power of two.
// Depth is ceil(log2(n)); a tree of one leaf has that leaf as its root.
import { keccak_256 } from '@noble/hashes/sha3';
import { createKeccakPair, type KeccakPair } from './keccak-pair.ts';

const MAX_DEPTH = 48;

/** Zero-subtree roots Z0..Z48, computed per call site lifetime, never mutated. */
function zeroHashes(): Uint8Array[] {
  const z: Uint8Array[] = [new Uint8Array(32)];
  const buf = new Uint8Array(64);
  for (let k = 0; k < MAX_DEPTH; k++) {
    buf.set(z[k]!, 0);
    buf.set(z[k]!, 32);
    z.push(keccak_256(buf));
  }
  return z;
}
const ZERO = zeroHashes();

/** The depth of a tree over n leaves: ceil(log2(n)), 0 for n <= 1. */
export function treeDepth(n: number): number {
  let d = 0;
  while (2 ** d < n) d++;
  return d;
}

/** Hashes one level (n nodes of 32 bytes, packed) into the next (ceil(n/2) nodes). */
function nextLevel(hash: KeccakPair, level: Uint8Array, n: number, depth: number): Uint8Array {
  const m = (n + 1) >> 1;
  const out = new Uint8Array(m * 32);
  const pair = new Uint8Array(64);
  for (let i = 0; i < m; i++) {
    const l = 2 * i;
    if (l + 1 < n) {
      hash(level, l * 32, out, i * 32);
    } else {
      pair.set(level.subarray(l * 32, l * 32 + 32), 0);
      pair.set(ZERO[depth]!, 32);
      hash(pair, 0, out, i * 32);
    }
  }
  return out;
}

/** All levels from the leaves (packed 32-byte nodes) up to the root. */
export function merkleLevels(leaves: Uint8Array): Uint8Array[] {
  let n = leaves.length / 32;
  if (n === 0) return [new Uint8Array(32)];
  const levels = [leaves];
  const hash = createKeccakPair();
  let depth = 0;
  while (n > 1) {
    const next = nextLevel(hash, levels[levels.length - 1]!, n, depth);
    levels.push(next);
    n = (n + 1) >> 1;
    depth++;
  }
  return levels;
}

/** The root over packed 32-byte leaf nodes; 32 zero bytes for no leaves. */
export function merkleRoot(leaves: Uint8Array): Uint8Array {
  const levels = merkleLevels(leaves);
  return levels[levels.length - 1]!.slice(0, 32);
}

/** Node `index` of level `level` (0 = leaves): the zero subtree past the level's end. */
export function merkleNode(levels: readonly Uint8Array[], level: number, index: number): Uint8Array {
  const nodes = levels[level]!;
  return index < nodes.length / 32 ? nodes.slice(index * 32, index * 32 + 32) : ZERO[level]!.slice();
}

/** Sibling path (leaf level first) of leaf `index`. */
export function merkleProof(levels: readonly Uint8Array[], index: number): Uint8Array[] {
  const path: Uint8Array[] = [];
  let i = index;
  for (let d = 0; d < levels.length - 1; d++) {
    path.push(merkleNode(levels, d, i ^ 1));
    i >>= 1;
  }
  return path;
}

/** Recomputes the root from a leaf node, its index and its sibling path. */
export function merkleRootFromProof(leaf: Uint8Array, index: number, path: readonly Uint8Array[]): Uint8Array {
  let node = leaf;
  let i = index;
  const pair = new Uint8Array(64);
  for (const sibling of path) {
    if ((i & 1) === 0) {
      pair.set(node, 0);
      pair.set(sibling, 32);
    } else {
      pair.set(sibling, 0);
      pair.set(node, 32);
    }
    node = keccak_256(pair);
    i = Math.floor(i / 2);
  }
  return node;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
