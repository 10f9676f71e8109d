// Refusals of x402 payments. The code is the x402 error reason itself
// (invalid_payload, invalid_exact_evm_nonce_already_used, ...), so an x402 client reads
// the same word in a Trellis error body as in a PAYMENT-REQUIRED header.
import { TrellisError } from '../errors.ts';

export class X402Error extends TrellisError {
  override name = 'X402Error';
}

/** The reason x402's exact EVM scheme gives for an authorization already used. */
export const NONCE_ALREADY_USED = 'invalid_exact_evm_nonce_already_used';
