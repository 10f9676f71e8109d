// GET /v1/search/:hash: what a 32-byte hash names in the index. One hash can be a
// transaction (its events and payments), a receipt (the disputes over it), a dispute
// or a model; all matches are returned. A receipt only reaches the chain when it is
// disputed, so an undisputed request's receipt is not found here: the 404 says so.
import type { Queryable } from '../db/database.ts';
import { IndexerError } from '../errors.ts';
import { storedEventColumns, type StoredEventRow } from '../projections.ts';
import { disputeItem, eventItem, modelItem, paymentItem } from './queries.ts';

/** Enough rows of one kind for any real transaction or receipt; more are cut. */
const MATCHES = 100;

export async function searchHash(db: Queryable, hash: string): Promise<Record<string, unknown>> {
  const [events, payments, receiptDisputes, disputes, models] = await Promise.all([
    db.query<StoredEventRow>(`SELECT ${storedEventColumns} FROM raw_events WHERE tx_hash = $1 ORDER BY log_index LIMIT $2`, [hash, MATCHES]),
    db.query('SELECT * FROM payments WHERE tx_hash = $1 ORDER BY log_index LIMIT $2', [hash, MATCHES]),
    db.query('SELECT * FROM disputes WHERE receipt_id = $1 ORDER BY opened_block LIMIT $2', [hash, MATCHES]),
    db.query('SELECT * FROM disputes WHERE id = $1', [hash]),
    db.query('SELECT * FROM models WHERE id = $1', [hash]),
  ]);
  const found = events.length + receiptDisputes.length + disputes.length + models.length;
  if (found === 0) {
    throw new IndexerError('HASH_NOT_FOUND', `Nothing in the index has the hash ${hash}.`, {
      details: [
        'searched transactions, receipts, disputes and models',
        'a receipt reaches the chain only when it is disputed; an undisputed request is settled by vouchers and has no on-chain receipt',
      ],
    });
  }
  return {
    hash,
    transaction:
      events.length === 0
        ? null
        : { txHash: hash, blockNumber: Number(events[0]!.block_number), events: events.map(eventItem), payments: payments.map(paymentItem) },
    receipt: receiptDisputes.length === 0 ? null : { receiptId: hash, disputes: receiptDisputes.map(disputeItem) },
    dispute: disputes[0] ? disputeItem(disputes[0]) : null,
    model: models[0] ? modelItem(models[0]) : null,
  };
}
