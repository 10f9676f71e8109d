// What a facilitator has done with each EIP-3009 authorization, kept on disk so that a
// restart forgets nothing: `settling` is written (and synced) before the transfer is
// sent, then `settled` with its transaction, or `failed` when it certainly did not
// move anything. The last record of a key is its state. An authorization still
// `settling` after a restart is one whose outcome this process never saw: the chain's
// authorizationState decides it (LocalFacilitator.resolve).
import { Journal, type Fsync } from '../storage/journal.ts';

export type NonceState = 'settling' | 'settled' | 'failed';

export type NonceRecord = {
  /** authorizationKey(): network, token, signer and nonce. */
  key: string;
  state: NonceState;
  /** The payment's signature: a settle repeated with the same one is answered from here. */
  signature: string;
  payer: string;
  /** The settling transaction ('' while settling, or when the chain showed it used without naming it). */
  transaction: string;
  /** Why a settlement failed (an x402 error reason). */
  reason?: string;
  /** Ms since epoch. */
  at: number;
};

export const NONCE_JOURNAL_FILE = 'x402-nonces.jsonl';

export class NonceJournal {
  private readonly latest = new Map<string, NonceRecord>();
  private readonly journal: Journal<NonceRecord>;

  constructor(path: string, fsync?: Fsync) {
    for (const record of Journal.read<NonceRecord>(path)) {
      if (typeof record?.key === 'string' && (record.state === 'settling' || record.state === 'settled' || record.state === 'failed'))
        this.latest.set(record.key, record);
    }
    this.journal = new Journal(path, fsync);
  }

  get(key: string): NonceRecord | undefined {
    return this.latest.get(key);
  }

  /** Records a new state; resolves once it is on disk. */
  record(record: NonceRecord): Promise<void> {
    this.latest.set(record.key, record);
    return this.journal.appendSynced(record);
  }

  get size(): number {
    return this.latest.size;
  }

  close(): void {
    this.journal.close();
  }
}
