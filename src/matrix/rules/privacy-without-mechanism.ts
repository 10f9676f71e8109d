// Privacy claimed with nothing that keeps data from the party computing on it.
import { backingMechanisms, unbackedNames } from '../present-mechanisms.ts';
import { MECHANISMS, MECHANISM_TRAITS, splitCellId } from '../vocabulary.ts';
import type { HypeRule } from './hype-rule.ts';

const PRIVATE = MECHANISMS.filter((m) => MECHANISM_TRAITS[m].private);

export const privacyWithoutMechanism: HypeRule = {
  id: 'privacy-without-mechanism',
  title: 'Privacy claimed without a privacy mechanism',
  check(profile) {
    return profile.claims
      .filter((claim) => splitCellId(claim.cell).property === 'privacy')
      .filter((claim) => !backingMechanisms(profile, claim).some((m) => PRIVATE.includes(m)))
      .map((claim) => {
        const named = unbackedNames(profile, claim);
        return {
          rule: 'privacy-without-mechanism',
          cell: claim.cell,
          claim: claim.text,
          message: `claims privacy but runs none of: ${PRIVATE.join(', ')}${named.length ? `; names ${named.join(', ')}` : ''}`,
        };
      });
  },
};
