// The distance matrix of a Krum or Multi-Krum post (docs/fl.md, "Krum's selection"),
// as contracts/src/fl/FlSelection.sol checks it. For every pair a < b of the included
// updates (in pair order (0,1), (0,2), ..., (1,2), ... over the increasing participant
// indexes) the squared distance d(a, b) and the pair's prefix-sum tree: leaf e is the
// sum over elements 0..e of (u_a[e] - u_b[e])^2, exact integers, each value clamped into
// |q| <= 2^47 - 1 first as in every element rule. A matrix leaf is
// keccak256(abi.encode(uint32 a, uint32 b, uint256 d, bytes32 prefixRoot)); the leaves
// and each prefix tree use the engine's one tree shape (src/engine/merkle/tree.ts).
import { encodeAbiParameters, keccak256, type Hex } from 'viem';
import { fromHex, toHex } from '../engine/merkle/hex.ts';
import { merkleLevels, merkleProof } from '../engine/merkle/tree.ts';
import { FL_MAX_ABS, elementLeaf } from './commitment.ts';
import { FlCommitmentError } from './commitment-errors.ts';
import { lowestScores } from './strategies/aggregate.ts';

export type Tree = { root: Hex; levels: Uint8Array[] };

export type PairDistance = { a: number; b: number; distance: bigint; prefix: bigint[]; prefixRoot: Hex };

export type DistanceMatrix = { participants: number[]; pairs: PairDistance[]; tree: Tree };

const clamp = (q: bigint): bigint => (q > FL_MAX_ABS ? FL_MAX_ABS : q < -FL_MAX_ABS ? -FL_MAX_ABS : q);

/** prefix[e] = sum over elements 0..e of (a[e] - b[e])^2. */
export function prefixSums(a: readonly bigint[], b: readonly bigint[]): bigint[] {
  const out: bigint[] = new Array(a.length);
  let sum = 0n;
  for (let e = 0; e < a.length; e++) {
    const d = clamp(a[e]!) - clamp(b[e]!);
    sum += d * d;
    out[e] = sum;
  }
  return out;
}

/** The tree over 32-byte words (the prefix sums, or matrix leaves as hashes). */
function treeOf(leaves: Uint8Array): Tree {
  const levels = merkleLevels(leaves);
  return { root: toHex(levels[levels.length - 1]!.slice(0, 32)), levels };
}

/** The prefix tree of one pair: leaf e = bytes32(prefix[e]). */
export function prefixTree(prefix: readonly bigint[]): Tree {
  const leaves = new Uint8Array(prefix.length * 32);
  for (let e = 0; e < prefix.length; e++) leaves.set(elementLeaf(prefix[e]!), e * 32);
  return treeOf(leaves);
}

export function matrixLeaf(a: number, b: number, distance: bigint, prefixRoot: Hex): Hex {
  return keccak256(encodeAbiParameters([{ type: 'uint32' }, { type: 'uint32' }, { type: 'uint256' }, { type: 'bytes32' }], [a, b, distance, prefixRoot]));
}

/** The matrix tree over the leaves in pair order. */
export function matrixTree(participants: readonly number[], distances: readonly bigint[], prefixRoots: readonly Hex[]): Tree {
  const leaves = new Uint8Array(distances.length * 32);
  let at = 0;
  for (let p = 0; p < participants.length; p++) {
    for (let q = p + 1; q < participants.length; q++) {
      leaves.set(fromHex(matrixLeaf(participants[p]!, participants[q]!, distances[at]!, prefixRoots[at]!), 32)!, at * 32);
      at++;
    }
  }
  if (at !== distances.length || at !== prefixRoots.length) {
    throw new FlCommitmentError('FL_AGGREGATE_INPUT_INVALID', 'A distance matrix needs one distance and one prefix root per pair.', {
      details: [`participants: ${participants.length}`, `pairs: ${at}`, `distances: ${distances.length}`, `prefix roots: ${prefixRoots.length}`],
    });
  }
  return treeOf(leaves);
}

/** Position of pair (p, q), p < q, among k participants in pair order. */
export function pairPosition(k: number, p: number, q: number): number {
  return p * k - (p * (p + 1)) / 2 + (q - p - 1);
}

/** The sibling path of leaf `index` of a tree, as the contract takes it. */
export function treeProof(tree: Tree, index: number): Hex[] {
  return merkleProof(tree.levels, index).map(toHex);
}

/** Builds the matrix from pairs whose prefix sums are given (honest or not): distances as given, prefix roots from the sums. */
export function buildMatrix(participants: readonly number[], pairs: readonly Omit<PairDistance, 'prefixRoot'>[]): DistanceMatrix {
  const full = pairs.map((p) => ({ ...p, prefixRoot: prefixTree(p.prefix).root }));
  const tree = matrixTree(
    participants,
    full.map((p) => p.distance),
    full.map((p) => p.prefixRoot),
  );
  return { participants: [...participants], pairs: full, tree };
}

/** The honest matrix of the updates `vectors[i]` of `participants[i]` (increasing). */
export function distanceMatrix(participants: readonly number[], vectors: readonly (readonly bigint[])[]): DistanceMatrix {
  const pairs: Omit<PairDistance, 'prefixRoot'>[] = [];
  for (let p = 0; p < participants.length; p++) {
    for (let q = p + 1; q < participants.length; q++) {
      const prefix = prefixSums(vectors[p]!, vectors[q]!);
      pairs.push({ a: participants[p]!, b: participants[q]!, distance: prefix[prefix.length - 1]!, prefix });
    }
  }
  return buildMatrix(participants, pairs);
}

/**
 * The Krum selection of a matrix, exactly as FlSelection computes it: each update's score
 * is the sum of its max(1, K - f - 2) smallest distances to the others (Blanchard et al.,
 * as src/fl/strategies/aggregate.ts krumScores), the m lowest scores are selected with
 * ties to the lower participant index, and the selection is returned increasing.
 */
export function krumSelection(participants: readonly number[], distances: readonly bigint[], f: number, m: number): number[] {
  const k = participants.length;
  const closest = Math.max(1, k - f - 2);
  const scores = participants.map((_, i) => {
    const row: bigint[] = [];
    for (let j = 0; j < k; j++) if (j !== i) row.push(distances[pairPosition(k, Math.min(i, j), Math.max(i, j))]!);
    row.sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
    return row.slice(0, closest).reduce((s, d) => s + d, 0n);
  });
  return lowestScores(scores, m)
    .sort((x, y) => x - y)
    .map((i) => participants[i]!);
}
