// The inputs of redundant-mode disagreements, beside the gateway's disagreements.jsonl
// (which holds the receipts and outputs but not the input). A watcher running in
// another process needs the input to re-execute and to open a dispute, so the gateway
// appends one line per disagreement here, fsync'd before it answers.
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Hex } from 'viem';

export const DISAGREEMENT_INPUTS_FILE = 'disagreement-inputs.jsonl';

export type DisagreementInput = { requestHash: Hex; input: number[] };

export function appendDisagreementInput(path: string, record: DisagreementInput): void {
  mkdirSync(dirname(path), { recursive: true });
  const fd = openSync(path, 'a');
  try {
    writeSync(fd, `${JSON.stringify({ requestHash: record.requestHash.toLowerCase(), input: record.input })}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Every input recorded so far, by request hash (lower case); torn lines are skipped. */
export function readDisagreementInputs(path: string): Map<Hex, number[]> {
  const inputs = new Map<Hex, number[]>();
  if (!existsSync(path)) return inputs;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      const record = JSON.parse(line) as DisagreementInput;
      if (typeof record.requestHash === 'string' && Array.isArray(record.input)) inputs.set(record.requestHash.toLowerCase() as Hex, record.input);
    } catch {
      // A line torn by a crash mid-write was never acknowledged.
    }
  }
  return inputs;
}
