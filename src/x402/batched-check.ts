// The provider's check of a batched payment, before anything runs. The voucher is read
// like any voucher of the escrow channel: for this channel (payer, this provider, the
// model in the path) of this escrow, at exactly what the provider holds plus the price
// (lower or equal would pay nothing new; higher is not what this call costs), signed by
// the channel's client (its key, or its ERC-1271 contract: an agent's account), and
// covered by the client's escrow balance less any pending withdrawal and less what the
// client already owes this provider. A deposit the payment carries is submitted first
// (the provider pays its gas, so it must be at least the minimum the 402 named).
// Refusals are BatchedRefusal with the channel's state, so an honest client resyncs.
// An ordinary check reads nothing from the chain: the escrow's figures come from the
// node's tracker (escrow-tracker.ts), and a key's signature is recovered here. Only a
// contract client costs a call (its ERC-1271 answer), as it would cost the escrow.
import { parseAbi, type Address, type Hex } from 'viem';
import type { Connection, SignerConnection } from '../chain/connect.ts';
import { escrowAbi } from '../chain/generated/Escrow.ts';
import { spendPermissionsAbi } from '../chain/generated/SpendPermissions.ts';
import { trellisTokenAbi } from '../chain/generated/TrellisToken.ts';
import { explainRevert } from '../chain/revert-reason.ts';
import { writeContract } from '../chain/write.ts';
import { voucherDigest, type EscrowDomain, type Voucher } from '../payments/voucher.ts';
import { recoverDigestSigner } from '../protocol/signatures.ts';
import type { Ledger } from '../provider/ledger.ts';
import type { BatchedPayment } from './batched-payload.ts';
import { channelIdOf, type BatchedRequirements, type ChannelState } from './batched-requirements.ts';
import type { BatchedVouchers } from './batched-vouchers.ts';
import { BatchedRefusal } from './errors.ts';

export type BatchedCheckInit = {
  connection: SignerConnection;
  domain: EscrowDomain;
  ledger: Ledger;
  vouchers: BatchedVouchers;
  /** What a client's escrow can still pay: the node's one check, the one signed requests use. */
  escrowAvailable: (client: Address) => Promise<bigint>;
  /** What the escrow has paid on a channel so far (`Escrow.redeemed`): the same tracker's. */
  escrowRedeemed: (client: Address, provider: Address, modelId: Hex) => Promise<bigint>;
  /** Called once a deposit this node submitted is mined, before the escrow is read again. */
  afterDeposit?: () => Promise<void>;
};

export type CheckedBatched = {
  payment: BatchedPayment;
  price: bigint;
  /** The deposit this payment made, if it carried one. */
  depositTransaction?: Hex;
};

/** Errors a deposit can revert with: the escrow's, the token's, and an agent account's permission's. */
const depositErrorsAbi = [...escrowAbi, ...trellisTokenAbi, ...spendPermissionsAbi].filter((item) => item.type === 'error');

/** What the provider knows of a channel, sent back with every refusal. */
export async function channelState(
  init: BatchedCheckInit,
  client: Address,
  modelId: Hex,
): Promise<ChannelState & { available: bigint; redeemed: bigint; held: bigint }> {
  const { account } = init.connection;
  const [available, redeemed] = await Promise.all([init.escrowAvailable(client), init.escrowRedeemed(client, account.address, modelId)]);
  const latest = init.vouchers.get(client, modelId);
  const ledgerHeld = init.ledger.paidAmount(client, modelId);
  const held = [ledgerHeld, redeemed, latest?.voucher.cumulativeAmount ?? 0n].reduce((a, b) => (a > b ? a : b));
  return {
    channelId: channelIdOf(client, account.address, modelId),
    balance: available.toString(),
    totalClaimed: redeemed.toString(),
    chargedCumulativeAmount: held.toString(),
    ...(latest && latest.voucher.cumulativeAmount === held ? { signature: latest.signature } : {}),
    available,
    redeemed,
    held,
  };
}

const erc1271Abi = parseAbi(['function isValidSignature(bytes32 hash, bytes signature) view returns (bytes4)']);
const ERC1271_MAGIC = '0x1626ba7e';

/**
 * True when `signature` is the voucher client's, decided as the escrow decides it
 * (Escrow._isClientSignature): the key that signed the digest (recovered here, in
 * libsecp256k1) is the client, or else the client's contract answers ERC-1271 for that
 * same digest. One hash of the voucher serves both.
 */
export async function signedByClient(connection: Connection, domain: EscrowDomain, voucher: Voucher, signature: Hex): Promise<boolean> {
  const digest = voucherDigest(domain, voucher);
  let recovered: Address | undefined;
  try {
    recovered = recoverDigestSigner(digest, signature);
  } catch {
    // Not an ECDSA signature (a contract client's, say): its contract decides.
  }
  if (recovered !== undefined && recovered.toLowerCase() === voucher.client.toLowerCase()) return true;
  const answer = await connection.publicClient
    .readContract({ address: voucher.client, abi: erc1271Abi, functionName: 'isValidSignature', args: [digest, signature] })
    .catch(() => undefined);
  return answer === ERC1271_MAGIC;
}

export async function checkBatchedPayment(init: BatchedCheckInit, payment: BatchedPayment, requirements: BatchedRequirements): Promise<CheckedBatched> {
  const ours = requirements.extra.channelConfig;
  const { config, payer, voucher } = payment;
  const accepted = payment.payload.accepted;
  const mismatch: string[] = [];
  for (const [field, got, want] of [
    ['accepted.scheme', accepted.scheme, requirements.scheme],
    ['accepted.network', accepted.network, requirements.network],
    ['accepted.asset', accepted.asset?.toLowerCase(), requirements.asset.toLowerCase()],
    ['accepted.payTo', accepted.payTo?.toLowerCase(), requirements.payTo.toLowerCase()],
    ['accepted.amount', accepted.amount, requirements.amount],
    ['channelConfig.escrow', config.escrow, ours.escrow],
    ['channelConfig.receiver', config.receiver, ours.receiver],
    ['channelConfig.modelId', config.modelId.toLowerCase(), ours.modelId.toLowerCase()],
    ['channelConfig.token', config.token, ours.token],
    ['channelConfig.withdrawDelay', String(config.withdrawDelay), String(ours.withdrawDelay)],
  ] as const) {
    if (got !== want) mismatch.push(`${field}: expected ${want}, got ${got}`);
  }
  if (mismatch.length > 0) {
    throw new BatchedRefusal('invalid_batched_channel', "The payment is not for this provider's channel and price.", 402, { details: mismatch });
  }
  const price = BigInt(requirements.amount);
  const domain = init.domain;
  if (!(await signedByClient(init.connection, domain, voucher, payment.signature))) {
    throw new BatchedRefusal('invalid_batched_signature', "The voucher is not signed by the channel's client.", 400, {
      details: [`client: ${payer}`, 'a key signs its own vouchers; a contract client (an agent account) answers ERC-1271'],
    });
  }
  let depositTransaction: Hex | undefined;
  if (payment.deposit) {
    depositTransaction = await submitDeposit(init, payment, BigInt(requirements.extra.minDeposit));
    await init.afterDeposit?.();
  }

  const state = await channelState(init, payer, config.modelId);
  const { available: _a, redeemed: _r, held: _h, ...publicState } = state;
  const expected = state.held + price;
  if (voucher.cumulativeAmount <= state.held) {
    throw new BatchedRefusal('invalid_batched_voucher_stale', 'The voucher does not raise the channel above what this provider already holds.', 402, {
      details: [`held: ${state.held}`, `voucher: ${voucher.cumulativeAmount}`, `expected: ${expected}`],
      channelState: publicState,
    });
  }
  if (voucher.cumulativeAmount !== expected) {
    throw new BatchedRefusal('invalid_batched_voucher_amount', 'The voucher is not what this provider holds plus the price of one call.', 402, {
      details: [`held: ${state.held}`, `price: ${price}`, `expected: ${expected}`, `voucher: ${voucher.cumulativeAmount}`],
      channelState: publicState,
    });
  }
  // Since 0: a batched receipt is paid by its voucher at once; only signed-request receipts can be owed.
  const owed = init.ledger.owedBy(payer, 0);
  const onThisChannel = state.held > state.redeemed ? state.held - state.redeemed : 0n;
  // The ledger's redeemed figure may lag the chain's: take the larger of the two debts.
  const owedElsewhere = owed > onThisChannel ? owed : onThisChannel;
  if (owedElsewhere + price > state.available) {
    throw new BatchedRefusal('insufficient_escrow', "The client's escrow does not cover this call.", 402, {
      details: [
        `escrow available: ${state.available}`,
        `owed to this provider: ${owedElsewhere}`,
        `price: ${price}`,
        'deposit more (a payload of type deposit)',
      ],
      channelState: publicState,
    });
  }
  return { payment, price, ...(depositTransaction ? { depositTransaction } : {}) };
}

/** Submits the payment's deposit authorization to the escrow and waits for it; refuses by the contract's reason. */
async function submitDeposit(init: BatchedCheckInit, payment: BatchedPayment, minDeposit: bigint): Promise<Hex> {
  const deposit = payment.deposit!;
  const a = deposit.authorization;
  if (a.value < minDeposit) {
    throw new BatchedRefusal('invalid_batched_deposit', 'The deposit is below the minimum this provider submits.', 402, {
      details: [`deposit: ${a.value}`, `minimum: ${minDeposit}`],
    });
  }
  const { publicClient, account } = init.connection;
  const request = {
    account,
    address: init.domain.escrow,
    abi: escrowAbi,
    functionName: 'depositWithAuthorization',
    args: [a.from, a.value, a.validAfter, a.validBefore, a.nonce, deposit.signature],
  } as const;
  const refused = (error: unknown) => {
    const reason = explainRevert(error);
    if (reason === undefined) throw error;
    return new BatchedRefusal('invalid_batched_deposit', 'The escrow refuses the deposit authorization.', 402, { details: [reason.sentence, reason.raw] });
  };
  try {
    await publicClient.simulateContract({ ...request, abi: [...escrowAbi, ...depositErrorsAbi] });
  } catch (error) {
    throw refused(error);
  }
  const hash = await writeContract(init.connection, request);
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== 'success') {
    throw new BatchedRefusal('invalid_batched_deposit', 'The deposit reverted on chain.', 402, { details: [`transaction: ${hash}`] });
  }
  return hash;
}
