// Calldata of every move of the dispute game (contracts/src/interfaces/IDisputeGame.sol),
// built from an engine run with trace. Pure functions: no chain access, so a watcher or a
// provider node can build, store and resend moves as it likes.
import { bytesToHex, hexToBytes, type Hex } from 'viem';
import type { Artifact } from '../engine/artifact.ts';
import { merkleLevels, merkleNode, merkleProof, treeDepth } from '../engine/merkle/tree.ts';
import { CHUNK_ELEMENTS, chunkCount, chunkLeaves, chunkValue, type Trace } from '../engine/trace.ts';
import { layerParamWords, proveLayerParams, proveWeightRow } from '../engine/weights.ts';
import type { Receipt } from '../protocol/messages.ts';
import { VerifyError } from './errors.ts';
import { layerParamsStruct, PAD, windowPositions, type LayerParams } from './layer-params.ts';

/** Chunks of one tensor for `step` (IDisputeGame.Operand): every chunk, or those a window reads with their paths. */
export type Operand = { chunks: readonly Hex[]; paths: readonly Hex[] };

export type StepProof = {
  params: LayerParams;
  rowShift: bigint;
  bias: bigint;
  weights: Hex;
  rowPath: readonly Hex[];
  a: Operand;
  b: Operand;
};

/** Tree levels one `revealNodes` covers (DisputeGame.LEVELS_PER_REVEAL). */
export const LEVELS_PER_REVEAL = 4;

/** `open(receipt, signature, input, bond)`: the input is the trace's tensor 0, packed int16 big-endian. */
export function openArgs(receipt: Receipt, signature: Hex, quantizedInput: ArrayLike<number>, bond: bigint) {
  return [receipt, signature, packTensor(quantizedInput), bond] as const;
}

/** The values of a packed int16 big-endian tensor (what `open` takes), the inverse of `packTensor`. */
export function unpackTensor(packed: Hex): number[] {
  const bytes = hexToBytes(packed);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Array.from({ length: bytes.length >> 1 }, (_, i) => view.getInt16(2 * i));
}

/** `revealRoots(id, roots)`: every tensor root of the provider's trace. */
export function revealRootsArgs(trace: Trace): readonly Hex[] {
  return trace.layerRoots;
}

/**
 * The tensor a challenger names: the first whose revealed root differs from its own trace.
 * When the revealed trace has another length, any layer settles it (layer 1).
 */
export function firstDisagreement(honest: Trace, revealed: readonly Hex[]): number {
  if (revealed.length !== honest.layerRoots.length) return 1;
  for (let t = 1; t < revealed.length; t++) {
    if (revealed[t]!.toLowerCase() !== honest.layerRoots[t]!.toLowerCase()) return t;
  }
  throw new VerifyError('VERIFY_NO_DISAGREEMENT', 'The revealed trace agrees with the honest one on every tensor.', {
    details: [`tensors: ${revealed.length}`],
  });
}

/** `chooseLayer(id, params, path)` for tensor `layer`: its leaf's position is fixed by the model's shape. */
export function chooseLayerArgs(artifact: Artifact, layer: number) {
  const proof = proveLayerParams(artifact, layer);
  return [layerParamsStruct(proof.words), proof.path] as const;
}

/** Where a descent stands: the node at `nodeIndex` on level `height` (levels count from the leaves). */
export type DescentPoint = { height: number; nodeIndex: number };

/**
 * `revealNodes(id, nodes)`: the bottom row, left to right, of the subtree of `values`'s
 * tree under the descent's node, LEVELS_PER_REVEAL levels down (fewer near the leaves).
 */
export function descentNodes(values: Int32Array, { height, nodeIndex }: DescentPoint): Hex[] {
  const levels = merkleLevels(chunkLeaves(values));
  const k = Math.min(LEVELS_PER_REVEAL, height);
  return Array.from({ length: 2 ** k }, (_, j) => bytesToHex(merkleNode(levels, height - k, nodeIndex * 2 ** k + j)));
}

/**
 * `pick(id, child, nodes)`: the first revealed node that differs from the same node of the
 * challenger's own (honest) tree; an honest challenger always finds one below a root that
 * differs, since the revealed nodes hash up to the node it already disagreed with.
 */
export function pickChild(honest: Int32Array, revealed: readonly Hex[], point: DescentPoint, layer: number): number {
  const own = descentNodes(honest, point);
  const child = revealed.findIndex((node, j) => node.toLowerCase() !== own[j]!.toLowerCase());
  if (child < 0)
    throw new VerifyError('VERIFY_NO_DISAGREEMENT', 'The revealed nodes equal the honest ones.', {
      details: [`tensor: ${layer}`, `height: ${point.height}`, `node: ${point.nodeIndex}`],
    });
  return child;
}

/** A weight row (or any int16 values) as int16 big-endian, two bytes per element, as `step` takes it. */
export function packTensor(values: ArrayLike<number>): Hex {
  const out = new Uint8Array(values.length * 2);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) view.setInt16(2 * i, values[i]!);
  return bytesToHex(out);
}

/**
 * The element of chunk `chunk` that `step` re-executes: the first whose value in the
 * provider's chunk (what the descent reached) differs from the honest tensor's.
 */
export function disputedElement(honest: Int32Array, providerChunk: Hex, chunk: number, layer: number): number {
  const bytes = hexToBytes(providerChunk);
  const start = chunk * CHUNK_ELEMENTS;
  for (let i = start; i < Math.min(start + CHUNK_ELEMENTS, honest.length); i++) {
    if (chunkValue(bytes, i - start) !== honest[i]) return i;
  }
  throw new VerifyError('VERIFY_NO_DISAGREEMENT', "The provider's chunk equals the honest one.", {
    details: [`tensor: ${layer}`, `chunk: ${chunk}`],
  });
}

/**
 * The chunks `positions` fall in, as `_openOperand` reads them from paths: a new chunk
 * whenever a position's chunk is not the one of the unpadded position before it.
 */
function chunksRead(positions: readonly number[]): number[] {
  const out: number[] = [];
  for (const p of positions) {
    if (p === PAD) continue;
    const c = Math.floor(p / CHUNK_ELEMENTS);
    if (out.at(-1) !== c) out.push(c);
  }
  return out;
}

/** Opens `positions` of tensor `values`: every chunk, or one path per chunk read, whichever is less calldata. */
function openOperand(values: Int32Array, positions: readonly number[]): Operand {
  const leaves = chunkLeaves(values);
  const count = chunkCount(values.length);
  const chunkAt = (c: number): Hex => bytesToHex(leaves.subarray(c * 32, c * 32 + 32));
  const read = chunksRead(positions);
  const depth = treeDepth(count);
  if (count > 1 && count <= read.length * (1 + depth)) return { chunks: Array.from({ length: count }, (_, c) => chunkAt(c)), paths: [] };
  const levels = merkleLevels(leaves);
  return {
    chunks: read.map(chunkAt),
    paths: read.flatMap((c) => merkleProof(levels, c).map((node) => bytesToHex(node))),
  };
}

export type StepInputs = {
  artifact: Artifact;
  /** A trace whose tensors before `layer` are the agreed ones (the honest trace). */
  trace: Trace;
  layer: number;
  /** The element the descent named. */
  index: number;
};

/** `step(id, proof)`: parameters, the weight row with its path, and the operands. */
export function stepArgs({ artifact, trace, layer, index }: StepInputs): StepProof {
  const words = layerParamWords(artifact, layer);
  const l = artifact.layers[layer - 1]!;
  const positions = windowPositions(words, index);
  const inputA = words[3]!;
  const proof: StepProof = {
    params: layerParamsStruct(words),
    rowShift: 0n,
    bias: 0n,
    weights: '0x',
    rowPath: [],
    a: openOperand(trace.tensors[inputA]!, positions),
    b: { chunks: [], paths: [] },
  };
  if (l.op === 'dense' || l.op === 'conv') {
    const row = l.op === 'dense' ? index : Math.floor(index / (l.shape[1]! * l.shape[2]!));
    const w = proveWeightRow(artifact, layer, row);
    Object.assign(proof, { rowShift: BigInt(w.shift), bias: BigInt(w.bias), weights: packTensor(w.weights), rowPath: w.path });
  }
  if (l.op === 'add') proof.b = openOperand(trace.tensors[l.inputs[1]]!, [index]);
  return proof;
}
