// Reads that explain an account's money beyond its balances: when a withdrawal
// becomes available, what a client owes on vouchers providers have not redeemed yet,
// what an account can claim (escrow earnings and dispute payouts), and the timing
// parameters the answers depend on. Plain functions over a connection.
import { join } from 'node:path';
import type { Address, Hex } from 'viem';
import type { Connection } from '../chain/connect.ts';
import { disputeGameAbi } from '../chain/generated/DisputeGame.ts';
import { escrowAbi } from '../chain/generated/Escrow.ts';
import { trellisParamsAbi } from '../chain/generated/TrellisParams.ts';
import type { Deployment } from '../chain/manifest.ts';
import type { SignedVoucher } from '../payments/voucher.ts';
import { parseSignedVoucher } from '../protocol/wire.ts';
import { Journal } from '../storage/journal.ts';

/** The client's voucher journal, as src/sdk/client-state.ts writes it. */
const VOUCHERS_FILE = 'vouchers.jsonl';

/** Chain time: the latest block's timestamp, which every on-chain deadline is compared with. */
export async function chainTime(c: Connection): Promise<bigint> {
  return (await c.publicClient.getBlock({ blockTag: 'latest' })).timestamp;
}

export type WithdrawalStatus = { amount: bigint; readyAt: bigint; expiresAt: bigint; now: bigint };

/** The pending withdrawal of `client` (amount 0 when none) and the chain time. */
export async function withdrawalStatus(c: Connection, d: Deployment, client: Address): Promise<WithdrawalStatus> {
  const [pending, now] = await Promise.all([
    c.publicClient.readContract({ address: d.contracts.escrow, abi: escrowAbi, functionName: 'pendingWithdrawal', args: [client] }),
    chainTime(c),
  ]);
  return { amount: pending.amount, readyAt: BigInt(pending.readyAt), expiresAt: BigInt(pending.expiresAt), now };
}

export type TimingParameters = { withdrawalNotice: bigint; withdrawalWindow: bigint; challengeWindow: bigint };

export async function timingParameters(c: Connection, d: Deployment): Promise<TimingParameters> {
  const read = (functionName: 'withdrawalNotice' | 'withdrawalWindow' | 'challengeWindow') =>
    c.publicClient.readContract({ address: d.contracts.params, abi: trellisParamsAbi, functionName });
  const [withdrawalNotice, withdrawalWindow, challengeWindow] = await Promise.all([
    read('withdrawalNotice'),
    read('withdrawalWindow'),
    read('challengeWindow'),
  ]);
  return { withdrawalNotice, withdrawalWindow, challengeWindow };
}

export type UnredeemedChannel = { provider: Address; modelId: Hex; signed: bigint; redeemed: bigint };

/**
 * Per channel, what the client has signed vouchers for (its own record in
 * `clientDataDir`) against what the escrow has paid out: the difference is owed to
 * the provider and leaves the escrow when the provider redeems.
 */
export async function unredeemedVouchers(c: Connection, d: Deployment, client: Address, clientDataDir: string): Promise<UnredeemedChannel[]> {
  // Read only: an account with no record here (any address `balances` is asked about)
  // gets no folder created for it.
  const latest = new Map<string, SignedVoucher['voucher']>();
  for (const record of Journal.read<unknown>(join(clientDataDir, VOUCHERS_FILE))) {
    const { voucher } = parseSignedVoucher({ path: 'voucher', value: record });
    if (voucher.client.toLowerCase() !== client.toLowerCase()) continue;
    const key = `${voucher.provider.toLowerCase()}:${voucher.modelId.toLowerCase()}`;
    if (voucher.cumulativeAmount > (latest.get(key)?.cumulativeAmount ?? 0n)) latest.set(key, voucher);
  }
  return Promise.all(
    [...latest.values()].map(async (voucher) => ({
      provider: voucher.provider,
      modelId: voucher.modelId,
      signed: voucher.cumulativeAmount,
      redeemed: await c.publicClient.readContract({
        address: d.contracts.escrow,
        abi: escrowAbi,
        functionName: 'redeemed',
        args: [client, voucher.provider, voucher.modelId],
      }),
    })),
  );
}

export type Claimable = { earnings: bigint; disputePayouts: bigint };

/** What `account` can claim: escrow earnings (provider share, royalties, fees) and dispute payouts (bonds, rewards, refunds). */
export async function claimable(c: Connection, d: Deployment, account: Address): Promise<Claimable> {
  const [earnings, disputePayouts] = await Promise.all([
    c.publicClient.readContract({ address: d.contracts.escrow, abi: escrowAbi, functionName: 'earnings', args: [account] }),
    c.publicClient.readContract({ address: d.contracts.disputeGame, abi: disputeGameAbi, functionName: 'claimable', args: [account] }),
  ]);
  return { earnings, disputePayouts };
}

/** Who earns the protocol fee: the treasury named in TrellisParams. */
export const treasuryOf = (c: Connection, d: Deployment): Promise<Address> =>
  c.publicClient.readContract({ address: d.contracts.params, abi: trellisParamsAbi, functionName: 'treasury' });
