// The `balances` block: where an account's money is, in tUSD, including what the
// escrow balance does not show yet (vouchers signed but not redeemed) and when a
// pending withdrawal becomes available.
import type { Address } from 'viem';
import { formatDate, formatTokens, formatWhen } from '../chain/human-units.ts';
import type { ReadContext } from './context.ts';

export async function printBalances(context: ReadContext, account: Address, clientDataDir: string): Promise<void> {
  const [{ balances }, { unredeemedVouchers, withdrawalStatus }] = await Promise.all([import('../sdk/accounts.ts'), import('../sdk/account-status.ts')]);
  const [b, channels, withdrawal] = await Promise.all([
    balances(context.connection, context.deployment, account),
    unredeemedVouchers(context.connection, context.deployment, account, clientDataDir),
    withdrawalStatus(context.connection, context.deployment, account),
  ]);
  const owing = channels.filter((c) => c.signed > c.redeemed);
  const owed = owing.reduce((sum, c) => sum + c.signed - c.redeemed, 0n);
  const row = (label: string, value: string) => console.log(`${label.padEnd(19)}${value}`);
  row('account', account);
  row('wallet', formatTokens(b.wallet));
  row('escrow', formatTokens(b.escrow));
  if (owed > 0n) {
    row('  owed, unredeemed', `${formatTokens(owed)} on ${owing.length} channel(s): vouchers you signed that providers have not redeemed yet`);
    row('  free in escrow', `${formatTokens(b.escrow > owed ? b.escrow - owed : 0n)} (escrow minus what is owed)`);
  }
  row('pending withdrawal', `${formatTokens(b.pendingWithdrawal)}${withdrawal.amount === 0n ? '' : ` (${withdrawalWhen(withdrawal)})`}`);
  row('earnings', `${formatTokens(b.earnings)}${b.earnings > 0n ? ' (claim with `trellis claim`)' : ''}`);
  row('stake', formatTokens(b.stake));
}

/** "ready in 23 h 59 min, at …, until …" or "ready now, until …" or "expired at …". */
export function withdrawalWhen(w: { readyAt: bigint; expiresAt: bigint; now: bigint }): string {
  if (w.now >= w.expiresAt) return `expired at ${formatDate(w.expiresAt)}; ask again with \`trellis withdraw <amount>\``;
  const ready = w.now >= w.readyAt ? 'ready now' : `ready ${formatWhen(w.readyAt, w.now)}`;
  return `${ready}; \`trellis withdraw\` takes it until ${formatDate(w.expiresAt)}`;
}
