// What a provider is owed: every receipt it issued (with the output, so a client can
// fetch a result it lost), the latest voucher of every channel and the receipts it
// wrote off as never delivered, kept in journals on disk and rebuilt from them at
// start. See docs/protocol.md, "Paying".
import { join } from 'node:path';
import type { Address, Hex } from 'viem';
import { ProtocolError } from '../protocol/errors.ts';
import type { Receipt } from '../protocol/messages.ts';
import { parseReceipt, parseSignedVoucher, toWire, type InferResult, type SealedInferResult } from '../protocol/wire.ts';
import type { SignedVoucher } from '../payments/voucher.ts';
import { Journal, type Fsync } from '../storage/journal.ts';

/**
 * A served result as journaled: the answer, and when it was issued (ms since epoch).
 * A sealed request's answer is kept sealed, so the journal and GET /v1/receipts never
 * hold its output in the clear.
 */
export type StoredResult = (InferResult | SealedInferResult) & { issuedAt: number };

/** One receipt issued on a channel, as the credit rules see it. */
type Issued = {
  requestHash: Hex;
  channelTotal: bigint;
  /** Ms since epoch. */
  issuedAt: number;
  /** When the client's next request showed it was never delivered (ms), if it did. */
  writtenOffAt: number | undefined;
};

type Channel = {
  client: Address;
  modelId: Hex;
  /** Every receipt issued here, in issue order. */
  issued: Issued[];
  /** The latest voucher accepted (the largest amount). */
  paid: SignedVoucher | undefined;
  /**
   * The accepted vouchers above what the escrow has paid, in increasing amounts: if the
   * escrow refuses the latest, the best one below it is still worth redeeming.
   */
  held: SignedVoucher[];
  /** What the escrow has paid on this channel so far. */
  redeemed: bigint;
  /** The last time receipts here were written off as undelivered (ms). */
  lastWriteOff: number | undefined;
};

type VoucherRecord = ReturnType<typeof toWire<SignedVoucher['voucher']>> & { signature: Hex };
type WriteOffRecord = { requestHash: Hex; at: number };

/** A voucher the escrow refused for good, and why (the contract's decoded error). */
export type RefusedRecord = { client: Address; modelId: Hex; cumulativeAmount: string; signature: Hex; reason: string };

/** The timing of the credit rules, in ms: see Ledger.writeOffUndelivered. */
export type CreditTiming = { graceMs: number; paymentWindowMs: number };

const paidOf = (channel: Channel): bigint => channel.paid?.voucher.cumulativeAmount ?? 0n;

export const channelKey = (client: Address, modelId: Hex): string => `${client.toLowerCase()}:${modelId.toLowerCase()}`;

/** One exact voucher: a later, larger voucher on the same channel is a new one. */
const voucherKey = (client: Address, modelId: Hex, cumulativeAmount: bigint | string, signature: Hex): string =>
  `${channelKey(client, modelId)}:${String(cumulativeAmount)}:${signature.toLowerCase()}`;

export class Ledger {
  private readonly results = new Map<Hex, StoredResult>();
  private readonly channels = new Map<string, Channel>();
  private readonly receiptJournal: Journal<StoredResult>;
  private readonly voucherJournal: Journal<VoucherRecord>;
  private readonly writeOffJournal: Journal<WriteOffRecord>;
  /** Where each receipt sits in its channel, to find it again from its request hash. */
  private readonly issuedByHash = new Map<Hex, { channel: Channel; issued: Issued }>();
  /** Vouchers the escrow refused: never sent again, so one bad voucher cannot stall settlement. */
  private readonly refused = new Set<string>();
  private readonly refusedJournal: Journal<RefusedRecord>;

  /** `fsync` replaces the journals' flush (tests count and inspect flushes). */
  constructor(dataDir: string, fsync?: Fsync) {
    const receiptsPath = join(dataDir, 'receipts.jsonl');
    const vouchersPath = join(dataDir, 'vouchers.jsonl');
    const writeOffsPath = join(dataDir, 'write-offs.jsonl');
    const refusedPath = join(dataDir, 'refused-vouchers.jsonl');
    for (const r of Journal.read<RefusedRecord>(refusedPath)) this.refused.add(voucherKey(r.client, r.modelId, r.cumulativeAmount, r.signature));
    for (const stored of Journal.read<StoredResult>(receiptsPath)) this.index(stored);
    for (const record of Journal.read<VoucherRecord>(vouchersPath)) {
      const { voucher, signature } = parseSignedVoucher({ path: 'voucher', value: record });
      const channel = this.channel(voucher.client, voucher.modelId);
      if (!channel.paid || voucher.cumulativeAmount > channel.paid.voucher.cumulativeAmount) {
        channel.paid = { voucher, signature };
        channel.held.push(channel.paid);
      }
    }
    for (const { requestHash, at } of Journal.read<WriteOffRecord>(writeOffsPath)) {
      const found = this.issuedByHash.get(requestHash);
      if (found) this.markWrittenOff(found.channel, found.issued, at);
    }
    this.receiptJournal = new Journal(receiptsPath, fsync);
    this.voucherJournal = new Journal(vouchersPath, fsync);
    this.writeOffJournal = new Journal(writeOffsPath, fsync);
    this.refusedJournal = new Journal(refusedPath, fsync);
  }

  close(): void {
    this.receiptJournal.close();
    this.voucherJournal.close();
    this.writeOffJournal.close();
    this.refusedJournal.close();
  }

  private channel(client: Address, modelId: Hex): Channel {
    const key = channelKey(client, modelId);
    let channel = this.channels.get(key);
    if (!channel) {
      channel = { client, modelId, issued: [], paid: undefined, held: [], redeemed: 0n, lastWriteOff: undefined };
      this.channels.set(key, channel);
    }
    return channel;
  }

  private index(stored: StoredResult): Receipt {
    const receipt = parseReceipt({ path: 'receipt', value: stored.receipt });
    this.results.set(receipt.requestHash, stored);
    const channel = this.channel(receipt.client, receipt.modelId);
    const issued: Issued = { requestHash: receipt.requestHash, channelTotal: receipt.channelTotal, issuedAt: stored.issuedAt, writtenOffAt: undefined };
    channel.issued.push(issued);
    this.issuedByHash.set(receipt.requestHash, { channel, issued });
    return receipt;
  }

  served(requestHash: Hex): boolean {
    return this.results.has(requestHash);
  }

  result(requestHash: Hex): StoredResult | undefined {
    return this.results.get(requestHash);
  }

  /**
   * Unpaid receipts issued after `since` (ms) and not written off: the ones still owed.
   * An older unpaid receipt is written off, the provider's one-request risk: its answer
   * most likely never reached the client (a crash or a timeout between computing and
   * answering), and it must neither block the channel nor be folded into what the
   * client pays next.
   */
  private owedReceipts(channel: Channel, since: number): Issued[] {
    const paid = paidOf(channel);
    return channel.issued.filter((r) => r.channelTotal > paid && r.issuedAt >= since && r.writtenOffAt === undefined);
  }

  /**
   * Called when the client's next request on a channel arrives, after the vouchers it
   * carries were taken: an unpaid receipt older than the payment window is one the
   * client never received: an answer lost on its way, a retry whose answer the gateway
   * no longer waited for, or a request its router gateway sent to more providers than
   * it answered with. Replays by anyone else are refused before they are served
   * (route-check.ts); this stays as the defence against what routing cannot rule out.
   * It is written off at once, so it neither blocks the channel nor counts in the next
   * total. At most one write-off per channel per grace period, so a client that
   * simply never pays still gets no more than one unpaid result per grace period.
   * A receipt younger than the window still counts: its voucher may be on its way.
   * Returns the request hashes written off.
   */
  writeOffUndelivered(client: Address, modelId: Hex, now: number, timing: CreditTiming): Hex[] {
    // A client with nothing issued here has nothing to write off: make it no channel.
    const channel = this.channels.get(channelKey(client, modelId));
    if (!channel || (channel.lastWriteOff !== undefined && now - channel.lastWriteOff < timing.graceMs)) return [];
    const undelivered = this.owedReceipts(channel, now - timing.graceMs).filter((r) => r.issuedAt <= now - timing.paymentWindowMs);
    for (const issued of undelivered) {
      this.writeOffJournal.append({ requestHash: issued.requestHash, at: now });
      this.markWrittenOff(channel, issued, now);
    }
    return undelivered.map((r) => r.requestHash);
  }

  private markWrittenOff(channel: Channel, issued: Issued, at: number): void {
    issued.writtenOffAt = at;
    channel.lastWriteOff = Math.max(channel.lastWriteOff ?? at, at);
  }

  /** The channelTotal the next receipt on this channel carries: what is paid or still owed, plus the fee. */
  nextTotal(client: Address, modelId: Hex, fee: bigint, since: number): bigint {
    const channel = this.channel(client, modelId);
    const owed = this.owedReceipts(channel, since);
    const base = owed.length > 0 ? owed[owed.length - 1]!.channelTotal : paidOf(channel);
    return base + fee;
  }

  /** The amount of the latest voucher accepted on the channel. */
  paidAmount(client: Address, modelId: Hex): bigint {
    return paidOf(this.channel(client, modelId));
  }

  /** Receipts on the channel that no accepted voucher covers yet and that are not written off. */
  unpaidCount(client: Address, modelId: Hex, since: number): number {
    return this.owedReceipts(this.channel(client, modelId), since).length;
  }

  /** Everything the client may still owe this provider: paid or owed, not yet redeemed from the escrow. */
  owedBy(client: Address, since: number): bigint {
    let owed = 0n;
    for (const channel of this.channels.values()) {
      if (channel.client.toLowerCase() !== client.toLowerCase()) continue;
      const live = this.owedReceipts(channel, since);
      const top = live.length > 0 ? live[live.length - 1]!.channelTotal : paidOf(channel);
      owed += top > channel.redeemed ? top - channel.redeemed : 0n;
    }
    return owed;
  }

  /**
   * Records a receipt and its result; answer only once the promise resolves (the
   * receipt is on disk). It counts on its channel at once, so the next receipt's total
   * and replays see it while the fsync runs.
   */
  recordResult(stored: StoredResult): Promise<void> {
    const synced = this.receiptJournal.appendSynced(stored);
    this.index(stored);
    return synced;
  }

  /**
   * Accepts a voucher whose signature was already checked: its amount must be the
   * channelTotal of a receipt issued here. Returns false for an amount already covered.
   */
  acceptVoucher(signed: SignedVoucher): boolean {
    const { client, modelId, cumulativeAmount } = signed.voucher;
    const channel = this.channel(client, modelId);
    const paid = paidOf(channel);
    if (cumulativeAmount <= paid) return false;
    // A receipt written off still takes its voucher: the client may have had it after all.
    if (!channel.issued.some((r) => r.channelTotal === cumulativeAmount)) {
      const unpaid = [...new Set(channel.issued.map((r) => r.channelTotal).filter((total) => total > paid))];
      throw new ProtocolError('VOUCHER_AMOUNT_WRONG', 'The voucher amount matches no receipt on its channel.', {
        details: [
          `channel: client ${client}, model ${modelId}`,
          `expected one of: ${unpaid.length ? unpaid.join(', ') : `nothing above ${paid} (no unpaid receipt)`}`,
          `got: ${cumulativeAmount}`,
        ],
      });
    }
    this.voucherJournal.append({ ...toWire(signed.voucher), signature: signed.signature });
    channel.paid = signed;
    channel.held.push(signed);
    return true;
  }

  /**
   * For every channel with something the escrow has not paid yet, its latest voucher
   * the escrow has not refused.
   */
  redeemable(): SignedVoucher[] {
    const due: SignedVoucher[] = [];
    for (const channel of this.channels.values()) {
      const best = channel.held.findLast((s) => !this.isRefused(s));
      if (best && best.voucher.cumulativeAmount > channel.redeemed) due.push(best);
    }
    return due;
  }

  private isRefused({ voucher, signature }: SignedVoucher): boolean {
    return this.refused.has(voucherKey(voucher.client, voucher.modelId, voucher.cumulativeAmount, signature));
  }

  /** Persists that the escrow refused this voucher, so no later round (or restart) sends it again. */
  refuseVoucher({ voucher, signature }: SignedVoucher, reason: string): void {
    const key = voucherKey(voucher.client, voucher.modelId, voucher.cumulativeAmount, signature);
    if (this.refused.has(key)) return;
    this.refusedJournal.append({ client: voucher.client, modelId: voucher.modelId, cumulativeAmount: voucher.cumulativeAmount.toString(), signature, reason });
    this.refused.add(key);
  }

  channelsOf(): { client: Address; modelId: Hex }[] {
    return [...this.channels.values()].map(({ client, modelId }) => ({ client, modelId }));
  }

  /** Records what the escrow reports as paid on a channel. */
  setRedeemed(client: Address, modelId: Hex, amount: bigint): void {
    const channel = this.channel(client, modelId);
    channel.redeemed = amount;
    // Vouchers the escrow has paid in full can never be redeemed again.
    channel.held = channel.held.filter((s) => s.voucher.cumulativeAmount > amount);
  }
}
