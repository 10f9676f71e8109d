// What a receipt means for the person holding it: how far the client itself checked
// the answer, until when it can still be challenged on chain, and whether a dispute
// reserved a refund for it.

import { formatDate, formatDuration, formatTokens } from '../chain/human-units.ts';
import type { Receipt } from '../protocol/messages.ts';

/**
 * The client checks on the spot the provider's signature, the fee and that the output
 * matches the receipt's output hash; it does not re-execute the model. So an answer is
 * only as good as the chance that someone challenges a wrong one in time.
 */
export function verificationLine(receipt: Pick<Receipt, 'issuedAt' | 'verification'>, challengeWindow: bigint, now: bigint, agreement: boolean): string {
  const closes = receipt.issuedAt + challengeWindow;
  const until = `challengeable until ${formatDate(closes)} (${closes > now ? `${formatDuration(closes - now)} left` : 'closed'})`;
  if (receipt.verification === 0) return 'none: signature and fee checked, the answer is not; this receipt cannot be challenged';
  if (receipt.verification === 1) {
    return agreement ? `redundant: the providers agreed; ${until}` : `redundant: the providers DISAGREED, a watcher can dispute the wrong one; ${until}`;
  }
  if (receipt.verification === 3) return 'zk: the Groth16 proof was verified here before paying; a proof that fails would be slashed, not disputed';
  return `optimistic: signature, fee and output hash checked here, the computation is not re-executed; ${until}`;
}

export type RefundRecord = { reserved: bigint; paid: bigint };

/** "" when no dispute refunded the receipt, else what was reserved and claimed. */
export function refundNote(refund: RefundRecord | undefined): string {
  if (!refund || refund.reserved === 0n) return '';
  const claimed = refund.paid >= refund.reserved ? 'paid out' : refund.paid > 0n ? `${formatTokens(refund.paid)} paid out` : 'not claimed yet';
  return `  REFUNDED ${formatTokens(refund.reserved)} after a lost dispute (${claimed})`;
}
