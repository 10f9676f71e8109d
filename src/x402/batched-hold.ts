// What a provider keeps of a batched payment once the call it pays for is served, before
// the answer leaves: the voucher in its own synced journal (batched-vouchers.ts) and the
// receipt in the ledger, both on disk (each journal's group commit lets concurrent calls
// share one fsync), then the voucher in the ledger, whose settlement redeems it with the
// rest. The route (src/provider/x402-routes.ts) and the agents bench call this one.
import type { Ledger, StoredResult } from '../provider/ledger.ts';
import type { BatchedPayment } from './batched-payload.ts';
import type { BatchedVouchers } from './batched-vouchers.ts';

export type BatchedHoldInit = { ledger: Ledger; vouchers: BatchedVouchers };

/** Resolves once the voucher and the receipt are on disk and the ledger holds the voucher. */
export async function holdBatchedPayment(init: BatchedHoldInit, payment: BatchedPayment, stored: StoredResult): Promise<void> {
  const signed = { voucher: payment.voucher, signature: payment.signature };
  // Both on disk before the answer: the voucher pays for the receipt, the receipt lets the client fetch a lost answer.
  await Promise.all([init.vouchers.record(signed), init.ledger.recordResult(stored)]);
  init.ledger.acceptVoucher(signed);
}
