// Redeems the latest vouchers of a provider's channels on chain, many channels per
// transaction, when enough have gathered or the oldest has waited long enough: gas per
// request falls as the batch grows (bench/gas.ts measures how much). A voucher the
// escrow refuses (a bad signature, another provider's, nothing left to redeem) is
// found by simulating each voucher alone, dropped from the ledger for good with the
// contract's reason, and the rest of the batch goes through: one bad voucher never
// holds up the others. This works whether the escrow's redeemMany reverts on a bad
// voucher or skips it (then the voucher has no VoucherRedeemed event in the receipt).
import { parseEventLogs, type Address } from 'viem';
import type { SignerConnection } from '../chain/connect.ts';
import { escrowAbi } from '../chain/generated/Escrow.ts';
import { decodedRevert, explainRevert } from '../chain/revert-reason.ts';
import type { Logger } from '../log.ts';
import type { SignedVoucher } from '../payments/voucher.ts';
import { channelKey, type Ledger } from './ledger.ts';
import { writeContract } from '../chain/write.ts';

export type SettlementOptions = {
  /** Redeem as soon as this many channels have something to redeem. */
  batchSize: number;
  /** ...or when the oldest unredeemed voucher has waited this long. */
  maxAgeMs: number;
  /** How often to look. */
  intervalMs: number;
};

export const defaultSettlement: SettlementOptions = { batchSize: 50, maxAgeMs: 30_000, intervalMs: 1_000 };

/** The most vouchers one redeemMany carries, to stay well inside a block's gas. */
const MAX_PER_TRANSACTION = 100;
/** Redemption passes in one round; later ones only redeem what a refusal left due. */
const MAX_PASSES = 5;

export class Settlement {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private pendingSince: number | undefined;

  constructor(
    private readonly connection: SignerConnection,
    private readonly escrow: Address,
    private readonly ledger: Ledger,
    private readonly options: SettlementOptions,
    private readonly log: Logger,
    /**
     * Awaited once a redemption is mined, before the ledger learns of it: the node brings
     * its escrow tracker up to that block here, so that what the ledger no longer counts
     * as owed is never still counted in the client's balance.
     */
    private readonly afterRedeem?: () => Promise<void>,
  ) {}

  /** Reads from the escrow what it already paid on every known channel. */
  async syncFromChain(): Promise<void> {
    for (const { client, modelId } of this.ledger.channelsOf()) {
      const redeemed = await this.connection.publicClient.readContract({
        address: this.escrow,
        abi: escrowAbi,
        functionName: 'redeemed',
        args: [client, this.connection.account.address, modelId],
      });
      this.ledger.setRedeemed(client, modelId, redeemed);
    }
  }

  start(): void {
    this.timer = setInterval(() => void this.redeem(false), this.options.intervalMs);
  }

  /** Stops the timer and waits for a redemption under way. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Redeems now if the batch is full or old enough, or whatever there is when `force`. */
  redeem(force: boolean): Promise<void> {
    this.running ??= this.redeemOnce(force).finally(() => (this.running = undefined));
    return this.running;
  }

  private async redeemOnce(force: boolean): Promise<void> {
    const due = this.ledger.redeemable();
    if (due.length === 0) {
      this.pendingSince = undefined;
      return;
    }
    this.pendingSince ??= Date.now();
    if (!force && due.length < this.options.batchSize && Date.now() - this.pendingSince < this.options.maxAgeMs) return;
    try {
      // Dropping a refused voucher can leave an older one of its channel due: redeem it
      // in the same round (each further pass follows a drop, so this ends).
      for (let pass = 0, batch = due; batch.length > 0 && pass < MAX_PASSES; pass++) {
        let dropped = 0;
        for (let i = 0; i < batch.length; i += MAX_PER_TRANSACTION) dropped += await this.redeemBatch(batch.slice(i, i + MAX_PER_TRANSACTION));
        if (dropped === 0) break;
        await this.syncFromChain();
        batch = this.ledger.redeemable();
      }
      this.pendingSince = undefined;
    } catch (error) {
      // Nothing is lost: the vouchers stay in the ledger and the next round retries.
      this.log.warn('redemption failed; will retry', { reason: error instanceof Error ? error.message.split('\n')[0] : String(error) });
    } finally {
      await this.syncFromChain().catch(() => undefined);
    }
  }

  /** Redeems one batch; returns how many of its vouchers the escrow refused. */
  private async redeemBatch(batch: SignedVoucher[]): Promise<number> {
    const args = (list: SignedVoucher[]) => [list.map((s) => s.voucher), list.map((s) => s.signature)] as const;
    const { publicClient, account } = this.connection;
    let sendable = batch;
    try {
      await publicClient.simulateContract({ account, address: this.escrow, abi: escrowAbi, functionName: 'redeemMany', args: args(batch) });
    } catch (error) {
      if (decodedRevert(error) === undefined) throw error;
      sendable = await this.dropRefused(batch);
    }
    if (sendable.length === 0) return batch.length;
    const hash = await writeContract(this.connection, { address: this.escrow, abi: escrowAbi, functionName: 'redeemMany', args: args(sendable) });
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== 'success') throw new Error(`redeemMany reverted on chain (tx ${hash})`);
    await this.afterRedeem?.();
    this.log.info('redeemed vouchers', { channels: sendable.length, tx: hash, status: receipt.status, gas: receipt.gasUsed });
    const redeemed = new Set(
      parseEventLogs({ abi: escrowAbi, eventName: 'VoucherRedeemed', logs: receipt.logs, strict: true })
        .filter((e) => e.address.toLowerCase() === this.escrow.toLowerCase())
        .map((e) => `${channelKey(e.args.client, e.args.modelId)}:${e.args.cumulativeAmount}`),
    );
    const skipped = sendable.filter(({ voucher }) => !redeemed.has(`${channelKey(voucher.client, voucher.modelId)}:${voucher.cumulativeAmount}`));
    const kept = skipped.length > 0 ? (await this.dropRefused(skipped)).length : 0;
    return batch.length - sendable.length + skipped.length - kept;
  }

  /**
   * Simulates `redeem` for each voucher alone; drops (and logs) those the escrow
   * refuses, and returns the others. A failure that is no revert (the node is down)
   * propagates, so nothing is dropped for want of an answer.
   */
  private async dropRefused(vouchers: SignedVoucher[]): Promise<SignedVoucher[]> {
    const accepted: SignedVoucher[] = [];
    for (const signed of vouchers) {
      try {
        await this.connection.publicClient.simulateContract({
          account: this.connection.account,
          address: this.escrow,
          abi: escrowAbi,
          functionName: 'redeem',
          args: [signed.voucher, signed.signature],
        });
        accepted.push(signed);
      } catch (error) {
        const revert = explainRevert(error);
        if (revert === undefined) throw error;
        this.ledger.refuseVoucher(signed, revert.raw);
        this.log.warn('voucher refused by the escrow; dropped', {
          client: signed.voucher.client,
          modelId: signed.voucher.modelId,
          amount: signed.voucher.cumulativeAmount,
          reason: revert.sentence,
          error: revert.name,
        });
      }
    }
    return accepted;
  }
}
