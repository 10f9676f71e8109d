// Redeems the latest vouchers of a provider's channels on chain, many channels per
// transaction, when enough have gathered or the oldest has waited long enough: gas per
// request falls as the batch grows (bench/gas.ts measures how much).
import type { Address } from 'viem';
import type { SignerConnection } from '../chain/connect.ts';
import { escrowAbi } from '../chain/generated/Escrow.ts';
import type { Logger } from '../log.ts';
import type { Ledger } from './ledger.ts';

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
      for (let i = 0; i < due.length; i += MAX_PER_TRANSACTION) {
        const batch = due.slice(i, i + MAX_PER_TRANSACTION);
        const hash = await this.connection.walletClient.writeContract({
          address: this.escrow,
          abi: escrowAbi,
          functionName: 'redeemMany',
          args: [batch.map((s) => s.voucher), batch.map((s) => s.signature)],
        });
        const receipt = await this.connection.publicClient.waitForTransactionReceipt({ hash });
        this.log.info('redeemed vouchers', { channels: batch.length, tx: hash, status: receipt.status, gas: receipt.gasUsed });
      }
      this.pendingSince = undefined;
    } catch (error) {
      // Nothing is lost: the vouchers stay in the ledger and the next round retries.
      this.log.warn('redemption failed; will retry', { reason: error instanceof Error ? error.message.split('\n')[0] : String(error) });
    } finally {
      await this.syncFromChain().catch(() => undefined);
    }
  }
}
