// The weight commitment: one Merkle tree (merkle/tree.ts shape) whose leaves are the
// rows of every weighted layer (dense: one output neuron; conv: one output channel's
// kernel), in layer order then row order. Leaf node:
//   keccak256(abi.encodePacked(uint32 layer, uint32 row, uint8 shift, int64 bias, bytes weights))
// where `layer` is the tensor number of the layer's output (1-based, as in the trace),
// `bias` is at the accumulator scale, and `weights` is the row as int16 big-endian,
// two bytes each. The preimage has odd length 17 + 2K, so it can never pass for an
// inner node (64 bytes); the leaf names its own layer and row.
// After the rows come one parameter leaf per layer, in layer order: keccak256 of 26
// big-endian 32-byte words (layerParamWords), i.e. abi.encode of 26 uint256, so a
// verifier that re-executes one element can trust the layer's geometry too. That
// preimage is 832 bytes: neither odd (a row) nor 64 bytes (an inner node).
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
  /** Total number of leaves (rows of all weighted layers, then one per layer). */
  leafCount: number;
  path: Hex[];
};

/** A layer's geometry, bound by its parameter leaf (docs/engine-spec.md, "Layer parameters"). */
export type LayerParamsProof = {
  /** Tensor number of the layer's output (layers[layer - 1]). */
  layer: number;
  /** The 26 words of the leaf, in specification order. */
  words: number[];
  leafIndex: number;
  leafCount: number;
  path: Hex[];
};

/** Operator codes of the parameter leaf. */
export const layerOpCodes = { dense: 1, conv: 2, relu: 3, maxpool: 4, avgpool: 5, add: 6 } as const;
/** Number of 32-byte words in a parameter leaf. */
export const LAYER_PARAM_WORDS = 26;

type Weighted = DenseLayer | ConvLayer;

const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/**
 * The words of a layer's parameter leaf: layer, layerCount, op, inputA, inputB,
 * inC, inH, inW, outC, outH, outW, kh, kw, sh, sw, pt, pl, pb, pr, dh, dw, group,
 * shift, alignA, alignB, reciprocal. Element-wise and dense layers use flat shapes
 * (n, 1, 1); fields an operator does not use are 0.
 */
export function layerParamWords(artifact: Pick<Artifact, 'layers'>, layer: number): number[] {
  const l = artifact.layers[layer - 1];
  if (!Number.isInteger(layer) || l === undefined) throw new ProofIndexError('layer', layer, artifact.layers.length + 1);
  const w = new Array<number>(LAYER_PARAM_WORDS).fill(0);
  w[0] = layer;
  w[1] = artifact.layers.length;
  w[2] = layerOpCodes[l.op];
  const flatOut = (): void => {
    w[8] = size(l.shape);
    w[9] = 1;
    w[10] = 1;
  };
  const spatial = (inShape: readonly number[], kernel: readonly number[], strides: readonly number[], pads: readonly number[]): void => {
    [w[5], w[6], w[7]] = inShape as [number, number, number];
    [w[8], w[9], w[10]] = l.shape as [number, number, number];
    [w[11], w[12]] = kernel as [number, number];
    [w[13], w[14]] = strides as [number, number];
    [w[15], w[16], w[17], w[18]] = pads as [number, number, number, number];
  };
  switch (l.op) {
    case 'dense':
      w[3] = l.input;
      [w[5], w[6], w[7]] = [l.inFeatures, 1, 1];
      flatOut();
      w[22] = l.shift;
      break;
    case 'conv':
      w[3] = l.input;
      spatial(l.inShape, l.kernel, l.strides, l.pads);
      [w[19], w[20]] = l.dilations;
      w[21] = l.group;
      w[22] = l.shift;
      break;
    case 'relu':
      w[3] = l.input;
      flatOut();
      [w[5], w[6], w[7]] = [w[8]!, 1, 1];
      break;
    case 'maxpool':
    case 'avgpool':
      w[3] = l.input;
      spatial(l.inShape, l.kernel, l.strides, l.pads);
      if (l.op === 'avgpool') w[25] = l.reciprocal;
      break;
    case 'add':
      [w[3], w[4]] = l.inputs;
      flatOut();
      [w[5], w[6], w[7]] = [w[8]!, 1, 1];
      w[22] = l.shift;
      w[23] = l.alignA;
      w[24] = l.alignB;
      break;
  }
  return w;
}

/** The leaf preimage of a parameter leaf: the words as 32-byte big-endian integers. */
export function layerParamPreimage(words: readonly number[]): Uint8Array {
  const out = new Uint8Array(32 * words.length);
  const view = new DataView(out.buffer);
  words.forEach((v, i) => {
    // Every field is a non-negative integer below 2^53: two 32-bit halves suffice.
    view.setUint32(32 * i + 24, Math.floor(v / 2 ** 32));
    view.setUint32(32 * i + 28, v % 2 ** 32);
  });
  return out;
}

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

function commitmentLeaves(artifact: Artifact): { leaves: Uint8Array; index: Map<string, number> } {
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
  for (let t = 1; t <= artifact.layers.length; t++) {
    index.set(`${t}:params`, hashes.length);
    hashes.push(keccak_256(layerParamPreimage(layerParamWords(artifact, t))));
  }
  const leaves = new Uint8Array(hashes.length * 32);
  hashes.forEach((h, i) => {
    leaves.set(h, i * 32);
  });
  return { leaves, index };
}

/** The commitment root of an artifact's layers: rows, then layer parameters (its weightCommitment field). */
export function weightCommitment(artifact: Pick<Artifact, 'layers'>): Hex {
  const levels = merkleLevels(commitmentLeaves(artifact as Artifact).leaves);
  return toHex(levels[levels.length - 1]!.slice(0, 32));
}

export function proveWeightRow(artifact: Artifact, layer: number, row: number): WeightRowProof {
  const l = artifact.layers[layer - 1];
  if (!Number.isInteger(layer) || l === undefined || (l.op !== 'dense' && l.op !== 'conv')) {
    throw new ProofIndexError('weighted layer', layer, artifact.layers.length + 1);
  }
  if (!Number.isInteger(row) || row < 0 || row >= l.bias.length) throw new ProofIndexError('row', row, l.bias.length);
  const { leaves, index } = commitmentLeaves(artifact);
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

/** A proof that layer `layer`'s parameter leaf is under the commitment. */
export function proveLayerParams(artifact: Artifact, layer: number): LayerParamsProof {
  const words = layerParamWords(artifact, layer);
  const { leaves, index } = commitmentLeaves(artifact);
  const leafIndex = index.get(`${layer}:params`)!;
  return { layer, words, leafIndex, leafCount: leaves.length / 32, path: merkleProof(merkleLevels(leaves), leafIndex).map(toHex) };
}

/** True when the parameter words are committed under `commitment` and name their own layer. */
export function verifyLayerParams(proof: LayerParamsProof, commitment: Hex): boolean {
  const p = proof;
  const root = fromHex(commitment, 32);
  if (!root || !Array.isArray(p.path) || !Array.isArray(p.words) || p.words.length !== LAYER_PARAM_WORDS) return false;
  if (!p.words.every((w) => Number.isSafeInteger(w) && w >= 0) || p.words[0] !== p.layer) return false;
  if (!Number.isInteger(p.leafIndex) || !Number.isInteger(p.leafCount) || p.leafIndex < 0 || p.leafIndex >= p.leafCount) return false;
  let depth = 0;
  while (2 ** depth < p.leafCount) depth++;
  if (p.path.length !== depth) return false;
  const path: Uint8Array[] = [];
  for (const h of p.path) {
    const b = fromHex(h, 32);
    if (!b) return false;
    path.push(b);
  }
  return bytesEqual(merkleRootFromProof(keccak_256(layerParamPreimage(p.words)), p.leafIndex, path), root);
}

/** One layer of a commitment shape (IModelRegistry.LayerShape). */
export type LayerShape = { outSize: number; inputA: number; inputB: number; fanIn: number; rowLength: number; rowStart: number };
/** The shape of the commitment tree and the trace, published with the commitment (IModelRegistry.Shape). */
export type CommitmentShape = { inputSize: number; rowCount: number; layers: LayerShape[] };

/**
 * The shape the model registry records next to the weight commitment: the input size,
 * the number of row leaves, and per layer its output size, inputs, fan-in (input
 * elements one output element reads), row length and first row leaf. It fixes every
 * leaf's position, so a dispute can only prove the leaf this artifact put there.
 */
export function commitmentShape(artifact: Pick<Artifact, 'layers' | 'input'>): CommitmentShape {
  let rowCount = 0;
  const layers = artifact.layers.map((l, i): LayerShape => {
    const w = layerParamWords(artifact, i + 1);
    const [inC, kh, kw, group] = [w[5]!, w[11]!, w[12]!, w[21]!];
    const fanIn = l.op === 'dense' ? inC : l.op === 'conv' ? (inC / group) * kh * kw : l.op === 'maxpool' || l.op === 'avgpool' ? kh * kw : 1;
    const rows = l.op === 'dense' || l.op === 'conv' ? l.bias.length : 0;
    const shape: LayerShape = { outSize: w[8]! * w[9]! * w[10]!, inputA: w[3]!, inputB: w[4]!, fanIn, rowLength: rows > 0 ? fanIn : 0, rowStart: rowCount };
    rowCount += rows;
    return shape;
  });
  return { inputSize: size(artifact.input.shape), rowCount, layers };
}
