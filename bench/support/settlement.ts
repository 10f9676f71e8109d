// What settlement cost on chain, read back from the chain itself: the redemption
// transactions in a block range (found through the escrow's VoucherRedeemed events)
// with their gas, and how many of a set of receipts the escrow has now paid for.
import type { Address, Hash, Hex } from 'viem';
import type { Connection } from '../../src/chain/connect.ts';
import { escrowAbi } from '../../src/chain/generated/Escrow.ts';
import type { Receipt } from '../../src/protocol/messages.ts';
import type { Wire } from '../../src/protocol/wire.ts';

export type RedemptionGas = {
  /** Distinct transactions that redeemed at least one voucher. */
  transactions: number;
  /** VoucherRedeemed events: one per channel per redemption. */
  vouchers: number;
  gas: bigint;
};

/** Sums the gas of every transaction that redeemed a voucher in blocks `fromBlock..toBlock`. */
export async function redemptionGas(connection: Connection, escrow: Address, fromBlock: bigint, toBlock: bigint): Promise<RedemptionGas> {
  const events = await connection.publicClient.getContractEvents({ address: escrow, abi: escrowAbi, eventName: 'VoucherRedeemed', fromBlock, toBlock });
  const hashes = [...new Set(events.map((e) => e.transactionHash).filter((h): h is Hash => h !== null))];
  let gas = 0n;
  for (const hash of hashes) {
    const receipt = await connection.publicClient.getTransactionReceipt({ hash });
    if (receipt.status === 'success') gas += receipt.gasUsed;
  }
  return { transactions: hashes.length, vouchers: events.length, gas };
}

export type SettledRequests = { settled: number; unsettled: number; channels: number };

/**
 * Counts the receipts the escrow has paid for: a receipt is settled once what was
 * redeemed on its channel (client, provider, model) reaches its channel total.
 */
export async function settledRequests(connection: Connection, escrow: Address, receipts: readonly Wire<Receipt>[]): Promise<SettledRequests> {
  const channels = new Map<string, { client: Address; provider: Address; modelId: Hex; totals: bigint[] }>();
  for (const r of receipts) {
    const key = `${r.client}:${r.provider}:${r.modelId}`.toLowerCase();
    const channel = channels.get(key) ?? { client: r.client, provider: r.provider, modelId: r.modelId, totals: [] };
    channel.totals.push(BigInt(r.channelTotal));
    channels.set(key, channel);
  }
  let settled = 0;
  for (const { client, provider, modelId, totals } of channels.values()) {
    const redeemed = await connection.publicClient.readContract({
      address: escrow,
      abi: escrowAbi,
      functionName: 'redeemed',
      args: [client, provider, modelId],
    });
    settled += totals.filter((total) => total <= redeemed).length;
  }
  return { settled, unsettled: receipts.length - settled, channels: channels.size };
}
