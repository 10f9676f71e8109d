// What a watcher must not forget: every wrong result it decided to challenge (with the
// receipt, signature and quantized input needed to open and play the dispute), when the
// dispute was opened, how it ended, and how far it has read the gateway's disagreement
// file. Kept in <dataDir>/watcher.jsonl (append-only, fsync'd) and replayed at start.
import { join } from 'node:path';
import type { Hash, Hex } from 'viem';
import type { Receipt } from '../protocol/messages.ts';
import { parseReceipt, toWire, type Wire } from '../protocol/wire.ts';
import { Journal } from '../storage/journal.ts';

export type DisputeStatus = 'pending' | 'open' | 'providerLost' | 'providerWon' | 'skipped';

export type WatchedDispute = {
  id: Hex;
  receipt: Receipt;
  signature: Hex;
  quantizedInput: number[];
  /** Why the result was judged wrong (which commitment differs). */
  reason: string;
  status: DisputeStatus;
  openTx?: Hash;
  openBlock?: bigint;
  outcome?: string;
  note?: string;
};

type JournalRecord =
  | { kind: 'suspect'; id: Hex; receipt: Wire<Receipt>; signature: Hex; quantizedInput: number[]; reason: string }
  | { kind: 'opened'; id: Hex; tx: Hash; block: string }
  | { kind: 'closed'; id: Hex; status: 'providerLost' | 'providerWon' | 'skipped'; outcome?: string; note?: string }
  | { kind: 'cursor'; offset: number };

export const WATCHER_JOURNAL = 'watcher.jsonl';

export class WatcherJournal {
  readonly disputes = new Map<Hex, WatchedDispute>();
  /** Bytes of the disagreement file already handled. */
  cursor = 0;
  private readonly journal: Journal<JournalRecord>;

  constructor(dataDir: string) {
    const path = join(dataDir, WATCHER_JOURNAL);
    for (const record of Journal.read<JournalRecord>(path)) this.apply(record);
    this.journal = new Journal(path);
  }

  private apply(record: JournalRecord): void {
    if (record.kind === 'cursor') {
      this.cursor = Math.max(this.cursor, record.offset);
      return;
    }
    if (record.kind === 'suspect') {
      const receipt = parseReceipt({ path: 'receipt', value: record.receipt });
      this.disputes.set(record.id, {
        id: record.id,
        receipt,
        signature: record.signature,
        quantizedInput: record.quantizedInput,
        reason: record.reason,
        status: 'pending',
      });
      return;
    }
    const dispute = this.disputes.get(record.id);
    if (!dispute) return;
    if (record.kind === 'opened') Object.assign(dispute, { status: 'open', openTx: record.tx, openBlock: BigInt(record.block) });
    else Object.assign(dispute, { status: record.status, outcome: record.outcome, note: record.note });
  }

  private write(record: JournalRecord): void {
    this.journal.append(record);
    this.apply(record);
  }

  suspect(d: Pick<WatchedDispute, 'id' | 'receipt' | 'signature' | 'quantizedInput' | 'reason'>): WatchedDispute {
    this.write({ kind: 'suspect', id: d.id, receipt: toWire(d.receipt), signature: d.signature, quantizedInput: d.quantizedInput, reason: d.reason });
    return this.disputes.get(d.id)!;
  }

  opened(id: Hex, tx: Hash, block: bigint): void {
    this.write({ kind: 'opened', id, tx, block: block.toString() });
  }

  closed(id: Hex, status: 'providerLost' | 'providerWon' | 'skipped', details: { outcome?: string; note?: string } = {}): void {
    this.write({ kind: 'closed', id, status, ...details });
  }

  advanceCursor(offset: number): void {
    if (offset > this.cursor) this.write({ kind: 'cursor', offset });
  }

  close(): void {
    this.journal.close();
  }
}
