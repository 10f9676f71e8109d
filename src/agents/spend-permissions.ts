// The owner's and the agent's moves on a SpendPermissions manager: the owner grants the
// manager an ERC-20 allowance and signs permissions; anyone submits a signed permission;
// the agent's session key spends (checked first, see check-spend.ts); the owner revokes
// one permission or kills all of them. Every write goes through `transact`, so a refusal
// the chain makes anyway (a race, a caller that skipped the checks) reads in words.
import type { Address, Hash } from 'viem';
import type { Connection, SignerConnection } from '../chain/connect.ts';
import { spendPermissionsAbi } from '../chain/generated/SpendPermissions.ts';
import { trellisTokenAbi } from '../chain/generated/TrellisToken.ts';
import type { Deployment } from '../chain/manifest.ts';
import { transact } from '../sdk/transact.ts';
import { checkSpend, type CheckSpendReturnType } from './check-spend.ts';
import { AgentError } from './errors.ts';
import { decodeTerms, type SpendPermission } from './permission.ts';
import { writeContract } from '../chain/write.ts';

/** The deployment's permission manager, or a named error for a deployment that predates it. */
export function spendPermissionsOf(deployment: Deployment): Address {
  if (!deployment.agents) throw new AgentError('AGENTS_NOT_DEPLOYED', 'This deployment has no agent contracts; deploy again (locally: --fresh).');
  return deployment.agents.spendPermissions;
}

/**
 * The owner lets the manager pull up to `amount` of the token in total: a cap above all
 * permissions' allowances (the most any number of them can ever take together).
 */
export const allowManager = (owner: SignerConnection, token: Address, manager: Address, amount: bigint): Promise<Hash> =>
  transact(owner, 'allowing the spend manager', () =>
    writeContract(owner, { address: token, abi: trellisTokenAbi, functionName: 'approve', args: [manager, amount] }),
  );

/** Submits a permission with its account's signature (the owner, the agent or anyone may send it). */
export const approvePermission = (submitter: SignerConnection, manager: Address, permission: SpendPermission, signature: `0x${string}`): Promise<Hash> =>
  transact(submitter, 'approving the spend permission', () =>
    writeContract(submitter, { address: manager, abi: spendPermissionsAbi, functionName: 'approveWithSignature', args: [permission, signature] }),
  );

export type SpendReturnType = CheckSpendReturnType & { transaction: Hash };

/** Pays `value` from the owner's wallet to `payee` with the session key, after every check passed. */
export async function spend(agent: SignerConnection, manager: Address, permission: SpendPermission, payee: Address, value: bigint): Promise<SpendReturnType> {
  const checked = await checkSpend(agent, { manager, permission, payee, value, spender: agent.account.address });
  const transaction = await transact(agent, 'spending under the permission', () =>
    writeContract(agent, { address: manager, abi: spendPermissionsAbi, functionName: 'spend', args: [permission, payee, value] }),
  );
  return { ...checked, transaction };
}

export type RemainingReturnType = { remaining: bigint; spent: bigint; periodStart: bigint; periodEnd: bigint; maxPerCall: bigint };

/** What the current period has left; throws the named error outside the permission's window. */
export async function remainingThisPeriod({ publicClient }: Connection, manager: Address, permission: SpendPermission): Promise<RemainingReturnType> {
  const block = await publicClient.getBlock({ blockTag: 'latest' });
  if (block.timestamp < BigInt(permission.start)) throw new AgentError('SPEND_NOT_STARTED', 'The spend permission has not started.');
  if (block.timestamp >= BigInt(permission.end)) throw new AgentError('SPEND_ENDED', 'The spend permission has ended.');
  const period = await publicClient.readContract({ address: manager, abi: spendPermissionsAbi, functionName: 'getCurrentPeriod', args: [permission] });
  return {
    remaining: permission.allowance - period.spend,
    spent: period.spend,
    periodStart: BigInt(period.start),
    periodEnd: BigInt(period.end),
    maxPerCall: decodeTerms(permission.extraData).maxPerCall,
  };
}

export const revokePermission = (owner: SignerConnection, manager: Address, permission: SpendPermission): Promise<Hash> =>
  transact(owner, 'revoking the spend permission', () =>
    writeContract(owner, { address: manager, abi: spendPermissionsAbi, functionName: 'revoke', args: [permission] }),
  );

/** The kill switch: every permission of the owner, approved or only signed, stops for good. Returns the new epoch. */
export async function killAllPermissions(owner: SignerConnection, manager: Address): Promise<bigint> {
  await transact(owner, 'killing every spend permission', () => writeContract(owner, { address: manager, abi: spendPermissionsAbi, functionName: 'killAll' }));
  return epochOf(owner, manager, owner.account.address);
}

/** The owner's current kill-switch epoch, which new permissions must name in their terms. */
export const epochOf = ({ publicClient }: Connection, manager: Address, account: Address): Promise<bigint> =>
  publicClient.readContract({ address: manager, abi: spendPermissionsAbi, functionName: 'epochOf', args: [account] });
