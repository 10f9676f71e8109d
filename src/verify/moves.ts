// Calldata of every move of the dispute game (contracts/src/interfaces/IDisputeGame.sol),
// built from an engine run with trace. Pure functions: no chain access, so a watcher or a
// provider node can build, store and resend moves as it likes.
import { bytesToHex, hexToBytes, type Hex } from 'viem';
import type { Artifact } from '../engine/artifact.ts';
import { merkleLevels, merkleProof, treeDepth } from '../engine/merkle/tree.ts';
import { elementLeaves, type Trace } from '../engine/trace.ts';
import { layerParamWords, proveLayerParams, proveWeightRow } from '../engine/weights.ts';
import type { Receipt } from '../protocol/messages.ts';
import { VerifyError } from './errors.ts';
import { layerParamsStruct, PAD, windowPositions, type LayerParams } from './layer-params.ts';

export type Operand = { values: readonly bigint[]; paths: readonly Hex[] };

export type StepProof = {
  params: LayerParams;
  index: bigint;
  providerValue: bigint;
  providerPath: readonly Hex[];
  rowShift: bigint;
  bias: bigint;
  weights: Hex;
  rowLeafIndex: bigint;
  rowPath: readonly Hex[];
  a: Operand;
  b: Operand;
};

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

/** `chooseLayer(id, params, leafIndex, path)` for tensor `layer`. */
export function chooseLayerArgs(artifact: Artifact, layer: number) {
  const proof = proveLayerParams(artifact, layer);
  return [layerParamsStruct(proof.words), BigInt(proof.leafIndex), proof.path] as const;
}

/** `revealTensor(id, values)`: the tensor as int16 big-endian, two bytes per element. */
export function packTensor(values: ArrayLike<number>): Hex {
  const out = new Uint8Array(values.length * 2);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) view.setInt16(2 * i, values[i]!);
  return bytesToHex(out);
}

export function unpackTensor(packed: Hex): Int32Array {
  const bytes = hexToBytes(packed);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Int32Array(bytes.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = view.getInt16(2 * i);
  return out;
}

/** The first element where the provider's revealed tensor differs from the honest one. */
export function firstDifferentElement(honest: Int32Array, revealed: Int32Array, layer: number): number {
  if (honest.length !== revealed.length) {
    throw new VerifyError('VERIFY_TENSOR_MISMATCH', 'The revealed tensor has another size than the honest one.', {
      details: [`tensor: ${layer}`, `expected: ${honest.length} elements`, `got: ${revealed.length}`],
    });
  }
  for (let i = 0; i < honest.length; i++) if (honest[i] !== revealed[i]) return i;
  throw new VerifyError('VERIFY_NO_DISAGREEMENT', 'The revealed tensor equals the honest one.', { details: [`tensor: ${layer}`] });
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
  /** The provider's values of tensor `layer`, as revealed on chain. */
  revealed: Int32Array;
  layer: number;
  index: number;
};

/** `step(id, proof)`: parameters, the provider's value, the weight row and the operands. */
export function stepArgs({ artifact, trace, revealed, layer, index }: StepInputs): StepProof {
  const words = layerParamWords(artifact, layer);
  const l = artifact.layers[layer - 1]!;
  const providerLevels = merkleLevels(elementLeaves(revealed));
  const positions = windowPositions(words, index);
  const inputA = words[3]!;
  const proof: StepProof = {
    params: layerParamsStruct(words),
    index: BigInt(index),
    providerValue: BigInt(revealed[index]!),
    providerPath: merkleProof(providerLevels, index).map((node) => bytesToHex(node)),
    rowShift: 0n,
    bias: 0n,
    weights: '0x',
    rowLeafIndex: 0n,
    rowPath: [],
    a: openOperand(trace.tensors[inputA]!, positions),
    b: { values: [], paths: [] },
  };
  if (l.op === 'dense' || l.op === 'conv') {
    const row = l.op === 'dense' ? index : Math.floor(index / (l.shape[1]! * l.shape[2]!));
    const w = proveWeightRow(artifact, layer, row);
    Object.assign(proof, { rowShift: BigInt(w.shift), bias: BigInt(w.bias), weights: packTensor(w.weights), rowLeafIndex: BigInt(w.leafIndex), rowPath: w.path });
  }
  if (l.op === 'add') proof.b = openOperand(trace.tensors[l.inputs[1]]!, [index]);
  return proof;
}
