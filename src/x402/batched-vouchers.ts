// The latest batched voucher of each channel, on disk before the call it pays for is
// answered (synced, unlike the ledger's own voucher journal, which lets a later voucher
// stand in for a lost one: here the voucher comes before the answer, so losing it would
// lose a paid call). At start every record is handed back to the ledger, whose
// settlement redeems them with the rest.
import { join } from 'node:path';
import type { Address, Hex } from 'viem';
import type { SignedVoucher } from '../payments/voucher.ts';
import { channelKey } from '../provider/ledger.ts';
import { Journal, type Fsync } from '../storage/journal.ts';

type Record = { client: Address; provider: Address; modelId: Hex; cumulativeAmount: string; signature: Hex };

export const BATCHED_VOUCHERS_FILE = 'x402-batched-vouchers.jsonl';

export class BatchedVouchers {
  private readonly latest = new Map<string, SignedVoucher>();
  private readonly journal: Journal<Record>;

  constructor(dataDir: string, fsync?: Fsync) {
    const path = join(dataDir, BATCHED_VOUCHERS_FILE);
    for (const r of Journal.read<Record>(path)) {
      if (typeof r?.client !== 'string' || typeof r.cumulativeAmount !== 'string' || !/^\d+$/.test(r.cumulativeAmount)) continue;
      const signed: SignedVoucher = {
        voucher: { client: r.client, provider: r.provider, modelId: r.modelId, cumulativeAmount: BigInt(r.cumulativeAmount) },
        signature: r.signature,
      };
      const key = channelKey(r.client, r.modelId);
      const known = this.latest.get(key);
      if (!known || known.voucher.cumulativeAmount < signed.voucher.cumulativeAmount) this.latest.set(key, signed);
    }
    this.journal = new Journal(path, fsync);
  }

  /** The latest voucher held on a channel. */
  get(client: Address, modelId: Hex): SignedVoucher | undefined {
    return this.latest.get(channelKey(client, modelId));
  }

  all(): SignedVoucher[] {
    return [...this.latest.values()];
  }

  /** Records a voucher; resolves once it is on disk. */
  record(signed: SignedVoucher): Promise<void> {
    this.latest.set(channelKey(signed.voucher.client, signed.voucher.modelId), signed);
    const { client, provider, modelId, cumulativeAmount } = signed.voucher;
    return this.journal.appendSynced({ client, provider, modelId, cumulativeAmount: cumulativeAmount.toString(), signature: signed.signature });
  }

  close(): void {
    this.journal.close();
  }
}
