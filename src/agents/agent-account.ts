// An agent's payer on chain: an AgentAccount clone (contracts/src/agents/AgentAccount.sol)
// made by the AgentAccounts factory. Its permission names it as the spender, so the
// session key has no power of its own on chain: it signs EIP-3009 authorizations from the
// account, and the token's hook has the account pay each one out of the owner's wallet
// through SpendPermissions, within the permission (docs/agents.md, "Paying x402 calls").
//
// The account reads two kinds of signature (ERC-1271), both a kind byte then a body:
//  0x01 ‖ abi.encode(to, value, validAfter, validBefore, nonce, sessionKeySignature)
//       the session key's signature over a TransferWithAuthorization from the account;
//       the account rebuilds the digest from the fields, so the key signs for the account
//       token transfers only.
//  0x02 ‖ ownerSignature: the owner speaking for its account (an identity's wallet consent).
//  0x03 ‖ the same fields as 0x01, over a ReceiveWithAuthorization: an escrow deposit,
//       which only the escrow can execute and which the hook pays within the permission.
//  0x04 ‖ abi.encode(escrow, provider, modelId, cumulativeAmount, sessionKeySignature)
//       the session key's signature over an Escrow voucher from the account (batched x402).
import type { ClientEvmSigner } from '@x402/evm';
import { voucherDigest, voucherTypes } from '../payments/voucher.ts';
import { signDigest } from '../protocol/signatures.ts';
import { receiveAuthorizationTypes, tokenDomain, type BatchedSigner } from '../x402/batched-payload.ts';
import { concat, encodeAbiParameters, getAddress, type Address, type Hash, type Hex, type LocalAccount } from 'viem';
import type { Connection, SignerConnection } from '../chain/connect.ts';
import { agentAccountsAbi } from '../chain/generated/AgentAccounts.ts';
import type { Deployment } from '../chain/manifest.ts';
import { transact } from '../sdk/transact.ts';
import { AgentError } from './errors.ts';
import type { SpendPermission } from './permission.ts';
import { writeContract } from '../chain/write.ts';

const SESSION_KEY_TRANSFER = '0x01';
const OWNER_SIGNATURE = '0x02';
const SESSION_KEY_RECEIVE = '0x03';
const SESSION_KEY_VOUCHER = '0x04';

const voucherFields = [
  { name: 'escrow', type: 'address' },
  { name: 'provider', type: 'address' },
  { name: 'modelId', type: 'bytes32' },
  { name: 'cumulativeAmount', type: 'uint256' },
  { name: 'signature', type: 'bytes' },
] as const;

const transferFields = [
  { name: 'to', type: 'address' },
  { name: 'value', type: 'uint256' },
  { name: 'validAfter', type: 'uint256' },
  { name: 'validBefore', type: 'uint256' },
  { name: 'nonce', type: 'bytes32' },
  { name: 'signature', type: 'bytes' },
] as const;

/** The deployment's account factory, or a named error for a deployment that predates it. */
export function agentAccountsOf(deployment: Deployment): Address {
  const factory = deployment.agents?.agentAccounts;
  if (!factory) throw new AgentError('AGENTS_NOT_DEPLOYED', 'This deployment has no agent account factory; deploy again (locally: --fresh).');
  return factory;
}

/** Where the account for this session key and permission lives (its spender is ignored). */
export const accountAddress = ({ publicClient }: Connection, factory: Address, sessionKey: Address, permission: SpendPermission): Promise<Address> =>
  publicClient.readContract({ address: factory, abi: agentAccountsAbi, functionName: 'accountAddress', args: [sessionKey, permission] });

/** Creates the account and approves its permission with the owner's signature, in one transaction. */
export const createAccount = (
  sender: SignerConnection,
  factory: Address,
  sessionKey: Address,
  permission: SpendPermission,
  ownerSignature: Hex,
): Promise<Hash> =>
  transact(sender, "creating the agent's account", () =>
    writeContract(sender, { address: factory, abi: agentAccountsAbi, functionName: 'create', args: [sessionKey, permission, ownerSignature] }),
  );

/** The owner's signature over `digest`, in the form the account accepts as its own. */
export const ownerSignatureForAccount = async (owner: LocalAccount, digest: Hash): Promise<Hex> => {
  if (!owner.sign) throw new AgentError('SPEND_SIGNATURE_INVALID', "The owner's account cannot sign a raw digest.");
  return concat([OWNER_SIGNATURE, await owner.sign({ hash: digest })]);
};

/**
 * The x402 client's signer for an agent: its address is the account (the payer x402 names
 * in `authorization.from`), and its signature is the session key's, wrapped with the
 * authorization's fields. A stock x402 client with this signer pays from the account.
 */
export function accountSigner(account: Address, sessionKey: LocalAccount): ClientEvmSigner {
  return {
    address: getAddress(account),
    async signTypedData(typed) {
      if (typed.primaryType !== 'TransferWithAuthorization') {
        throw new AgentError('AGENT_PAYMENT_UNSUPPORTED', `The agent's account signs EIP-3009 transfers only, not ${typed.primaryType}.`);
      }
      const m = typed.message as { from: Address; to: Address; value: bigint; validAfter: bigint; validBefore: bigint; nonce: Hex };
      if (getAddress(m.from) !== getAddress(account)) {
        throw new AgentError('AGENT_PAYMENT_UNSUPPORTED', `The authorization is from ${m.from}, not the agent's account ${account}.`);
      }
      const signature = await sessionKey.signTypedData(typed as Parameters<LocalAccount['signTypedData']>[0]);
      const body = encodeAbiParameters(transferFields, [m.to, BigInt(m.value), BigInt(m.validAfter), BigInt(m.validBefore), m.nonce, signature]);
      return concat([SESSION_KEY_TRANSFER, body]);
    },
  };
}

/**
 * The batched scheme's signer for an agent: the account is the channel's client, and the
 * session key signs its vouchers (kind 0x04) and its deposits (kind 0x03, receive
 * authorizations to the escrow, paid out of the owner's wallet within the permission).
 */
export function accountBatchedSigner(account: Address, sessionKey: LocalAccount): BatchedSigner {
  const from = getAddress(account);
  return {
    address: from,
    async signVoucher(domain, voucher) {
      if (getAddress(voucher.client) !== from)
        throw new AgentError('AGENT_PAYMENT_UNSUPPORTED', `The voucher is from ${voucher.client}, not the agent's account ${from}.`);
      // The voucher hashed once, by the protocol's hasher; a key that cannot sign a bare hash signs the typed data.
      const signature = await signDigest(sessionKey, voucherDigest(domain, voucher), () =>
        sessionKey.signTypedData({
          domain: { name: 'Trellis Escrow', version: '1', chainId: domain.chainId, verifyingContract: domain.escrow },
          types: voucherTypes,
          primaryType: 'Voucher',
          message: voucher,
        }),
      );
      const body = encodeAbiParameters(voucherFields, [domain.escrow, voucher.provider, voucher.modelId, voucher.cumulativeAmount, signature]);
      return concat([SESSION_KEY_VOUCHER, body]);
    },
    async signDeposit(token, a) {
      if (getAddress(a.from) !== from) throw new AgentError('AGENT_PAYMENT_UNSUPPORTED', `The deposit is from ${a.from}, not the agent's account ${from}.`);
      const signature = await sessionKey.signTypedData({
        domain: tokenDomain(token),
        types: receiveAuthorizationTypes,
        primaryType: 'ReceiveWithAuthorization',
        message: a,
      });
      const body = encodeAbiParameters(transferFields, [a.to, a.value, a.validAfter, a.validBefore, a.nonce, signature]);
      return concat([SESSION_KEY_RECEIVE, body]);
    },
  };
}
