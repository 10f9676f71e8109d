// The client's side of the batched scheme: the payload a PAYMENT-SIGNATURE carries and
// how it is signed. Shaped like x402's batch-settlement payloads: `type: "voucher"` with
// the channel config and the voucher (channelId, maxClaimableAmount, signature), or
// `type: "deposit"`, which adds an EIP-3009 deposit authorization the provider submits
// (Escrow.depositWithAuthorization). maxClaimableAmount is the voucher's cumulative
// amount: the most the escrow will ever pay on this channel for what was signed so far.
import { decodePaymentSignatureHeader } from '@x402/core/http';
import { isPaymentPayloadV2 } from '@x402/core/schemas';
import type { PaymentPayload } from '@x402/core/types';
import { getAddress, isAddress, isHex, type Address, type Hex, type LocalAccount } from 'viem';
import { signVoucher, type EscrowDomain, type Voucher } from '../payments/voucher.ts';
import type { InferenceRequest } from '../protocol/messages.ts';
import { channelIdOf, type ChannelConfig } from './batched-requirements.ts';
import { X402Error } from './errors.ts';
import { checkPaidResource } from './paid-resource.ts';
import { TOKEN_EIP712 } from './payment.ts';

/** An EIP-3009 ReceiveWithAuthorization to the escrow: only the escrow can execute it, and it credits the signer. */
export type DepositAuthorization = { from: Address; to: Address; value: bigint; validAfter: bigint; validBefore: bigint; nonce: Hex };

export type BatchedPayload = {
  type: 'voucher' | 'deposit';
  channelConfig: ChannelConfig & { payer: Address };
  voucher: { channelId: Hex; maxClaimableAmount: string; signature: Hex };
  deposit?: { amount: string; authorization: { erc3009Authorization: { validAfter: string; validBefore: string; nonce: Hex; signature: Hex } } };
};

/** A batched payment as the provider reads it. */
export type BatchedPayment = {
  payload: PaymentPayload;
  /** The channel's client: the voucher's and the deposit's signer. */
  payer: Address;
  config: ChannelConfig;
  voucher: Voucher;
  signature: Hex;
  deposit?: { authorization: DepositAuthorization; signature: Hex };
};

/** Who signs for a channel's client: its key, or the key its ERC-1271 contract accepts. */
export type BatchedSigner = {
  /** The channel's client, whose escrow balance pays. */
  address: Address;
  signVoucher(domain: EscrowDomain, voucher: Voucher): Promise<Hex>;
  signDeposit(token: { chainId: number; token: Address }, authorization: DepositAuthorization): Promise<Hex>;
};

export const receiveAuthorizationTypes = {
  ReceiveWithAuthorization: [
    { name: 'from', type: 'address' },
    { name: 'to', type: 'address' },
    { name: 'value', type: 'uint256' },
    { name: 'validAfter', type: 'uint256' },
    { name: 'validBefore', type: 'uint256' },
    { name: 'nonce', type: 'bytes32' },
  ],
} as const;

export const tokenDomain = ({ chainId, token }: { chainId: number; token: Address }) => ({ ...TOKEN_EIP712, chainId, verifyingContract: token }) as const;

/** A plain key as the channel's client: it signs its vouchers and deposits itself. */
export function localBatchedSigner(account: LocalAccount): BatchedSigner {
  return {
    address: getAddress(account.address),
    signVoucher: async (domain, voucher) => (await signVoucher(account, domain, voucher)).signature,
    signDeposit: (token, authorization) =>
      account.signTypedData({ domain: tokenDomain(token), types: receiveAuthorizationTypes, primaryType: 'ReceiveWithAuthorization', message: authorization }),
  };
}

export type BuildBatchedPayload = {
  chainId: number;
  config: ChannelConfig;
  cumulativeAmount: bigint;
  /** A deposit to make with this payment, if the escrow needs one. */
  deposit?: { amount: bigint; validBefore: bigint; nonce: Hex };
};

export async function buildBatchedPayload(signer: BatchedSigner, p: BuildBatchedPayload): Promise<BatchedPayload> {
  const payer = signer.address;
  const voucher: Voucher = { client: payer, provider: p.config.receiver, modelId: p.config.modelId, cumulativeAmount: p.cumulativeAmount };
  const signature = await signer.signVoucher({ chainId: p.chainId, escrow: p.config.escrow }, voucher);
  const payload: BatchedPayload = {
    type: p.deposit ? 'deposit' : 'voucher',
    channelConfig: { ...p.config, payer },
    voucher: { channelId: channelIdOf(payer, p.config.receiver, p.config.modelId), maxClaimableAmount: p.cumulativeAmount.toString(), signature },
  };
  if (p.deposit) {
    const authorization: DepositAuthorization = {
      from: payer,
      to: p.config.escrow,
      value: p.deposit.amount,
      validAfter: 0n,
      validBefore: p.deposit.validBefore,
      nonce: p.deposit.nonce,
    };
    const depositSignature = await signer.signDeposit({ chainId: p.chainId, token: p.config.token }, authorization);
    payload.deposit = {
      amount: p.deposit.amount.toString(),
      authorization: {
        erc3009Authorization: { validAfter: '0', validBefore: p.deposit.validBefore.toString(), nonce: p.deposit.nonce, signature: depositSignature },
      },
    };
  }
  return payload;
}

/**
 * Reads a PAYMENT-SIGNATURE header of the batched scheme sent to `path`: the header
 * decoded, the payload parsed, the resource it names checked. X402Error invalid_payload
 * otherwise, naming what is wrong.
 */
export function readBatchedPaymentHeader(header: string, path: string): BatchedPayment {
  let decoded: unknown;
  try {
    decoded = decodePaymentSignatureHeader(header.trim());
  } catch {
    throw new X402Error('invalid_payload', 'The PAYMENT-SIGNATURE header is not base64-encoded JSON.');
  }
  const payment = parseBatchedPayment(decoded);
  checkPaidResource(payment.payload, path);
  return payment;
}

/** Reads a PAYMENT-SIGNATURE payload of the batched scheme; X402Error invalid_payload, naming the field, otherwise. */
export function parseBatchedPayment(value: unknown): BatchedPayment {
  if (!isPaymentPayloadV2(value)) {
    throw new X402Error('invalid_payload', 'The payment is not an x402 version 2 payment payload.', {
      details: ['expected { x402Version: 2, accepted, payload }'],
    });
  }
  const inner = value.payload as Partial<BatchedPayload>;
  const bad = (field: string, got: unknown) =>
    new X402Error('invalid_payload', `The batched payment's ${field} is malformed.`, { details: [`got ${JSON.stringify(got)?.slice(0, 80)}`] });
  const address = (field: string, v: unknown): Address => {
    if (typeof v !== 'string' || !isAddress(v)) throw bad(field, v);
    return getAddress(v);
  };
  const integer = (field: string, v: unknown): bigint => {
    if (typeof v !== 'string' || !/^\d{1,78}$/.test(v)) throw bad(field, v);
    return BigInt(v);
  };
  const hex = (field: string, v: unknown, length?: number): Hex => {
    if (typeof v !== 'string' || !isHex(v) || (length !== undefined && v.length !== length)) throw bad(field, v);
    return v.toLowerCase() as Hex;
  };
  if (typeof inner !== 'object' || inner === null) throw bad('payload', inner);
  if (inner.type !== 'voucher' && inner.type !== 'deposit') throw bad('type', inner.type);
  const c = inner.channelConfig as Record<string, unknown> | undefined;
  if (typeof c !== 'object' || c === null) throw bad('channelConfig', c);
  const payer = address('channelConfig.payer', c.payer);
  const config: ChannelConfig = {
    escrow: address('channelConfig.escrow', c.escrow),
    receiver: address('channelConfig.receiver', c.receiver),
    modelId: hex('channelConfig.modelId', c.modelId, 66),
    token: address('channelConfig.token', c.token),
    withdrawDelay: Number.isSafeInteger(c.withdrawDelay) ? (c.withdrawDelay as number) : Number.NaN,
  };
  const v = inner.voucher as Record<string, unknown> | undefined;
  if (typeof v !== 'object' || v === null) throw bad('voucher', v);
  const channelId = hex('voucher.channelId', v.channelId, 66);
  if (channelId !== channelIdOf(payer, config.receiver, config.modelId)) {
    throw new X402Error('invalid_payload', "The voucher's channelId is not the channel of its payer, receiver and model.", {
      details: [`channelId: ${channelId}`, `channel of the config: ${channelIdOf(payer, config.receiver, config.modelId)}`],
    });
  }
  const cumulativeAmount = integer('voucher.maxClaimableAmount', v.maxClaimableAmount);
  const signature = hex('voucher.signature', v.signature);
  const payment: BatchedPayment = {
    payload: value as PaymentPayload,
    payer,
    config,
    voucher: { client: payer, provider: config.receiver, modelId: config.modelId, cumulativeAmount },
    signature,
  };
  if (inner.type === 'deposit') {
    const d = inner.deposit as Record<string, unknown> | undefined;
    const a = (d?.authorization as Record<string, unknown> | undefined)?.erc3009Authorization as Record<string, unknown> | undefined;
    if (!d || !a) throw bad('deposit', d);
    payment.deposit = {
      authorization: {
        from: payer,
        to: config.escrow,
        value: integer('deposit.amount', d.amount),
        validAfter: integer('deposit.authorization.erc3009Authorization.validAfter', a.validAfter),
        validBefore: integer('deposit.authorization.erc3009Authorization.validBefore', a.validBefore),
        nonce: hex('deposit.authorization.erc3009Authorization.nonce', a.nonce, 66),
      },
      signature: hex('deposit.authorization.erc3009Authorization.signature', a.signature),
    };
  }
  return payment;
}

/**
 * The inference request a batched call stands for: the payer is its client, the
 * voucher's cumulative amount its nonce (one per channel step), the price its maxFee, no
 * deadline (a voucher has none), the payee its router. The receipt names its hash, so it
 * binds this voucher, and anyone holding the payment and the input recomputes it.
 */
export function batchedRequest(payment: BatchedPayment, call: { price: bigint; inputHash: Hex; verification: number }): InferenceRequest {
  return {
    client: payment.payer,
    modelId: payment.config.modelId,
    inputHash: call.inputHash,
    maxFee: call.price,
    nonce: payment.voucher.cumulativeAmount,
    deadline: 0n,
    verification: call.verification,
    router: payment.config.receiver,
  };
}
