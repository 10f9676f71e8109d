// "Verifiable" with nothing that lets anyone check: no proof, no dispute game, no
// redundant execution, no attested enclave.
import { backingMechanisms, unbackedNames } from '../present-mechanisms.ts';
import { MECHANISMS, MECHANISM_TRAITS, splitCellId } from '../vocabulary.ts';
import type { HypeRule } from './hype-rule.ts';

const VERIFYING = MECHANISMS.filter((m) => MECHANISM_TRAITS[m].verifies);

export const verifiableWithoutMechanism: HypeRule = {
  id: 'verifiable-without-mechanism',
  title: 'Verifiability claimed without a proof, dispute or redundancy mechanism',
  check(profile) {
    return profile.claims
      .filter((claim) => splitCellId(claim.cell).property === 'verifiability')
      .filter((claim) => !backingMechanisms(profile, claim).some((m) => VERIFYING.includes(m)))
      .map((claim) => {
        const named = unbackedNames(profile, claim);
        return {
          rule: 'verifiable-without-mechanism',
          cell: claim.cell,
          claim: claim.text,
          message: `claims verifiability but runs none of: ${VERIFYING.join(', ')}${named.length ? `; names ${named.join(', ')}` : ''}`,
        };
      });
  },
};
