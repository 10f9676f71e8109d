// The commitment to a weight vector (docs/fl.md, "Formats"): fixed-point integers
// q (value = q / 2^16, |q| < 2^47) in the model's flattening order, committed as the
// engine's one Merkle tree (src/engine/merkle/tree.ts) over leaves that are each q's
// 32-byte two's complement, exactly what TraceMerkle.elementLeaf gives on chain. The
// root together with the element count is what a participant or aggregator commits.
import { bytesEqual, merkleLevels, merkleProof, merkleRootFromProof } from '../engine/merkle/tree.ts';
import { fromHex, toHex } from '../engine/merkle/hex.ts';
import { FlCommitmentError } from './commitment-errors.ts';

type Hex = `0x${string}`;

/** Fractional bits of the fixed-point format. */
export const FL_FRACTION_BITS = 16;
/** Largest allowed |q|: 2^47 - 1. */
export const FL_MAX_ABS = 2n ** 47n - 1n;

const WORD = 2n ** 256n;

export type WeightCommitment = {
  root: Hex;
  elementCount: number;
  /** The tree's levels (leaves first), kept to cut proofs without rehashing. */
  levels: Uint8Array[];
};

/** Refuses a vector with no elements, or an element that is not an integer within |q| < 2^47. */
export function checkWeightVector(q: readonly bigint[]): void {
  if (q.length === 0) throw new FlCommitmentError('FL_EMPTY_VECTOR', 'A weight vector needs at least one element.');
  for (let i = 0; i < q.length; i++) checkElement(q[i], i);
}

function checkElement(value: unknown, index: number): asserts value is bigint {
  if (typeof value !== 'bigint') {
    throw new FlCommitmentError('FL_VALUE_NOT_INTEGER', `Element ${index} is not a fixed-point integer.`, { details: [`got: ${String(value)}`] });
  }
  if (value > FL_MAX_ABS || value < -FL_MAX_ABS) {
    throw new FlCommitmentError('FL_VALUE_OUT_OF_RANGE', `Element ${index} is outside |q| < 2^47.`, { details: [`got: ${value}`, `bound: ${FL_MAX_ABS}`] });
  }
}

/** The leaf node of one element: bytes32(uint256(int256 q)). */
export function elementLeaf(q: bigint): Uint8Array {
  const word = ((q % WORD) + WORD) % WORD;
  return fromHex(`0x${word.toString(16).padStart(64, '0')}`, 32)!;
}

/** Commits to a checked weight vector. */
export function commitWeights(q: readonly bigint[]): WeightCommitment {
  checkWeightVector(q);
  const leaves = new Uint8Array(q.length * 32);
  for (let i = 0; i < q.length; i++) leaves.set(elementLeaf(q[i]!), i * 32);
  const levels = merkleLevels(leaves);
  return { root: toHex(levels[levels.length - 1]!.slice(0, 32)), elementCount: q.length, levels };
}

/** The sibling path (leaf level first) of element `index`, as the contract takes it. */
export function elementProof(commitment: WeightCommitment, index: number): Hex[] {
  if (!Number.isSafeInteger(index) || index < 0 || index >= commitment.elementCount) {
    throw new FlCommitmentError('FL_INDEX_OUT_OF_RANGE', `Element index ${index} is outside the vector.`, {
      details: [`element count: ${commitment.elementCount}`],
    });
  }
  return merkleProof(commitment.levels, index).map(toHex);
}

/** Whether `proof` shows element `index` of the vector committed as `root` is `value`. */
export function verifyElement(root: Hex, elementCount: number, index: number, value: bigint, proof: readonly Hex[]): boolean {
  if (index < 0 || index >= elementCount) return false;
  let depth = 0;
  while (2 ** depth < elementCount) depth++;
  if (proof.length !== depth) return false;
  const path = proof.map((p) => fromHex(p, 32));
  if (path.some((p) => p === undefined)) return false;
  const expected = fromHex(root, 32);
  return expected !== undefined && bytesEqual(merkleRootFromProof(elementLeaf(value), index, path as Uint8Array[]), expected);
}

/**
 * The fixed-point integer of a float weight: round(x * 2^16), halves toward +inf
 * (Math.round). NaN, Infinity and values outside the range are refused by name.
 */
export function toFixedPoint(x: number, index = 0): bigint {
  if (!Number.isFinite(x)) {
    throw new FlCommitmentError('FL_VALUE_NOT_FINITE', `Element ${index} is not a finite number.`, { details: [`got: ${x}`] });
  }
  const q = BigInt(Math.round(x * 2 ** FL_FRACTION_BITS));
  checkElement(q, index);
  return q;
}

/** The float value of a fixed-point integer. */
export function fromFixedPoint(q: bigint): number {
  return Number(q) / 2 ** FL_FRACTION_BITS;
}
