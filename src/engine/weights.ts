// The weight commitment: one Merkle tree (merkle/tree.ts shape) whose leaves are the
// rows of every weighted layer (dense: one output neuron; conv: one output channel's
// kernel), in layer order then row order. Leaf node:
//   keccak256(abi.encodePacked(uint32 layer, uint32 row, uint8 shift, int64 bias, bytes weights))
// where `layer` is the tensor number of the layer's output (1-based, as in the trace),
// `bias` is at the accumulator scale, and `weights` is the row as int16 big-endian,
// two bytes each. The preimage has odd length 17 + 2K, so it can never pass for an
// inner node (64 bytes); the leaf names its own layer and row.
import { keccak_256 } from '@noble/hashes/sha3';
import type { Artifact, ConvLayer, DenseLayer, Hex } from './artifact.ts';
import { ProofIndexError } from './errors.ts';
import { fromHex, toHex } from './merkle/hex.ts';
import { bytesEqual, merkleLevels, merkleProof, merkleRootFromProof } from './merkle/tree.ts';

export type WeightRowProof = {
  /** Tensor number of the layer's output (layers[layer - 1]). */
  layer: number;
  row: number;
  shift: number;
  bias: number;
  weights: number[];
  /** Position of the leaf in the tree. */
  leafIndex: number;
  /** Total number of leaves (rows of all weighted layers). */
  leafCount: number;
  path: Hex[];
};

type Weighted = DenseLayer | ConvLayer;

function rowLength(l: Weighted): number {
  return l.weights.length / l.bias.length;
}

/** The packed leaf preimage of one row. */
export function weightRowPreimage(layer: number, row: number, shift: number, bias: number, weights: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(17 + 2 * weights.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, layer);
  view.setUint32(4, row);
  view.setUint8(8, shift);
  // int64 big-endian without BigInt: high word signed, low word unsigned.
  const hi = Math.floor(bias / 2 ** 32);
  view.setInt32(9, hi);
  view.setUint32(13, bias - hi * 2 ** 32);
  for (let k = 0; k < weights.length; k++) view.setInt16(17 + 2 * k, weights[k]!);
  return out;
}

function rowLeaves(artifact: Artifact): { leaves: Uint8Array; index: Map<string, number> } {
  const hashes: Uint8Array[] = [];
  const index = new Map<string, number>();
  artifact.layers.forEach((l, i) => {
    if (l.op !== 'dense' && l.op !== 'conv') return;
    const K = rowLength(l);
    for (let r = 0; r < l.bias.length; r++) {
      index.set(`${i + 1}:${r}`, hashes.length);
      hashes.push(keccak_256(weightRowPreimage(i + 1, r, l.shift, l.bias[r]!, l.weights.slice(r * K, (r + 1) * K))));
    }
  });
  const leaves = new Uint8Array(hashes.length * 32);
  hashes.forEach((h, i) => leaves.set(h, i * 32));
  return { leaves, index };
}

/** The commitment root of an artifact's layers (its weightCommitment field). */
export function weightCommitment(artifact: Pick<Artifact, 'layers'>): Hex {
  const levels = merkleLevels(rowLeaves(artifact as Artifact).leaves);
  return toHex(levels[levels.length - 1]!.slice(0, 32));
}

export function proveWeightRow(artifact: Artifact, layer: number, row: number): WeightRowProof {
  const l = artifact.layers[layer - 1];
  if (!Number.isInteger(layer) || l === undefined || (l.op !== 'dense' && l.op !== 'conv')) {
    throw new ProofIndexError('weighted layer', layer, artifact.layers.length + 1);
  }
  if (!Number.isInteger(row) || row < 0 || row >= l.bias.length) throw new ProofIndexError('row', row, l.bias.length);
  const { leaves, index } = rowLeaves(artifact);
  const leafIndex = index.get(`${layer}:${row}`)!;
  const K = rowLength(l);
  return {
    layer,
    row,
    shift: l.shift,
    bias: l.bias[row]!,
    weights: l.weights.slice(row * K, (row + 1) * K),
    leafIndex,
    leafCount: leaves.length / 32,
    path: merkleProof(merkleLevels(leaves), leafIndex).map(toHex),
  };
}

/** True when the row, bias and shift are committed under `commitment`. */
export function verifyWeightRow(proof: WeightRowProof, commitment: Hex): boolean {
  const p = proof;
  const root = fromHex(commitment, 32);
  if (!root || !Array.isArray(p.path) || !Array.isArray(p.weights)) return false;
  if (!Number.isInteger(p.leafIndex) || !Number.isInteger(p.leafCount) || p.leafIndex < 0 || p.leafIndex >= p.leafCount) return false;
  if (!Number.isInteger(p.bias) || Math.abs(p.bias) > 2 ** 47) return false;
  if (!Number.isInteger(p.shift) || p.shift < 0 || p.shift > 255) return false;
  if (!p.weights.every((w) => Number.isInteger(w) && Math.abs(w) <= 32767)) return false;
  let depth = 0;
  while (2 ** depth < p.leafCount) depth++;
  if (p.path.length !== depth) return false;
  const path: Uint8Array[] = [];
  for (const h of p.path) {
    const b = fromHex(h, 32);
    if (!b) return false;
    path.push(b);
  }
  const leaf = keccak_256(weightRowPreimage(p.layer, p.row, p.shift, p.bias, p.weights));
  return bytesEqual(merkleRootFromProof(leaf, p.leafIndex, path), root);
}
