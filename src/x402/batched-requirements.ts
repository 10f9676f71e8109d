// The batched x402 scheme over the Trellis escrow channel (docs/x402.md, "Batched
// payments"): what a provider's 402 offers beside `exact`. The shape follows x402's
// `batch-settlement` scheme: the requirement names the price per call, the token as
// asset with its EIP-712 domain, payTo the provider, and in `extra` the channel's
// config, which here is the Escrow's channel (client, provider, model) rather than a
// batch-settlement contract's. A payment is then one cumulative voucher per call, with
// a deposit authorization when the client's escrow needs topping up.
import type { PaymentRequirements } from '@x402/core/types';
import { encodeAbiParameters, getAddress, isAddress, isHex, keccak256, type Address, type Hex } from 'viem';
import { X402Error } from './errors.ts';
import { networkOf, PAYMENT_TIMEOUT_SECONDS, TOKEN_EIP712 } from './payment.ts';

/**
 * The scheme's name. Not x402's `batch-settlement`: the channel contract, its voucher type
 * and its deposit are Trellis's Escrow's, so a stock batch-settlement client would sign
 * for a contract that is not there.
 */
export const BATCHED_SCHEME = 'trellis-escrow';

/** Must match IEscrow: the domain a voucher is signed under. */
export const ESCROW_EIP712 = Object.freeze({ name: 'Trellis Escrow', version: '1' });

/**
 * x402's channel config, Trellis's way. x402 names payer, payerAuthorizer, receiver,
 * receiverAuthorizer, token, withdrawDelay and salt; the Escrow's channel is (payer,
 * receiver, modelId) in one escrow, so `escrow` and `modelId` take the salt's place, no
 * receiverAuthorizer exists (only the receiver redeems, itself), and the payer's
 * authorizer is whatever its address accepts as its signature (its key, or its ERC-1271
 * contract: an agent's account delegates to its session key). The requirement leaves
 * `payer` out: the client fills it in.
 */
export type ChannelConfig = {
  escrow: Address;
  receiver: Address;
  modelId: Hex;
  token: Address;
  /** The escrow's withdrawal notice in seconds: how long a balance keeps backing vouchers once its withdrawal is asked. */
  withdrawDelay: number;
};

/** The channel's state as the provider holds it: sent back on a refusal so an honest client can resync. */
export type ChannelState = {
  channelId: Hex;
  /** The payer's escrow balance, less any pending withdrawal. */
  balance: string;
  /** What the escrow has paid on this channel (x402's totalClaimed). */
  totalClaimed: string;
  /** The latest cumulative amount the provider accepted; the next voucher is this plus the price. */
  chargedCumulativeAmount: string;
  /** The client's own signature over that amount, so the client can check it signed it. */
  signature?: Hex;
};

export type BatchedExtra = {
  name: string;
  version: string;
  channelConfig: ChannelConfig;
  escrowDomain: { name: string; version: string };
  /** Deposits are EIP-3009 receive authorizations to the escrow (Escrow.depositWithAuthorization). */
  assetTransferMethod: 'eip3009';
  /** The smallest deposit the provider submits (it pays the deposit's gas), base units. */
  minDeposit: string;
  channelState?: ChannelState;
};

export type BatchedRequirements = PaymentRequirements & { extra: BatchedExtra };

export type BatchedTerms = {
  chainId: number;
  token: Address;
  escrow: Address;
  provider: Address;
  modelId: Hex;
  price: bigint;
  withdrawDelay: number;
  minDeposit: bigint;
};

/** The batched requirement a provider offers for one model. */
export function batchedRequirements(terms: BatchedTerms): BatchedRequirements {
  return {
    scheme: BATCHED_SCHEME,
    network: networkOf(terms.chainId),
    asset: getAddress(terms.token),
    amount: terms.price.toString(),
    payTo: getAddress(terms.provider),
    maxTimeoutSeconds: PAYMENT_TIMEOUT_SECONDS,
    extra: {
      ...TOKEN_EIP712,
      channelConfig: {
        escrow: getAddress(terms.escrow),
        receiver: getAddress(terms.provider),
        modelId: terms.modelId,
        token: getAddress(terms.token),
        withdrawDelay: terms.withdrawDelay,
      },
      escrowDomain: { ...ESCROW_EIP712 },
      assetTransferMethod: 'eip3009',
      minDeposit: terms.minDeposit.toString(),
    },
  };
}

/** The Escrow's channel key: keccak256(abi.encode(client, provider, modelId)), as `Escrow.channelId`. */
export const channelIdOf = (client: Address, provider: Address, modelId: Hex): Hex =>
  keccak256(encodeAbiParameters([{ type: 'address' }, { type: 'address' }, { type: 'bytes32' }], [client, provider, modelId]));

/** Reads a requirement as the batched scheme's, or says which field is wrong. */
export function parseBatchedRequirements(value: PaymentRequirements): BatchedRequirements {
  const bad = (what: string) => new X402Error('invalid_payment_requirements', `The batched payment requirement is malformed: ${what}.`);
  if (value.scheme !== BATCHED_SCHEME) throw bad(`scheme ${value.scheme} is not ${BATCHED_SCHEME}`);
  const extra = value.extra as Partial<BatchedExtra> | undefined;
  const config = extra?.channelConfig as Partial<ChannelConfig> | undefined;
  if (!config || typeof config !== 'object') throw bad('extra.channelConfig is missing');
  for (const field of ['escrow', 'receiver', 'token'] as const) {
    if (typeof config[field] !== 'string' || !isAddress(config[field])) throw bad(`extra.channelConfig.${field} is not an address`);
  }
  if (typeof config.modelId !== 'string' || !isHex(config.modelId) || config.modelId.length !== 66) throw bad('extra.channelConfig.modelId is not a bytes32');
  if (!Number.isSafeInteger(config.withdrawDelay)) throw bad('extra.channelConfig.withdrawDelay is not a number of seconds');
  if (!/^\d+$/.test(value.amount) || BigInt(value.amount) === 0n) throw bad(`amount ${value.amount} is not a positive integer`);
  if (typeof extra?.minDeposit !== 'string' || !/^\d+$/.test(extra.minDeposit)) throw bad('extra.minDeposit is not an integer');
  if (getAddress(config.receiver as Address) !== getAddress(value.payTo)) throw bad('the channel receiver is not payTo');
  if (getAddress(config.token as Address) !== getAddress(value.asset)) throw bad('the channel token is not the asset');
  return value as BatchedRequirements;
}
