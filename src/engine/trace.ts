// The execution trace of one sample: the integers of every tensor (tensor 0 is the
// quantized input, tensor i the output of layer i), one Merkle root per tensor and the
// trace root over those roots. A tensor's leaf nodes are chunks: 16 consecutive elements
// as int16 big-endian two's complement, 32 bytes, the last chunk zero-padded. Every
// 16-bit slot is an int16, so any leaf is a valid chunk and a tensor of n elements costs
// about n/16 hashes. See docs/engine-spec.md, "Execution trace".
import type { Hex } from './artifact.ts';
import { ProofIndexError, TraceValueError } from './errors.ts';
import { ACT_MAX, ACT_MIN } from './fixed.ts';
import { fromHex, toHex } from './merkle/hex.ts';
import { bytesEqual, merkleLevels, merkleProof, merkleRoot, merkleRootFromProof, treeDepth } from './merkle/tree.ts';

/** Elements per chunk (leaf node) of a tensor tree. */
export const CHUNK_ELEMENTS = 16;

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
  /** The leaf holding the element: chunk floor(index / 16), slot index mod 16. */
  chunk: Hex;
  /** Siblings from the chunk up to the layer root. */
  chunkPath: Hex[];
  layerRoot: Hex;
  /** Number of tensors in the trace (layers + 1). */
  layerCount: number;
  /** Siblings from the layer root up to the trace root. */
  layerPath: Hex[];
};

/** Chunks (leaf nodes) of a tensor of n elements. */
export const chunkCount = (n: number): number => Math.ceil(n / CHUNK_ELEMENTS);

/** Leaf nodes of a tensor: its elements as int16 big-endian, packed, the last chunk zero-padded. */
export function chunkLeaves(values: ArrayLike<number>): Uint8Array {
  const n = values.length;
  const out = new Uint8Array(chunkCount(n) * 32);
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (!(v >= ACT_MIN && v <= ACT_MAX) || (v | 0) !== v) throw new TraceValueError(i, v);
    out[2 * i] = (v >> 8) & 0xff;
    out[2 * i + 1] = v & 0xff;
  }
  return out;
}

/** The value in slot `slot` (0..15) of a 32-byte chunk. */
export function chunkValue(chunk: Uint8Array, slot: number): number {
  const u = (chunk[2 * slot]! << 8) | chunk[2 * slot + 1]!;
  return u >= 0x8000 ? u - 0x10000 : u;
}

/** True when every slot of chunk `chunkIndex` past the end of a tensor of `size` elements is zero. */
export function paddingIsZero(chunk: Uint8Array, chunkIndex: number, size: number): boolean {
  for (let b = Math.max(0, 2 * (size - chunkIndex * CHUNK_ELEMENTS)); b < 32; b++) if (chunk[b] !== 0) return false;
  return true;
}

function rootsLeaves(roots: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(roots.length * 32);
  roots.forEach((r, i) => {
    out.set(r, i * 32);
  });
  return out;
}

/** The Merkle root of one tensor's elements, as its trace layer root would be. */
export function tensorRoot(values: ArrayLike<number>): Hex {
  return toHex(merkleRoot(chunkLeaves(values)));
}

/**
 * The trace of a sample's tensors. `inputRoot`, when given, is tensor 0's root already
 * computed from the same values (it is not hashed again).
 */
export function buildTrace(tensors: Int32Array[], inputRoot?: Hex): Trace {
  const known = inputRoot === undefined ? undefined : fromHex(inputRoot, 32);
  const roots = tensors.map((t, i) => (i === 0 && known ? known : merkleRoot(chunkLeaves(t))));
  return { tensors, layerRoots: roots.map(toHex), root: toHex(merkleRoot(rootsLeaves(roots))) };
}

/** A proof that element `index` of tensor `layer` has its value under the trace root. */
export function proveTraceElement(trace: Trace, layer: number, index: number): TraceElementProof {
  const tensor = trace.tensors[layer];
  if (!Number.isInteger(layer) || tensor === undefined) throw new ProofIndexError('layer', layer, trace.tensors.length);
  if (!Number.isInteger(index) || index < 0 || index >= tensor.length) throw new ProofIndexError('index', index, tensor.length);
  const chunkLevels = merkleLevels(chunkLeaves(tensor));
  const rootLevels = merkleLevels(rootsLeaves(trace.layerRoots.map((h) => fromHex(h, 32)!)));
  const c = Math.floor(index / CHUNK_ELEMENTS);
  return {
    layer,
    index,
    value: tensor[index]!,
    layerSize: tensor.length,
    chunk: toHex(chunkLevels[0]!.subarray(c * 32, c * 32 + 32)),
    chunkPath: merkleProof(chunkLevels, c).map(toHex),
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
  const chunk = fromHex(p.chunk, 32);
  if (!root || !layerRoot || !chunk) return false;
  if (!Number.isInteger(p.layerSize) || p.layerSize < 1 || !isIndex(p.index, p.layerSize)) return false;
  if (!Number.isInteger(p.layerCount) || p.layerCount < 1 || !isIndex(p.layer, p.layerCount)) return false;
  const c = Math.floor(p.index / CHUNK_ELEMENTS);
  // The chunk must hold the value at the element's slot and zeros past the tensor's end.
  if (chunkValue(chunk, p.index % CHUNK_ELEMENTS) !== p.value || !paddingIsZero(chunk, c, p.layerSize)) return false;
  const chunkPath = decodePath(p.chunkPath, treeDepth(chunkCount(p.layerSize)));
  const layerPath = decodePath(p.layerPath, treeDepth(p.layerCount));
  if (!chunkPath || !layerPath) return false;
  if (!bytesEqual(merkleRootFromProof(chunk, c, chunkPath), layerRoot)) return false;
  return bytesEqual(merkleRootFromProof(layerRoot, p.layer, layerPath), root);
}
