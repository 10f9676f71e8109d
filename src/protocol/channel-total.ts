// The one channel total a payer accepts. A provider serves a channel only while at
// most one of its results there is unpaid, and writes off a result left unpaid past
// its grace period (src/provider/ledger.ts), so an honest receipt always carries
// "latest voucher the client signed on the channel + this fee". Anything else would
// make the client sign for more than it received, so every checker refuses it.
import type { Receipt } from './messages.ts';

/** The channelTotal an honest receipt carries after `paidBefore` was signed on its channel. */
export const expectedChannelTotal = (paidBefore: bigint, fee: bigint): bigint => paidBefore + fee;

/** Why a receipt's channelTotal is refused, given what the client has signed for on the channel; empty when it is right. */
export function channelTotalProblems(receipt: Pick<Receipt, 'fee' | 'channelTotal'>, paidBefore: bigint): string[] {
  const expected = expectedChannelTotal(paidBefore, receipt.fee);
  if (receipt.channelTotal === expected) return [];
  return [`receipt.channelTotal: expected ${expected} (paid so far ${paidBefore} + fee ${receipt.fee}), got ${receipt.channelTotal}`];
}
