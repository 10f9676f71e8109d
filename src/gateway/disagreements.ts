// Disagreements of redundant mode: every receipt of a request whose providers returned
// different outputs, kept in an append-only JSON-lines file so that a later dispute
// game can settle them on chain. Each line is written and fsync'd before the gateway
// answers, so a reported disagreement is never lost.
import { closeSync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Address, Hex } from 'viem';
import type { Receipt } from '../protocol/messages.ts';
import type { Wire } from '../protocol/wire.ts';

export type DisagreementRecord = {
  /** ISO time the gateway saw it. */
  at: string;
  requestHash: Hex;
  modelId: Hex;
  client: Address;
  results: { provider: Address; outputHash: Hex; receipt: Wire<Receipt>; signature: Hex; output: number[]; shape: number[] }[];
};

export function appendDisagreement(path: string, record: DisagreementRecord): void {
  appendJsonLine(path, record);
}

/** Appends one JSON line and fsyncs it (the gateway's evidence logs: this one and zk-failures.jsonl). */
export function appendJsonLine(path: string, record: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  const fd = openSync(path, 'a');
  try {
    writeSync(fd, `${JSON.stringify(record)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
