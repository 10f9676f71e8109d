// Calldata of every move of the dispute game (contracts/src/interfaces/IDisputeGame.sol),
// built from an engine run with trace. Pure functions: no chain access, so a watcher or a
// provider node can build, store and resend moves as it likes.
import { bytesToHex, type Hex } from 'viem';
import type { Artifact } from '../engine/artifact.ts';
import { merkleLevels, merkleNode, merkleProof, treeDepth } from '../engine/merkle/tree.ts';
import { elementLeaves, type Trace } from '../engine/trace.ts';
import { layerParamWords, proveLayerParams, proveWeightRow } from '../engine/weights.ts';
import type { Receipt } from '../protocol/messages.ts';
import { VerifyError } from './errors.ts';
import { layerParamsStruct, PAD, windowPositions, type LayerParams } from './layer-params.ts';

export type Operand = { values: readonly bigint[]; paths: readonly Hex[] };

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

const toBigInts = (values: ArrayLike<number>): bigint[] => Array.from(values, (v) => BigInt(v));

/** `open(receipt, signature, input, bond)`: the input is the trace's tensor 0. */
export function openArgs(receipt: Receipt, signature: Hex, quantizedInput: ArrayLike<number>, bond: bigint) {
  return [receipt, signature, toBigInts(quantizedInput), bond] as const;
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
  const levels = merkleLevels(elementLeaves(values));
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

/** Opens `positions` of tensor `values`: whole tensor or one path per position, whichever is smaller. */
function openOperand(values: Int32Array, positions: readonly number[]): Operand {
  const used = positions.filter((p) => p !== PAD);
  const depth = treeDepth(values.length);
  if (values.length > 1 && values.length <= used.length * (1 + depth)) return { values: toBigInts(values), paths: [] };
  const levels = merkleLevels(elementLeaves(values));
  return {
    values: used.map((p) => BigInt(values[p]!)),
    paths: used.flatMap((p) => merkleProof(levels, p).map((node) => bytesToHex(node))),
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
    b: { values: [], paths: [] },
  };
  if (l.op === 'dense' || l.op === 'conv') {
    const row = l.op === 'dense' ? index : Math.floor(index / (l.shape[1]! * l.shape[2]!));
    const w = proveWeightRow(artifact, layer, row);
    Object.assign(proof, { rowShift: BigInt(w.shift), bias: BigInt(w.bias), weights: packTensor(w.weights), rowPath: w.path });
  }
  if (l.op === 'add') proof.b = openOperand(trace.tensors[l.inputs[1]]!, [index]);
  return proof;
}
