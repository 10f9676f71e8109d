// Refunds the dispute game reserved for a client's receipts: a provider that lost a
// dispute on a receipt pays the client back, and the game records it by receipt id.
import type { Connection } from '../chain/connect.ts';
import { disputeGameAbi } from '../chain/generated/DisputeGame.ts';
import type { Deployment } from '../chain/manifest.ts';
import { ClientState, type StoredReceipt } from './client-state.ts';

export type Refund = { reserved: bigint; paid: bigint; sweepableAt: bigint };

/** Per stored receipt, its refund (undefined when it asked for no verification: it cannot be disputed). */
export async function refundsOf(c: Connection, d: Deployment, receipts: readonly StoredReceipt[]): Promise<(Refund | undefined)[]> {
  const read = c.publicClient.readContract.bind(c.publicClient);
  return Promise.all(
    receipts.map(async (stored) => {
      const receipt = ClientState.parse(stored);
      if (receipt.verification === 0) return undefined;
      const receiptId = await read({ address: d.contracts.disputeGame, abi: disputeGameAbi, functionName: 'receiptDigest', args: [receipt] });
      const refund = await read({ address: d.contracts.disputeGame, abi: disputeGameAbi, functionName: 'refundOf', args: [receiptId] });
      return { reserved: refund.reserved, paid: refund.paid, sweepableAt: BigInt(refund.sweepableAt) };
    }),
  );
}
