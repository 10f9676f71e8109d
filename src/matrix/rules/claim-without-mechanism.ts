// A claim the project makes with nothing it runs behind it. Verifiability and privacy
// claims have their own, sharper rules; this one covers the other claims.
import { gridCell } from '../grid.ts';
import { backingMechanisms, unbackedNames } from '../present-mechanisms.ts';
import { splitCellId } from '../vocabulary.ts';
import type { HypeRule } from './hype-rule.ts';

export const claimWithoutMechanism: HypeRule = {
  id: 'claim-without-mechanism',
  title: 'Claim with no mechanism behind it',
  check(profile) {
    return profile.claims
      .filter((claim) => splitCellId(claim.cell).property === 'performance')
      .filter((claim) => !backingMechanisms(profile, claim).some((m) => gridCell(claim.cell).techniques.includes(m)))
      .map((claim) => {
        const named = unbackedNames(profile, claim);
        return {
          rule: 'claim-without-mechanism',
          cell: claim.cell,
          claim: claim.text,
          message: `claims ${claim.cell} but runs none of: ${gridCell(claim.cell).techniques.join(', ')}${named.length ? `; names ${named.join(', ')}` : ''}`,
        };
      });
  },
};
