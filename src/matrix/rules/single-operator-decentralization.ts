// Decentralization claimed by a service one company or host runs.
import type { HypeRule } from './hype-rule.ts';

export const singleOperatorDecentralization: HypeRule = {
  id: 'single-operator-decentralization',
  title: 'Decentralization claimed with a single operator',
  check(profile) {
    if (profile.operators.kind !== 'single') return [];
    return profile.claims
      .filter((claim) => claim.cell.endsWith('/decentralization'))
      .map((claim) => ({
        rule: 'single-operator-decentralization',
        cell: claim.cell,
        claim: claim.text,
        message: 'claims decentralization but the service has a single operator',
      }));
  },
};
