// Refusals of x402 payments. The code is the x402 error reason itself
// (invalid_payload, invalid_exact_evm_nonce_already_used, ...), so an x402 client reads
// the same word in a Trellis error body as in a PAYMENT-REQUIRED header.
import { TrellisError, type TrellisErrorOptions } from '../errors.ts';
import type { ChannelState } from './batched-requirements.ts';

export class X402Error extends TrellisError {
  override name = 'X402Error';
}

/** The reason x402's exact EVM scheme gives for an authorization already used. */
export const NONCE_ALREADY_USED = 'invalid_exact_evm_nonce_already_used';

/**
 * A batched payment refused. `status` is the HTTP answer: 402 when paying again can
 * succeed (a stale or short voucher, an escrow to top up), with `channelState` so that
 * an honest client resyncs; 400 for a malformed or forged payment; 409 for a channel
 * busy with another call.
 */
export class BatchedRefusal extends X402Error {
  override name = 'BatchedRefusal';
  readonly status: 400 | 402 | 409;
  readonly channelState: ChannelState | undefined;

  constructor(code: string, message: string, status: 400 | 402 | 409, options: TrellisErrorOptions & { channelState?: ChannelState } = {}) {
    super(code, message, options);
    this.status = status;
    this.channelState = options.channelState;
  }
}
