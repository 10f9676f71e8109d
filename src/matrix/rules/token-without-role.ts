// A token said to secure the network while it does nothing in the mechanism: it is
// governance-only or has no role, yet the project claims it is stake or relies on
// staking for its security claims.
import { runningMechanisms } from '../present-mechanisms.ts';
import type { HypeRule } from './hype-rule.ts';

export const tokenWithoutRole: HypeRule = {
  id: 'token-without-role',
  title: 'Token with no role in the mechanism it is said to secure',
  check(profile) {
    const roles = profile.token.role;
    const idle = roles.every((r) => r === 'governance only' || r === 'none');
    if (!idle) return [];
    const claimsStake = (profile.token.claimed_role ?? []).includes('staking collateral');
    const reliesOnStake =
      runningMechanisms(profile).includes('staking and slashing') ||
      profile.claims.some((c) => c.cell.endsWith('/security') && (c.mechanisms ?? []).includes('staking and slashing'));
    if (!claimsStake && !reliesOnStake) return [];
    const token = profile.token.name ?? 'the token';
    const why = claimsStake ? 'is claimed to be staking collateral' : 'is the only asset that could back the staking the project relies on';
    return [{ rule: 'token-without-role', message: `${token} ${why}, but its role is ${roles.join(', ')}` }];
  },
};
