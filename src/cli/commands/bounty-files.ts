// The files `trellis bounty` reads: an evaluation set, predictions and a row answer.
// Every error names the file and what was wrong.
import { readFileSync } from 'node:fs';
import { isHex, type Hex } from 'viem';
import { TrellisError } from '../../errors.ts';
import { evalRows, type EvalRow } from '../../market/eval-set.ts';
import type { Receipt } from '../../protocol/messages.ts';
import { parseReceipt } from '../../protocol/wire.ts';

const invalid = (file: string, problem: string) => new TrellisError('INVALID_INPUT_FILE', `${file}: ${problem}`);

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new TrellisError('INVALID_INPUT_FILE', `${file}: cannot be read.`, { cause });
  }
  try {
    return JSON.parse(text);
  } catch {
    throw invalid(file, 'is not valid JSON.');
  }
}

const isIntArray = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => Number.isInteger(x));

/**
 * An evaluation set: { "labels": [..], "inputs": [[quantized ints], ..] } or
 * { "labels": [..], "inputHashes": ["0x..", ..] }, with an optional "dataURI".
 */
export function readEvalSet(file: string): { rows: EvalRow[]; dataURI: string } {
  const value = readJson(file) as Record<string, unknown>;
  if (typeof value !== 'object' || value === null) throw invalid(file, 'expected an object with "labels" and "inputs" or "inputHashes".');
  const labels = value.labels;
  if (!isIntArray(labels) || labels.some((l) => l < 0 || l > 255)) throw invalid(file, '"labels" must be an array of integers from 0 to 255.');
  let rows: EvalRow[];
  if (Array.isArray(value.inputs)) {
    if (!value.inputs.every(isIntArray)) throw invalid(file, '"inputs" must be arrays of quantized integers.');
    rows = evalRows(
      value.inputs.map((x) => Int32Array.from(x)),
      labels,
    );
  } else if (Array.isArray(value.inputHashes)) {
    const hashes = value.inputHashes;
    if (!hashes.every((h) => typeof h === 'string' && isHex(h) && h.length === 66)) throw invalid(file, '"inputHashes" must be 32-byte hex strings.');
    rows = (hashes as Hex[]).map((inputHash, i) => ({ inputHash, label: labels[i]! }));
  } else {
    throw invalid(file, 'expected "inputs" (quantized integers) or "inputHashes".');
  }
  if (rows.length !== labels.length) throw invalid(file, `${rows.length} inputs but ${labels.length} labels.`);
  return { rows, dataURI: typeof value.dataURI === 'string' ? value.dataURI : file };
}

/** Predicted labels: a JSON array of integers, one per row. */
export function readPredictions(file: string): number[] {
  const value = readJson(file);
  if (!isIntArray(value) || value.some((l) => l < 0 || l > 255)) throw invalid(file, 'expected a JSON array of predicted labels (integers from 0 to 255).');
  return value;
}

/**
 * A row answer: a line of `trellis receipts --json` (receipt, signature, output, frac)
 * or { receipt, signature, output } with the output already in fixed-point integers.
 */
export function readRowAnswer(file: string): { receipt: Receipt; signature: Hex; output: number[] } {
  const value = readJson(file) as Record<string, unknown>;
  if (typeof value !== 'object' || value === null) throw invalid(file, 'expected an object with "receipt", "signature" and "output".');
  let receipt: Receipt;
  try {
    receipt = parseReceipt({ path: 'receipt', value: value.receipt });
  } catch (cause) {
    throw new TrellisError('INVALID_INPUT_FILE', `${file}: the receipt is malformed.`, { cause });
  }
  if (typeof value.signature !== 'string' || !isHex(value.signature) || value.signature.length !== 132)
    throw invalid(file, '"signature" must be 65 bytes of hex.');
  const output = value.output;
  if (!Array.isArray(output) || !output.every((v) => typeof v === 'number')) throw invalid(file, '"output" must be an array of numbers.');
  // Dequantized outputs come back to the integers the receipt's outputHash commits to.
  const frac = typeof value.frac === 'number' ? value.frac : 0;
  return { receipt, signature: value.signature, output: output.map((v) => Math.round(v * 2 ** frac)) };
}
