// The SNARK-friendly hashes a circuit exposes, computed the same way in TypeScript and in
// the generated circom (circomlib's Poseidon over the BN254 scalar field).
//
// Packing: int16 values are offset by 2^15 and packed 15 to a field element, 16 bits each
// (240 bits < 254, so a packed element has one decomposition). The circuit unpacks them
// with a bit decomposition, which is also the range check that makes the packing binding.
//
// Chain hash of n field elements: h = n; then for each chunk of at most 15 elements,
// h = Poseidon([h, ...chunk]). The length is absorbed first, so no two lengths collide.
//
// Weight commitment: the chain hash of, for every dense layer in order, its packed weights
// (row-major, as in the artifact) followed by its biases (as field elements).
// I/O hash: Poseidon([inputHash, outputHash]) with each the chain hash of the packed
// quantized tensor, so a party that holds only the input's hash can still check a result.
import { createRequire } from 'node:module';
import type { Artifact } from '../engine/index.ts';
import { repoPath } from '../repo-root.ts';
import { ZkInputError } from './errors.ts';

/** The BN254 scalar field order: circuit signals and public inputs live modulo this. */
export const FIELD = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;
export const PACK = 15;
const OFFSET = 32768;

type PoseidonN = (inputs: bigint[]) => bigint;
// poseidon-lite's index loads the round constants of all 16 widths (about 400 kB of
// source), a large part of a CLI command's start; each width loads here on first use.
const requirePackage = createRequire(repoPath('package.json'));
const POSEIDON: PoseidonN[] = [];

export function poseidon(inputs: bigint[]): bigint {
  const n = inputs.length;
  if (!Number.isInteger(n) || n < 1 || n > 16) throw new RangeError(`poseidon takes 1..16 inputs, got ${n}`);
  POSEIDON[n] ??= (requirePackage(`poseidon-lite/poseidon${n}`) as Record<string, PoseidonN>)[`poseidon${n}`]!;
  return POSEIDON[n](inputs);
}

/** An integer as a field element (negative numbers wrap to FIELD - |x|). */
export function toField(x: number | bigint): bigint {
  const v = BigInt(x) % FIELD;
  return v < 0n ? v + FIELD : v;
}

/** Packs int16 values 15 to an element; refuses a value outside int16. */
export function packInt16(values: ArrayLike<number>): bigint[] {
  const out: bigint[] = [];
  for (let start = 0; start < values.length; start += PACK) {
    let acc = 0n;
    for (let i = Math.min(values.length, start + PACK) - 1; i >= start; i--) {
      const v = values[i]!;
      if (!Number.isInteger(v) || v < -OFFSET || v >= OFFSET) throw new ZkInputError([`element: ${i}`, 'expected: an int16', `got: ${v}`]);
      acc = (acc << 16n) | BigInt(v + OFFSET);
    }
    out.push(acc);
  }
  return out;
}

export function chainHash(elements: readonly bigint[]): bigint {
  let h = BigInt(elements.length);
  for (let start = 0; start < elements.length; start += PACK) h = poseidon([h, ...elements.slice(start, start + PACK)]);
  return h;
}

/** The field elements the weight commitment absorbs, in order. */
export function weightElements(artifact: Artifact): bigint[] {
  const out: bigint[] = [];
  for (const layer of artifact.layers) {
    if (layer.op !== 'dense') continue;
    out.push(...packInt16(layer.weights), ...layer.bias.map(toField));
  }
  return out;
}

/** The Poseidon weight commitment (public signal 0 of every proof of this model). */
export function poseidonWeightCommitment(artifact: Artifact): bigint {
  return chainHash(weightElements(artifact));
}

export function tensorHash(values: ArrayLike<number>): bigint {
  return chainHash(packInt16(values));
}

/** The I/O hash (public signal 1) of a quantized input and the output integers. */
export function ioHash(input: ArrayLike<number>, output: ArrayLike<number>): bigint {
  return poseidon([tensorHash(input), tensorHash(output)]);
}
