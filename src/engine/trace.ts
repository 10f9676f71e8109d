// The execution trace of one sample: the integers of every tensor (tensor 0 is the
// quantized input, tensor i the output of layer i), one Merkle root per tensor over
// its elements, and the trace root over those roots. A leaf node is the element as a
// 32-byte two's-complement big-endian word, i.e. abi.encode(int256(value)); its
// position is the path. See docs/engine-spec.md, "Execution trace".
import type { Hex } from './artifact.ts';
import { ProofIndexError } from './errors.ts';
import { ACT_MAX, ACT_MIN } from './fixed.ts';
import { fromHex, toHex } from './merkle/hex.ts';
import { bytesEqual, merkleLevels, merkleProof, merkleRoot, merkleRootFromProof, treeDepth } from './merkle/tree.ts';

export type Trace = {
  /** Element values per tensor, in the tensor's row-major order (batch dim dropped). */
  tensors: Int32Array[];
  layerRoots: Hex[];
  root: Hex;
};

export type TraceElementProof = {
  /** Tensor number: 0 = input, i = output of layer i. */
  layer: number;
  index: number;
  value: number;
  /** Number of elements of that tensor (fixed by the model). */
  layerSize: number;
  /** Siblings from the element up to the layer root. */
  elementPath: Hex[];
  layerRoot: Hex;
  /** Number of tensors in the trace (layers + 1). */
  layerCount: number;
  /** Siblings from the layer root up to the trace root. */
  layerPath: Hex[];
};

/** Leaf nodes for a tensor: abi.encode(int256(v)) for each element, packed. */
export function elementLeaves(values: Int32Array): Uint8Array {
  const out = new Uint8Array(values.length * 32);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    const o = i * 32;
    if (v < 0) out.fill(0xff, o, o + 28);
    out[o + 28] = (v >>> 24) & 0xff;
    out[o + 29] = (v >>> 16) & 0xff;
    out[o + 30] = (v >>> 8) & 0xff;
    out[o + 31] = v & 0xff;
  }
  return out;
}

function rootsLeaves(roots: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(roots.length * 32);
  roots.forEach((r, i) => {
    out.set(r, i * 32);
  });
  return out;
}

/** The Merkle root of one tensor's elements, as its trace layer root would be. */
export function tensorRoot(values: Int32Array): Hex {
  return toHex(merkleRoot(elementLeaves(values)));
}

export function buildTrace(tensors: Int32Array[]): Trace {
  const roots = tensors.map((t) => merkleRoot(elementLeaves(t)));
  return { tensors, layerRoots: roots.map(toHex), root: toHex(merkleRoot(rootsLeaves(roots))) };
}

/** A proof that element `index` of tensor `layer` has its value under the trace root. */
export function proveTraceElement(trace: Trace, layer: number, index: number): TraceElementProof {
  const tensor = trace.tensors[layer];
  if (!Number.isInteger(layer) || tensor === undefined) throw new ProofIndexError('layer', layer, trace.tensors.length);
  if (!Number.isInteger(index) || index < 0 || index >= tensor.length) throw new ProofIndexError('index', index, tensor.length);
  const elementLevels = merkleLevels(elementLeaves(tensor));
  const rootLevels = merkleLevels(rootsLeaves(trace.layerRoots.map((h) => fromHex(h, 32)!)));
  return {
    layer,
    index,
    value: tensor[index]!,
    layerSize: tensor.length,
    elementPath: merkleProof(elementLevels, index).map(toHex),
    layerRoot: trace.layerRoots[layer]!,
    layerCount: trace.tensors.length,
    layerPath: merkleProof(rootLevels, layer).map(toHex),
  };
}

function decodePath(path: unknown, depth: number): Uint8Array[] | undefined {
  if (!Array.isArray(path) || path.length !== depth) return undefined;
  const out: Uint8Array[] = [];
  for (const h of path) {
    const b = fromHex(h as string, 32);
    if (!b) return undefined;
    out.push(b);
  }
  return out;
}

const isIndex = (i: unknown, n: number): boolean => Number.isInteger(i) && (i as number) >= 0 && (i as number) < n;

/** True when the proof is well formed and leads from the element to `traceRoot`. */
export function verifyTraceElement(proof: TraceElementProof, traceRoot: Hex): boolean {
  const p = proof;
  const root = fromHex(traceRoot, 32);
  const layerRoot = fromHex(p.layerRoot, 32);
  if (!root || !layerRoot) return false;
  if (!Number.isInteger(p.layerSize) || p.layerSize < 1 || !isIndex(p.index, p.layerSize)) return false;
  if (!Number.isInteger(p.layerCount) || p.layerCount < 1 || !isIndex(p.layer, p.layerCount)) return false;
  // Range check: a hash passed off as a value is rejected here.
  if (!Number.isInteger(p.value) || p.value < ACT_MIN || p.value > ACT_MAX) return false;
  const elementPath = decodePath(p.elementPath, treeDepth(p.layerSize));
  const layerPath = decodePath(p.layerPath, treeDepth(p.layerCount));
  if (!elementPath || !layerPath) return false;
  const leaf = elementLeaves(Int32Array.of(p.value));
  if (!bytesEqual(merkleRootFromProof(leaf, p.index, elementPath), layerRoot)) return false;
  return bytesEqual(merkleRootFromProof(layerRoot, p.layer, layerPath), root);
}
