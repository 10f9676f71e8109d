// Evidence for one cell, an integer 0..3: how well what the project says and runs
// there is backed. It never decides whether the cell is aligned; it says how far to
// believe it.
//   sources   +2 when an aligning mechanism is `present` and has a source other than
//             the source analyses; +1 when the aligning mechanisms are only `partial`,
//             `unverified` or known only from an analysis
//   measured  +1 when the cell is aligned and a measured figure is tied to it (the
//             figure's `cell`, or one cited by a claim on the cell); on the security
//             column a published audit also earns it
//   hype      -1 for each hype flag on the cell, never below 0
// A claimed cell that no mechanism aligns has nothing to back it and earns only 0.
import type { CellAlignment } from './cell-alignment.ts';
import type { GridCell } from './grid.ts';
import type { Profile } from './profile.ts';
import type { HypeFlag } from './rules/hype-rule.ts';

export const MAX_CELL_EVIDENCE = 3;

export type CellEvidence = { points: number; reasons: string[] };

const fromAnalysisOnly = (evidence: readonly { url: string }[]) => evidence.every((s) => s.url.startsWith('analysis:'));

export function cellEvidence(profile: Profile, cell: GridCell, alignment: CellAlignment, flags: readonly HypeFlag[]): CellEvidence {
  const reasons: string[] = [];
  let points = 0;
  if (alignment.aligned) {
    const primary = alignment.core.filter((m) => (m.status ?? 'present') === 'present' && !fromAnalysisOnly(m.evidence));
    if (primary.length > 0) {
      points += 2;
      reasons.push(`+2 sourced: ${primary.map((m) => m.name).join(', ')}`);
    } else {
      points += 1;
      const described = alignment.core.map((m) => `${m.name} (${fromAnalysisOnly(m.evidence) ? 'analysis only' : (m.status ?? 'present')})`);
      reasons.push(`+1 sourced, weakly: ${described.join(', ')}`);
    }

    const claims = profile.claims.filter((c) => c.cell === cell.id);
    const cited = new Set(claims.flatMap((c) => c.figures ?? []));
    const measured = (profile.evidence.figures ?? []).filter((f) => f.status === 'measured' && (f.cell === cell.id || cited.has(f.name)));
    if (measured.length > 0) {
      points += 1;
      reasons.push(`+1 measured: ${measured.map((f) => `${f.name} = ${f.value ?? '?'} ${f.unit}`).join(', ')}`);
    } else if ((profile.evidence.audits ?? []).length > 0 && cell.axis === 'security') {
      points += 1;
      reasons.push('+1 audited');
    }
  }
  for (const f of flags) reasons.push(`-1 hype: ${f.rule}`);
  return { points: Math.max(0, points - flags.length), reasons };
}
