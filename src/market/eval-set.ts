// A bounty's held-out evaluation set: rows (inputHash, label) where inputHash is the
// Merkle root of the quantized input, as requests and receipts carry it; the set is
// committed by the Merkle root over keccak256(abi.encode(inputHash, label)).
import { bytesToHex, encodeAbiParameters, hexToBytes, keccak256, type Hex } from 'viem';
import { merkleLevels, merkleProof, merkleRoot } from '../engine/merkle/tree.ts';
import { tensorRoot } from '../engine/trace.ts';

export type EvalRow = { inputHash: Hex; label: number };
export type EvalSet = { rows: EvalRow[]; dataURI: string };

/** The rows of quantized inputs and their labels. */
export const evalRows = (inputs: readonly Int32Array[], labels: readonly number[]): EvalRow[] =>
  inputs.map((input, i) => ({ inputHash: tensorRoot(input), label: labels[i]! }));

const rowLeaf = (row: EvalRow): Hex => keccak256(encodeAbiParameters([{ type: 'bytes32' }, { type: 'uint256' }], [row.inputHash, BigInt(row.label)]));

const packedLeaves = (rows: readonly EvalRow[]): Uint8Array => {
  const out = new Uint8Array(rows.length * 32);
  for (const [i, row] of rows.entries()) out.set(hexToBytes(rowLeaf(row)), i * 32);
  return out;
};

/** The root a poster commits to when posting. */
export const evalRoot = (rows: readonly EvalRow[]): Hex => bytesToHex(merkleRoot(packedLeaves(rows)));

/** The path a challenger gives with row `index`. */
export const evalRowPath = (rows: readonly EvalRow[], index: number): Hex[] => merkleProof(merkleLevels(packedLeaves(rows)), index).map((n) => bytesToHex(n));

/** Labels (or predictions) as the contract takes them: one byte per row. */
export const labelBytes = (labels: readonly number[]): Hex => bytesToHex(Uint8Array.from(labels));

/** The prediction a model's output makes: its first largest score. */
export function argmax(output: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < output.length; i++) if (output[i]! > output[best]!) best = i;
  return best;
}
