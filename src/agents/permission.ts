// A spend permission: what an owner lets an agent's session key spend (see
// contracts/src/interfaces/ISpendPermissions.sol). The struct and its EIP-712 type are
// Coinbase's SpendPermission; Trellis's terms (per-call maximum, payees, kill-switch
// epoch) travel ABI-encoded in `extraData`, which the owner's signature covers.
import { decodeAbiParameters, encodeAbiParameters, getAddress, hashTypedData, type Address, type Hex, type LocalAccount } from 'viem';
import { AgentError } from './errors.ts';

export type SpendPermission = {
  account: Address;
  spender: Address;
  token: Address;
  allowance: bigint;
  period: number;
  start: number;
  end: number;
  salt: bigint;
  extraData: Hex;
};

export type SpendTerms = {
  /** Most one spend may move. */
  maxPerCall: bigint;
  /** The owner's kill-switch epoch the permission belongs to (`epochOf`). */
  epoch: bigint;
  /** Any provider the ProviderRegistry reports active may be paid. */
  anyActiveProvider: boolean;
  /** Named payees that may be paid. */
  payees: readonly Address[];
};

/** Must match SpendPermissions: name "Trellis Spend Permissions", version "1", the chain, the manager. */
export type SpendPermissionsDomain = { chainId: number; manager: Address };

export const spendPermissionTypes = {
  SpendPermission: [
    { name: 'account', type: 'address' },
    { name: 'spender', type: 'address' },
    { name: 'token', type: 'address' },
    { name: 'allowance', type: 'uint160' },
    { name: 'period', type: 'uint48' },
    { name: 'start', type: 'uint48' },
    { name: 'end', type: 'uint48' },
    { name: 'salt', type: 'uint256' },
    { name: 'extraData', type: 'bytes' },
  ],
} as const;

const termsParameters = [
  {
    type: 'tuple',
    components: [
      { name: 'maxPerCall', type: 'uint160' },
      { name: 'epoch', type: 'uint64' },
      { name: 'anyActiveProvider', type: 'bool' },
      { name: 'payees', type: 'address[]' },
    ],
  },
] as const;

const UINT160_MAX = (1n << 160n) - 1n;
const UINT48_MAX = 2 ** 48 - 1;

export const encodeTerms = (terms: SpendTerms): Hex => encodeAbiParameters(termsParameters, [{ ...terms, payees: [...terms.payees] }]);

export function decodeTerms(extraData: Hex): SpendTerms {
  try {
    const [t] = decodeAbiParameters(termsParameters, extraData);
    return { maxPerCall: t.maxPerCall, epoch: t.epoch, anyActiveProvider: t.anyActiveProvider, payees: t.payees.map((a) => getAddress(a)) };
  } catch (cause) {
    throw new AgentError('SPEND_PERMISSION_INVALID', "The permission's extraData is not an encoding of its terms.", { cause });
  }
}

export type BuildPermissionParameters = {
  account: Address;
  spender: Address;
  token: Address;
  /** Most the spender may spend per period. */
  allowance: bigint;
  /** Period length in seconds. */
  period: number;
  /** First second of validity (inclusive) and first second after it (exclusive). */
  start: number;
  end: number;
  salt?: bigint;
  terms: SpendTerms;
};

/** A permission from its parts, refusing by name what the contract would refuse. */
export function buildPermission(p: BuildPermissionParameters): SpendPermission {
  const bad = (what: string) => new AgentError('SPEND_PERMISSION_INVALID', `The spend permission is invalid: ${what}.`);
  if (p.allowance <= 0n || p.allowance > UINT160_MAX) throw bad(`allowance must be between 1 and 2^160-1, got ${p.allowance}`);
  if (p.terms.maxPerCall <= 0n || p.terms.maxPerCall > UINT160_MAX) throw bad(`maxPerCall must be between 1 and 2^160-1, got ${p.terms.maxPerCall}`);
  for (const [name, value] of [
    ['period', p.period],
    ['start', p.start],
    ['end', p.end],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < 0 || value > UINT48_MAX) throw bad(`${name} must be a whole number of seconds, got ${value}`);
  }
  if (p.period === 0) throw bad('period must be positive');
  if (p.start >= p.end) throw bad(`start (${p.start}) must be before end (${p.end})`);
  if (!p.terms.anyActiveProvider && p.terms.payees.length === 0) throw bad('it allows no payee: name payees or allow active providers');
  return {
    account: getAddress(p.account),
    spender: getAddress(p.spender),
    token: getAddress(p.token),
    allowance: p.allowance,
    period: p.period,
    start: p.start,
    end: p.end,
    salt: p.salt ?? 0n,
    extraData: encodeTerms(p.terms),
  };
}

const domainOf = ({ chainId, manager }: SpendPermissionsDomain) =>
  ({ name: 'Trellis Spend Permissions', version: '1', chainId, verifyingContract: manager }) as const;

/** The EIP-712 digest the owner signs; the contract's `getHash`, and the permission's id. */
export const permissionHash = (domain: SpendPermissionsDomain, permission: SpendPermission): Hex =>
  hashTypedData({ domain: domainOf(domain), types: spendPermissionTypes, primaryType: 'SpendPermission', message: permission });

/** The owner's signature over the permission, for `approveWithSignature` (anyone may submit it). */
export async function signPermission(owner: LocalAccount, domain: SpendPermissionsDomain, permission: SpendPermission): Promise<Hex> {
  if (getAddress(owner.address) !== permission.account) {
    throw new AgentError('SPEND_SIGNATURE_INVALID', `Only the permission's account ${permission.account} can sign it, not ${owner.address}.`);
  }
  return owner.signTypedData({ domain: domainOf(domain), types: spendPermissionTypes, primaryType: 'SpendPermission', message: permission });
}
