// Which mechanisms a profile actually runs. `present`, `partial` and `unverified`
// entries count; `planned` and `missing` ones are promises and earn nothing.
import type { Claim, Profile } from './profile.ts';
import type { Mechanism, MechanismStatus } from './vocabulary.ts';

export function mechanismStatus(profile: Profile, name: Mechanism): MechanismStatus | undefined {
  const use = profile.mechanisms.find((m) => m.name === name);
  return use ? (use.status ?? 'present') : undefined;
}

export function isRunning(status: MechanismStatus | undefined): boolean {
  return status === 'present' || status === 'partial' || status === 'unverified';
}

export function runningMechanisms(profile: Profile): Mechanism[] {
  return profile.mechanisms.filter((m) => isRunning(m.status ?? 'present')).map((m) => m.name);
}

/**
 * The mechanisms that can stand behind a claim: those it names, if it names any,
 * otherwise everything the project runs; either way only running ones.
 */
export function backingMechanisms(profile: Profile, claim: Claim): Mechanism[] {
  const running = runningMechanisms(profile);
  return claim.mechanisms && claim.mechanisms.length > 0 ? claim.mechanisms.filter((m) => running.includes(m)) : running;
}

/** Mechanisms a claim names that the project does not run, with their status. */
export function unbackedNames(profile: Profile, claim: Claim): string[] {
  return (claim.mechanisms ?? []).filter((m) => !isRunning(mechanismStatus(profile, m))).map((m) => `${m} (${mechanismStatus(profile, m) ?? 'not listed'})`);
}
