// Places a profile on the grid and scores it, showing every reason.
//
// Cell score, an integer 0..3:
//   mechanisms  +1 for a running core technique of the cell, +2 when a second
//               technique (core or supporting) runs beside it; a `partial` or
//               `unverified` mechanism counts half, `planned` and `missing` nothing,
//               and supporting techniques alone (stake with nothing to check) earn 0
//   evidence    +1 when the cell has a running technique and a measured figure tied to
//               it (a figure's `cell`, or one cited by a claim on the cell); cells of the
//               security column also earn it from a published audit
//   hype        -1 for each hype flag on the cell (never below 0)
// Overall, 0..100: the strength-weighted sum of cell scores (strong x3, moderate x2,
// weak x1) over the most the grid allows, rounded down. Backing, 0..100: the same sum
// over only the cells the project claims, so a project is judged on what it says.
import { STRENGTH_WEIGHT, synergyGrid, type Strength } from './grid.ts';
import { runningMechanisms } from './present-mechanisms.ts';
import type { Profile } from './profile.ts';
import { HYPE_RULES } from './rules/index.ts';
import type { HypeFlag, HypeRule } from './rules/hype-rule.ts';
import type { CellId, Mechanism } from './vocabulary.ts';

export const MAX_CELL_SCORE = 3;

export type CellEvaluation = {
  id: CellId;
  strength: Strength;
  score: number;
  claimed: boolean;
  /** Placed: the project claims the cell or earns points in it. */
  placed: boolean;
  mechanisms: Mechanism[];
  reasons: string[];
};

export type Evaluation = {
  name: string;
  category: string;
  cells: CellEvaluation[];
  /** 0..100, rounded down: weighted score over the whole grid. */
  overall: number;
  /** 0..100, rounded down: weighted score over the claimed cells; null when nothing is claimed. */
  backing: number | null;
  flags: HypeFlag[];
  /** Mechanisms listed as planned or missing: what the project does not run yet. */
  notRunning: string[];
  /** Figures expected or asserted without a measurement. */
  unmeasured: string[];
};

/** Integer percentage of `part` over `whole`, rounded down. */
export function percentDown(part: number, whole: number): number {
  return whole === 0 ? 0 : Math.floor((part * 100) / whole);
}

export function evaluate(profile: Profile, rules: readonly HypeRule[] = HYPE_RULES): Evaluation {
  const flags = rules.flatMap((rule) => rule.check(profile));
  const runningNames = new Set(runningMechanisms(profile));
  const running = profile.mechanisms.filter((m) => runningNames.has(m.name));
  const figures = profile.evidence.figures ?? [];
  const hasAudit = (profile.evidence.audits ?? []).length > 0;

  const cells = synergyGrid().map((cell): CellEvaluation => {
    const reasons: string[] = [];
    const enabling = running.filter((m) => cell.techniques.includes(m.name));
    // Counted in halves, so that a partial mechanism counts half without fractions.
    const halves = (list: typeof enabling) => list.reduce((sum, m) => sum + ((m.status ?? 'present') === 'present' ? 2 : 1), 0);
    const coreHalves = halves(enabling.filter((m) => cell.core.includes(m.name)));
    const mechanismPoints = coreHalves < 2 ? 0 : halves(enabling) >= 4 ? 2 : 1;
    for (const m of enabling) reasons.push(`${m.name} (${m.status ?? 'present'})`);
    if (enabling.length > 0) reasons.push(`+${mechanismPoints} mechanisms`);

    const claims = profile.claims.filter((c) => c.cell === cell.id);
    const cited = new Set(claims.flatMap((c) => c.figures ?? []));
    const measured = figures.filter((f) => f.status === 'measured' && (f.cell === cell.id || cited.has(f.name)));
    let evidencePoints = 0;
    if (mechanismPoints > 0 && measured.length > 0) {
      evidencePoints = 1;
      reasons.push(`+1 measured: ${measured.map((f) => `${f.name} = ${f.value ?? '?'} ${f.unit}`).join(', ')}`);
    } else if (mechanismPoints > 0 && hasAudit && cell.axis === 'security') {
      evidencePoints = 1;
      reasons.push('+1 audited');
    }

    const cellFlags = flags.filter((f) => f.cell === cell.id);
    for (const f of cellFlags) reasons.push(`-1 hype: ${f.rule}`);
    const score = Math.max(0, Math.min(MAX_CELL_SCORE, mechanismPoints + evidencePoints) - cellFlags.length);
    if (claims.length > 0 && enabling.length === 0) reasons.push('claimed, no enabling technique running');
    return {
      id: cell.id,
      strength: cell.strength,
      score,
      claimed: claims.length > 0,
      placed: claims.length > 0 || score > 0,
      mechanisms: enabling.map((m) => m.name),
      reasons,
    };
  });

  const weighted = (list: CellEvaluation[]) => list.reduce((sum, c) => sum + c.score * STRENGTH_WEIGHT[c.strength], 0);
  const most = (list: CellEvaluation[]) => list.reduce((sum, c) => sum + MAX_CELL_SCORE * STRENGTH_WEIGHT[c.strength], 0);
  const claimed = cells.filter((c) => c.claimed);

  return {
    name: profile.name,
    category: profile.category,
    cells,
    overall: percentDown(weighted(cells), most(cells)),
    backing: claimed.length === 0 ? null : percentDown(weighted(claimed), most(claimed)),
    flags,
    notRunning: profile.mechanisms.filter((m) => m.status === 'planned' || m.status === 'missing').map((m) => `${m.name} (${m.status})`),
    unmeasured: figures.filter((f) => f.status !== 'measured').map((f) => `${f.name} (${f.status})`),
  };
}
