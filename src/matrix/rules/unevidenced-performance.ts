// A cost or performance claim with no measured figure behind it. A claim in the
// performance row is a performance claim unless marked `kind: capability`; a figure
// whose status is `claim` is itself unevidenced and does not count.
import { splitCellId } from '../vocabulary.ts';
import type { HypeRule } from './hype-rule.ts';

export const unevidencedPerformance: HypeRule = {
  id: 'unevidenced-performance',
  title: 'Cost or performance claim without evidence',
  check(profile) {
    const figures = profile.evidence.figures ?? [];
    return profile.claims
      .filter((claim) => {
        const kind = claim.kind ?? (splitCellId(claim.cell).property === 'performance' ? 'performance' : 'capability');
        return kind === 'cost' || kind === 'performance';
      })
      .flatMap((claim) => {
        const cited = (claim.figures ?? []).map((name) => ({ name, figure: figures.find((f) => f.name === name) }));
        if (cited.some((c) => c.figure?.status === 'measured')) return [];
        const why =
          cited.length === 0 ? 'cites no figure' : `cites ${cited.map((c) => `${c.name} (${c.figure ? c.figure.status : 'not in evidence'})`).join(', ')}`;
        return [{ rule: 'unevidenced-performance', cell: claim.cell, claim: claim.text, message: `cost or performance claim ${why}; no measured figure` }];
      });
  },
};
