// The checks `spend` makes on chain, made first from the chain's current state, so that
// an agent learns by name (and for free) why a spend would be refused: over the
// period's remainder (with the remainder), above the per-call maximum, to a payee not
// allowed, a revoked or killed permission, outside its time window, or an owner whose
// balance or ERC-20 allowance to the manager no longer covers it.
import { getAddress, type Address, type Hex } from 'viem';
import type { Connection } from '../chain/connect.ts';
import { providerRegistryAbi } from '../chain/generated/ProviderRegistry.ts';
import { spendPermissionsAbi } from '../chain/generated/SpendPermissions.ts';
import { trellisTokenAbi } from '../chain/generated/TrellisToken.ts';
import { formatDate, formatTokens } from '../chain/human-units.ts';
import { AgentError, SpendLimitExceededError } from './errors.ts';
import { decodeTerms, type SpendPermission } from './permission.ts';

export type CheckSpendParameters = {
  manager: Address;
  permission: SpendPermission;
  payee: Address;
  value: bigint;
  /** The key that will send the spend; refused unless it is the permission's spender. */
  spender?: Address;
};

export type CheckSpendReturnType = {
  hash: Hex;
  /** What the current period has left before this spend. */
  remaining: bigint;
  periodEnd: bigint;
};

export async function checkSpend({ publicClient }: Connection, p: CheckSpendParameters): Promise<CheckSpendReturnType> {
  const { manager, permission, value } = p;
  const payee = getAddress(p.payee);
  if (value <= 0n) throw new AgentError('SPEND_ZERO_VALUE', `A spend must be positive, got ${value}.`);
  if (p.spender !== undefined && getAddress(p.spender) !== getAddress(permission.spender)) {
    throw new AgentError('SPEND_WRONG_SPENDER', `The permission names spender ${permission.spender}; ${p.spender} cannot use it.`);
  }
  const terms = decodeTerms(permission.extraData);
  const on = { address: manager, abi: spendPermissionsAbi, args: [permission] } as const;
  const [hash, revoked, approved, epoch, block] = await Promise.all([
    publicClient.readContract({ ...on, functionName: 'getHash' }),
    publicClient.readContract({ ...on, functionName: 'isRevoked' }),
    publicClient.readContract({ ...on, functionName: 'isApproved' }),
    publicClient.readContract({ address: manager, abi: spendPermissionsAbi, functionName: 'epochOf', args: [permission.account] }),
    publicClient.getBlock({ blockTag: 'latest' }),
  ]);
  const id = [`permission: ${hash}`];
  if (revoked) throw new AgentError('SPEND_PERMISSION_REVOKED', 'The spend permission was revoked.', { details: id });
  if (!approved) throw new AgentError('SPEND_PERMISSION_NOT_APPROVED', 'The spend permission was never approved.', { details: id });
  if (terms.epoch !== epoch) {
    throw new AgentError('SPEND_PERMISSION_KILLED', "The owner's kill switch stopped this spend permission.", {
      details: [...id, `permission epoch: ${terms.epoch}`, `owner's current epoch: ${epoch}`],
    });
  }
  const now = block.timestamp;
  if (now < BigInt(permission.start)) {
    throw new AgentError('SPEND_NOT_STARTED', `The spend permission starts at ${formatDate(permission.start)}.`, { details: id });
  }
  if (now >= BigInt(permission.end)) {
    throw new AgentError('SPEND_ENDED', `The spend permission ended at ${formatDate(permission.end)}.`, { details: id });
  }
  if (value > terms.maxPerCall) {
    throw new AgentError('SPEND_ABOVE_MAX_PER_CALL', `${formatTokens(value)} is above the permission's ${formatTokens(terms.maxPerCall)} per call.`, {
      details: id,
    });
  }
  if (!(await payeeAllowed(publicClient, manager, terms.anyActiveProvider, terms.payees, payee))) {
    throw new AgentError('SPEND_PAYEE_NOT_ALLOWED', `The permission does not allow paying ${payee}.`, {
      details: [...id, `named payees: ${terms.payees.join(', ') || 'none'}`, `any active provider: ${terms.anyActiveProvider ? 'yes' : 'no'}`],
    });
  }
  const period = await publicClient.readContract({ address: manager, abi: spendPermissionsAbi, functionName: 'getCurrentPeriod', args: [permission] });
  const remaining = permission.allowance - period.spend;
  const periodEnd = BigInt(period.end);
  if (value > remaining) {
    throw new SpendLimitExceededError(
      value,
      remaining,
      periodEnd,
      `${formatTokens(value)} is more than the ${formatTokens(remaining)} left of this period's allowance; it is whole again at ${formatDate(periodEnd)}.`,
      { details: [...id, `allowance per period: ${formatTokens(permission.allowance)}`, `spent this period: ${formatTokens(period.spend)}`] },
    );
  }
  const [balance, allowance] = await Promise.all([
    publicClient.readContract({ address: permission.token, abi: trellisTokenAbi, functionName: 'balanceOf', args: [permission.account] }),
    publicClient.readContract({ address: permission.token, abi: trellisTokenAbi, functionName: 'allowance', args: [permission.account, manager] }),
  ]);
  if (balance < value || allowance < value) {
    throw new AgentError('SPEND_OWNER_FUNDS_SHORT', `The owner's wallet cannot cover ${formatTokens(value)} through the manager.`, {
      details: [...id, `owner balance: ${formatTokens(balance)}`, `owner's allowance to the manager: ${formatTokens(allowance)}`],
    });
  }
  return { hash, remaining, periodEnd };
}

async function payeeAllowed(
  publicClient: Connection['publicClient'],
  manager: Address,
  anyActiveProvider: boolean,
  payees: readonly Address[],
  payee: Address,
): Promise<boolean> {
  if (payees.includes(payee)) return true;
  if (!anyActiveProvider) return false;
  const registry = await publicClient.readContract({ address: manager, abi: spendPermissionsAbi, functionName: 'providerRegistry' });
  return publicClient.readContract({ address: registry, abi: providerRegistryAbi, functionName: 'isActive', args: [payee] });
}
