// A client's own records, kept on disk so that nothing is lost across restarts: every
// receipt it received (its proof of what a provider computed, needed to dispute it)
// and the latest voucher it signed on every channel (what it has paid so far).
import { join } from 'node:path';
import type { Address, Hex } from 'viem';
import type { SignedVoucher } from '../payments/voucher.ts';
import type { Receipt } from '../protocol/messages.ts';
import { parseReceipt, parseSignedVoucher, toWire, type Wire } from '../protocol/wire.ts';
import { Journal } from '../storage/journal.ts';

export type StoredReceipt = {
  receipt: Wire<Receipt>;
  signature: Hex;
  output: number[];
  frac: number | null;
  verification: string;
};

type VoucherRecord = Wire<SignedVoucher['voucher']> & { signature: Hex };

const key = (provider: Address, modelId: Hex) => `${provider.toLowerCase()}:${modelId.toLowerCase()}`;

export class ClientState {
  private readonly receiptList: StoredReceipt[];
  private readonly latest = new Map<string, SignedVoucher>();
  private readonly receiptJournal: Journal<StoredReceipt>;
  private readonly voucherJournal: Journal<VoucherRecord>;

  constructor(dataDir: string) {
    const receiptsPath = join(dataDir, 'receipts.jsonl');
    const vouchersPath = join(dataDir, 'vouchers.jsonl');
    this.receiptList = Journal.read<StoredReceipt>(receiptsPath);
    for (const record of Journal.read<VoucherRecord>(vouchersPath)) this.remember(parseSignedVoucher({ path: 'voucher', value: record }));
    this.receiptJournal = new Journal(receiptsPath);
    this.voucherJournal = new Journal(vouchersPath);
  }

  close(): void {
    this.receiptJournal.close();
    this.voucherJournal.close();
  }

  receipts(): readonly StoredReceipt[] {
    return this.receiptList;
  }

  addReceipt(stored: StoredReceipt): void {
    this.receiptJournal.append(stored);
    this.receiptList.push(stored);
  }

  /** What the client has signed for on a channel so far. */
  paid(provider: Address, modelId: Hex): bigint {
    return this.latest.get(key(provider, modelId))?.voucher.cumulativeAmount ?? 0n;
  }

  /** Records a voucher the client signed; older amounts never replace newer ones. */
  addVoucher(signed: SignedVoucher): void {
    if (signed.voucher.cumulativeAmount <= this.paid(signed.voucher.provider, signed.voucher.modelId)) return;
    this.voucherJournal.append({ ...toWire(signed.voucher), signature: signed.signature });
    this.remember(signed);
  }

  /** The latest voucher of every channel on a model: attached to the next request. */
  vouchersFor(modelId: Hex): SignedVoucher[] {
    return [...this.latest.values()].filter((s) => s.voucher.modelId.toLowerCase() === modelId.toLowerCase());
  }

  allVouchers(): SignedVoucher[] {
    return [...this.latest.values()];
  }

  private remember(signed: SignedVoucher): void {
    this.latest.set(key(signed.voucher.provider, signed.voucher.modelId), signed);
  }

  /** Receipts with a given receipt field value, e.g. all of one provider. */
  static parse(stored: StoredReceipt): Receipt {
    return parseReceipt({ path: 'receipt', value: stored.receipt });
  }
}
