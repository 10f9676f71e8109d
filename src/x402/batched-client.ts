// The batched scheme for an x402 client (x402's SchemeNetworkClient, so `@x402/fetch`
// pays with it like with `exact`): it keeps, per channel, the cumulative amount the
// provider confirmed, signs the next voucher at that plus the price, and adds a deposit
// authorization when its escrow cover would not pay for the call. What a call charged
// counts only once its answer says so (`confirm`): a call that failed signed a voucher
// that the provider dropped, and the next call signs the same amount again.
import { decodePaymentRequiredHeader, decodePaymentResponseHeader } from '@x402/core/http';
import type { PaymentPayloadResult, PaymentRequirements, SchemeClientHooks, SchemeNetworkClient } from '@x402/core/types';
import { getAddress, keccak256, toHex, type Address, type Hex } from 'viem';
import type { Connection } from '../chain/connect.ts';
import { escrowAbi } from '../chain/generated/Escrow.ts';
import { buildBatchedPayload, type BatchedSigner } from './batched-payload.ts';
import { BATCHED_SCHEME, channelIdOf, parseBatchedRequirements, type BatchedRequirements } from './batched-requirements.ts';
import { signedByClient } from './batched-check.ts';
import { PAYMENT_REQUIRED_HEADER, PAYMENT_RESPONSE_HEADER, PAYMENT_TIMEOUT_SECONDS } from './payment.ts';

export type BatchedClientOptions = {
  signer: BatchedSigner;
  /** Reads the escrow (balances, what each channel has redeemed). */
  connection: Connection;
  chainId: number;
  /** How much to deposit when the escrow is short, given the requirement and the least that pays this call. */
  depositAmount?: (requirements: BatchedRequirements, needed: bigint) => bigint;
  /** Called before a deposit is signed (an agent checks its permission here); a throw refuses the payment. */
  beforeDeposit?: (amount: bigint, escrow: Address) => Promise<void>;
};

type Pending = { channelId: Hex; cumulativeAmount: bigint; price: bigint; escrow: Address; deposit: bigint };

export class BatchedEscrowClient implements SchemeNetworkClient {
  readonly scheme = BATCHED_SCHEME;
  /** Per channel: the cumulative amount confirmed by the provider. */
  private readonly charged = new Map<Hex, bigint>();
  private readonly channels = new Map<Hex, { provider: Address; modelId: Hex }>();
  /** Per escrow: what the balance still pays, after what this client signed and was not yet redeemed. */
  private readonly cover = new Map<Address, bigint>();
  private pending: Pending | undefined;
  private depositCount = 0;

  /**
   * x402's client calls this after the paid retry. A 402 whose channel state moves this
   * client's count (it restarted, or lost an answer the provider holds a voucher for) is
   * a recovery: x402 retries at once with a voucher built on the resynced total.
   */
  readonly schemeHooks: SchemeClientHooks = {
    onPaymentResponse: async ({ paymentRequired }) => {
      const pending = this.pending;
      if (!pending || !paymentRequired) return;
      const before = this.charged.get(pending.channelId);
      await this.resyncFrom(paymentRequired.accepts, pending);
      if (this.charged.get(pending.channelId) !== before) return { recovered: true };
    },
  };

  constructor(private readonly options: BatchedClientOptions) {}

  get payer(): Address {
    return this.options.signer.address;
  }

  async createPaymentPayload(x402Version: number, requirements: PaymentRequirements): Promise<PaymentPayloadResult> {
    const req = parseBatchedRequirements(requirements);
    const config = req.extra.channelConfig;
    const channelId = channelIdOf(this.payer, config.receiver, config.modelId);
    const price = BigInt(req.amount);
    const charged = this.charged.get(channelId) ?? (await this.redeemed(config.escrow, config.receiver, config.modelId));
    this.charged.set(channelId, charged);
    this.channels.set(channelId, { provider: config.receiver, modelId: config.modelId });
    let cover = this.cover.get(config.escrow) ?? (await this.readCover(config.escrow));
    if (cover < price) cover = await this.readCover(config.escrow);
    let deposit: { amount: bigint; validBefore: bigint; nonce: Hex } | undefined;
    if (cover < price) {
      const least = price - cover;
      const minimum = BigInt(req.extra.minDeposit);
      const wanted = this.options.depositAmount?.(req, least) ?? (least > minimum ? least : minimum);
      const amount = wanted > least ? wanted : least;
      await this.options.beforeDeposit?.(amount, config.escrow);
      const now = BigInt(Math.floor(Date.now() / 1000));
      // A fresh nonce per deposit: the payer, the channel and a counter, hashed.
      const nonce = keccak256(toHex(`${this.payer}:${channelId}:${charged}:${now}:${this.depositCount++}`));
      deposit = { amount, validBefore: now + BigInt(PAYMENT_TIMEOUT_SECONDS), nonce };
    }
    const cumulativeAmount = charged + price;
    const payload = await buildBatchedPayload(this.options.signer, { chainId: this.options.chainId, config, cumulativeAmount, deposit });
    this.pending = { channelId, cumulativeAmount, price, escrow: config.escrow, deposit: deposit?.amount ?? 0n };
    return { x402Version, payload: payload as unknown as Record<string, unknown> };
  }

  /**
   * Reads the answer to the paid retry. A PAYMENT-RESPONSE that confirms the voucher makes
   * it the channel's new total. A 402 that states the channel's state resyncs it, but only
   * to an amount this client's own signature covers (a provider cannot make it sign on
   * from a total it invented). Returns the amount the call charged, if it did.
   */
  async confirm(response: Response): Promise<{ cumulativeAmount: bigint; price: bigint; depositTransaction?: Hex } | undefined> {
    const pending = this.pending;
    this.pending = undefined;
    if (!pending) return undefined;
    const paid = response.headers.get(PAYMENT_RESPONSE_HEADER);
    if (response.status < 400 && paid !== null) {
      const settled = decodePaymentResponseHeader(paid);
      const extra = (settled.extra ?? {}) as { chargedCumulativeAmount?: string; depositTransaction?: Hex };
      if (settled.success && extra.chargedCumulativeAmount === pending.cumulativeAmount.toString()) {
        this.charged.set(pending.channelId, pending.cumulativeAmount);
        this.cover.set(pending.escrow, (this.cover.get(pending.escrow) ?? 0n) + pending.deposit - pending.price);
        return { cumulativeAmount: pending.cumulativeAmount, price: pending.price, depositTransaction: extra.depositTransaction };
      }
    }
    // A deposit may have landed even if the call failed: read the cover again next time.
    this.cover.delete(pending.escrow);
    const required = response.headers.get(PAYMENT_REQUIRED_HEADER);
    if (response.status === 402 && required !== null) await this.resync(required, pending);
    return undefined;
  }

  private resync(header: string, pending: Pending): Promise<void> {
    return this.resyncFrom(decodePaymentRequiredHeader(header).accepts, pending);
  }

  private async resyncFrom(accepts: readonly PaymentRequirements[], pending: Pending): Promise<void> {
    const offer = accepts.find((a) => a.scheme === BATCHED_SCHEME);
    const state = (offer?.extra as { channelState?: { channelId?: string; chargedCumulativeAmount?: string; signature?: Hex } } | undefined)?.channelState;
    if (!offer || !state || state.channelId?.toLowerCase() !== pending.channelId.toLowerCase() || !/^\d+$/.test(state.chargedCumulativeAmount ?? '')) return;
    const amount = BigInt(state.chargedCumulativeAmount!);
    const config = parseBatchedRequirements(offer).extra.channelConfig;
    const redeemed = await this.redeemed(config.escrow, config.receiver, config.modelId);
    if (amount === redeemed) {
      this.charged.set(pending.channelId, amount);
      return;
    }
    if (!state.signature) return;
    const voucher = { client: this.payer, provider: config.receiver, modelId: config.modelId, cumulativeAmount: amount };
    const domain = { chainId: this.options.chainId, escrow: config.escrow };
    if (await signedByClient(this.options.connection, domain, voucher, state.signature)) this.charged.set(pending.channelId, amount);
  }

  private redeemed(escrow: Address, provider: Address, modelId: Hex): Promise<bigint> {
    return this.options.connection.publicClient.readContract({
      address: escrow,
      abi: escrowAbi,
      functionName: 'redeemed',
      args: [this.payer, provider, modelId],
    });
  }

  /** The escrow balance less a pending withdrawal and less what this client signed and was not redeemed yet. */
  private async readCover(escrow: Address): Promise<bigint> {
    const read = this.options.connection.publicClient;
    const on = { address: getAddress(escrow), abi: escrowAbi } as const;
    const [balance, pending] = await Promise.all([
      read.readContract({ ...on, functionName: 'balanceOf', args: [this.payer] }),
      read.readContract({ ...on, functionName: 'pendingWithdrawal', args: [this.payer] }),
    ]);
    let cover = balance > pending.amount ? balance - pending.amount : 0n;
    for (const [channelId, charged] of this.charged) {
      const channel = this.channels.get(channelId);
      if (!channel) continue;
      const redeemed = await this.redeemed(escrow, channel.provider, channel.modelId);
      cover -= charged > redeemed ? charged - redeemed : 0n;
    }
    this.cover.set(escrow, cover);
    return cover;
  }
}
