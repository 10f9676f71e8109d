// x402 v2 "exact" payments in the Trellis token, as every Trellis party builds and reads
// them (docs/x402.md): the payment option a provider asks for, the EIP-3009
// authorization a payment carries, and the inference request a paid call stands for, so
// that the provider's receipt binds the payment's authorization nonce like a signed
// request binds its own nonce.
import type { PaymentOption } from '@x402/core/http';
import type { AssetAmount, Network, PaymentPayload, PaymentRequirements } from '@x402/core/types';
import { isPaymentPayloadV2 } from '@x402/core/schemas';
import { decodePaymentSignatureHeader } from '@x402/core/http';
import { getAddress, isAddress, isHex, type Address, type Hex } from 'viem';
import type { InferenceRequest } from '../protocol/messages.ts';
import { X402Error } from './errors.ts';

export const EXACT_SCHEME = 'exact';
/** The token's EIP-712 domain (contracts/src/TrellisToken.sol): what an EIP-3009 authorization is signed under. */
export const TOKEN_EIP712 = Object.freeze({ name: 'Trellis USD', version: '1' });
/** How long a client's authorization may stay valid for one call (x402's maxTimeoutSeconds). */
export const PAYMENT_TIMEOUT_SECONDS = 120;
/** The header names of x402 v2 over HTTP. */
export const PAYMENT_SIGNATURE_HEADER = 'PAYMENT-SIGNATURE';
export const PAYMENT_REQUIRED_HEADER = 'PAYMENT-REQUIRED';
export const PAYMENT_RESPONSE_HEADER = 'PAYMENT-RESPONSE';
/** Where a paid inference is bought, per model: the path names what the payment is for. */
export const X402_INFER_PREFIX = '/x402/v1/infer/';

export const networkOf = (chainId: number): Network => `eip155:${chainId}`;

export type ExactTerms = { chainId: number; token: Address; payTo: Address; amount: bigint };

/**
 * The one payment option a provider offers for a call: its price in the Trellis token,
 * paid to itself. x402 has no default asset on a local chain, so the asset, the amount
 * and the token's EIP-712 name and version are all spelled out.
 */
export function exactPaymentOption(terms: ExactTerms): PaymentOption {
  return {
    scheme: EXACT_SCHEME,
    network: networkOf(terms.chainId),
    payTo: getAddress(terms.payTo),
    price: exactPrice(terms.token, terms.amount),
    maxTimeoutSeconds: PAYMENT_TIMEOUT_SECONDS,
  };
}

/** A price in the Trellis token, with the EIP-712 domain a client signs its authorization under. */
export const exactPrice = (token: Address, amount: bigint): AssetAmount => ({
  asset: getAddress(token),
  amount: amount.toString(),
  extra: { ...TOKEN_EIP712 },
});

/** An EIP-3009 TransferWithAuthorization, as an exact EVM payment carries it. */
export type Authorization = { from: Address; to: Address; value: bigint; validAfter: bigint; validBefore: bigint; nonce: Hex };
export type ExactPayment = { payload: PaymentPayload; authorization: Authorization; signature: Hex };

/** Decodes a PAYMENT-SIGNATURE header into an exact EIP-3009 payment; X402Error invalid_payload otherwise. */
export function decodeExactPayment(header: string): ExactPayment {
  let decoded: unknown;
  try {
    decoded = decodePaymentSignatureHeader(header.trim());
  } catch (cause) {
    throw new X402Error('invalid_payload', 'The PAYMENT-SIGNATURE header is not base64-encoded JSON.', { details: [`got ${header.length} characters`], cause });
  }
  return parseExactPayment(decoded);
}

export function parseExactPayment(value: unknown): ExactPayment {
  if (!isPaymentPayloadV2(value)) {
    throw new X402Error('invalid_payload', 'The payment is not an x402 version 2 payment payload.', {
      details: ['expected { x402Version: 2, accepted, payload }'],
    });
  }
  const inner = value.payload as { authorization?: Record<string, unknown>; signature?: unknown };
  const auth = inner.authorization;
  const bad = (field: string, got: unknown) =>
    new X402Error('invalid_payload', `The payment's ${field} is malformed.`, { details: [`got ${JSON.stringify(got) ?? String(got)}`] });
  if (typeof auth !== 'object' || auth === null) throw bad('payload.authorization', auth);
  const address = (field: 'from' | 'to'): Address => {
    const v = auth[field];
    if (typeof v !== 'string' || !isAddress(v)) throw bad(`authorization.${field}`, v);
    return getAddress(v);
  };
  const integer = (field: 'value' | 'validAfter' | 'validBefore'): bigint => {
    const v = auth[field];
    if (typeof v !== 'string' || !/^\d{1,78}$/.test(v)) throw bad(`authorization.${field}`, v);
    return BigInt(v);
  };
  const nonce = auth.nonce;
  if (typeof nonce !== 'string' || !isHex(nonce) || nonce.length !== 66) throw bad('authorization.nonce', nonce);
  if (typeof inner.signature !== 'string' || !isHex(inner.signature) || inner.signature.length < 132) throw bad('signature', inner.signature);
  return {
    // The schema checked the network's shape (namespace:reference) already.
    payload: value as PaymentPayload,
    authorization: {
      from: address('from'),
      to: address('to'),
      value: integer('value'),
      validAfter: integer('validAfter'),
      validBefore: integer('validBefore'),
      nonce: nonce.toLowerCase() as Hex,
    },
    signature: inner.signature,
  };
}

/** What identifies one authorization on chain: the token, its signer and its nonce. */
export const authorizationKey = (requirements: Pick<PaymentRequirements, 'network' | 'asset'>, authorization: Authorization): string =>
  `${requirements.network}:${requirements.asset.toLowerCase()}:${authorization.from.toLowerCase()}:${authorization.nonce.toLowerCase()}`;

/**
 * The inference request a paid call stands for. The payer is its client, the
 * authorization's nonce its nonce and validBefore its deadline, the amount its maxFee:
 * the provider's receipt names this request's hash, so it binds this one payment, and
 * anyone holding the payment and the input can recompute it. Its router is the payee:
 * the payment names the one provider that may serve it, whoever forwarded it.
 */
export function paidRequest(payment: ExactPayment, call: { modelId: Hex; inputHash: Hex; verification: number }): InferenceRequest {
  return {
    client: payment.authorization.from,
    modelId: call.modelId,
    inputHash: call.inputHash,
    maxFee: payment.authorization.value,
    nonce: BigInt(payment.authorization.nonce),
    deadline: payment.authorization.validBefore,
    verification: call.verification,
    router: payment.authorization.to,
  };
}
