// What each client has paid each provider, as far as this gateway has seen: the
// largest voucher amount per channel among the vouchers that passed through it and
// that the provider accepted (a provider takes only the amount of a receipt it issued,
// so a client cannot raise what the gateway expects with a voucher of its own making).
// With it the gateway knows the one channel total an honest receipt may carry (what
// was paid plus the fee, src/protocol/channel-total.ts) and refuses an inflated one
// before the client ever sees it. Bounded: the oldest channels are forgotten first.
import { getAddress, type Address, type Hex } from 'viem';
import { recoverVoucherSigner, type EscrowDomain, type SignedVoucher } from '../payments/voucher.ts';
import { ProtocolError } from '../protocol/errors.ts';

export const DEFAULT_VOUCHER_BOOK_CHANNELS = 100_000;

const keyOf = (client: Address, provider: Address, modelId: Hex) => `${client.toLowerCase()}:${provider.toLowerCase()}:${modelId.toLowerCase()}`;

export class VoucherBook {
  private readonly paid = new Map<string, bigint>();

  constructor(
    private readonly domain: EscrowDomain,
    private readonly capacity = DEFAULT_VOUCHER_BOOK_CHANNELS,
  ) {}

  /**
   * Checks the signature of every voucher above what is already known on its channel;
   * VOUCHER_INVALID names the first bad one. (One at or below it changes nothing for
   * its provider, which skips it the same way.)
   */
  async verify(vouchers: readonly SignedVoucher[]): Promise<void> {
    for (const [i, signed] of vouchers.entries()) {
      const { voucher } = signed;
      if (this.held(signed)) continue;
      const signer = await recoverVoucherSigner(this.domain, signed).catch(() => undefined);
      if (signer === undefined || getAddress(signer) !== getAddress(voucher.client)) {
        throw new ProtocolError('VOUCHER_INVALID', "A voucher signature is not its client's.", {
          details: [`vouchers[${i}]: client ${voucher.client}, provider ${voucher.provider}`, `recovered signer: ${signer ?? 'none'}`],
        });
      }
    }
  }

  /** Records vouchers their provider accepted (it served a request carrying them, or took them by POST). */
  record(vouchers: readonly SignedVoucher[]): void {
    for (const { voucher } of vouchers) {
      const key = keyOf(voucher.client, voucher.provider, voucher.modelId);
      if (voucher.cumulativeAmount <= (this.paid.get(key) ?? -1n)) continue;
      this.paid.delete(key);
      this.paid.set(key, voucher.cumulativeAmount);
      while (this.paid.size > this.capacity) this.paid.delete(this.paid.keys().next().value as string);
    }
  }

  /**
   * Whether the voucher's provider already accepted one at least as large on its
   * channel: sending it again changes nothing there, so the gateway does not.
   */
  held({ voucher }: SignedVoucher): boolean {
    return voucher.cumulativeAmount <= (this.paidOn(voucher.client, voucher.provider, voucher.modelId) ?? -1n);
  }

  /** The largest amount seen on a channel; undefined when none passed through here. */
  paidOn(client: Address, provider: Address, modelId: Hex): bigint | undefined {
    return this.paid.get(keyOf(client, provider, modelId));
  }
}
