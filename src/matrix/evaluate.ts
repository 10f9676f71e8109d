// Places a profile on the grid and gives it two scores, showing every reason. They
// answer different questions and are never added together:
//
// Alignment, 0..100: where the project's mechanisms work and how strongly the grid
//   rates those cells. A cell is aligned when a running core technique of it is
//   listed with a source (cell-alignment.ts). The score is the mean grid strength of
//   the aligned cells (strong 3, moderate 2, weak 1) over strong, rounded down: 100
//   when every aligned cell is strong, 0 when none is aligned. It does not grow with
//   the number of cells, so a focused project is not judged against the whole grid.
// Evidence, 0..100, or null when the project neither claims nor aligns with a cell:
//   how much of that is backed. Each aligned or claimed cell earns 0..3 evidence
//   points (cell-evidence.ts: sources, measured figures or audits, minus hype flags);
//   the score is their sum over the most those cells allow, rounded down.
import { cellAlignment } from './cell-alignment.ts';
import { cellEvidence, MAX_CELL_EVIDENCE } from './cell-evidence.ts';
import { STRENGTH_WEIGHT, synergyGrid, type Strength } from './grid.ts';
import { runningMechanisms } from './present-mechanisms.ts';
import type { Profile } from './profile.ts';
import { HYPE_RULES } from './rules/index.ts';
import type { HypeFlag, HypeRule } from './rules/hype-rule.ts';
import type { CellId, Mechanism } from './vocabulary.ts';

export { MAX_CELL_EVIDENCE } from './cell-evidence.ts';

export type CellEvaluation = {
  id: CellId;
  strength: Strength;
  /** A running core technique of the cell addresses it. */
  aligned: boolean;
  /** 0..MAX_CELL_EVIDENCE: how well the cell is backed. */
  evidence: number;
  claimed: boolean;
  /** Placed: the project claims the cell or is aligned with it. */
  placed: boolean;
  /** Running enabling techniques of the cell, core then supporting. */
  mechanisms: Mechanism[];
  reasons: string[];
};

export type Evaluation = {
  name: string;
  category: string;
  cells: CellEvaluation[];
  /** 0..100, rounded down: mean grid strength of the aligned cells. */
  alignment: number;
  /** The aligned cells, strongest first, in grid order within a strength. */
  alignedCells: CellId[];
  /** 0..100, rounded down: evidence over the aligned and claimed cells; null when there are none. */
  evidence: number | null;
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

const STRONGEST_WEIGHT = STRENGTH_WEIGHT.strong;

export function evaluate(profile: Profile, rules: readonly HypeRule[] = HYPE_RULES): Evaluation {
  const flags = rules.flatMap((rule) => rule.check(profile));
  const runningNames = new Set(runningMechanisms(profile));
  const running = profile.mechanisms.filter((m) => runningNames.has(m.name));

  const cells = synergyGrid().map((cell): CellEvaluation => {
    const alignment = cellAlignment(profile, cell, running);
    const cellFlags = flags.filter((f) => f.cell === cell.id);
    const evidence = cellEvidence(profile, cell, alignment, cellFlags);
    const claimed = profile.claims.some((c) => c.cell === cell.id);
    const reasons = [...alignment.reasons, ...evidence.reasons];
    if (claimed && alignment.enabling.length === 0) reasons.push('claimed, no enabling technique running');
    return {
      id: cell.id,
      strength: cell.strength,
      aligned: alignment.aligned,
      evidence: evidence.points,
      claimed,
      placed: claimed || alignment.aligned,
      mechanisms: alignment.enabling.map((m) => m.name),
      reasons,
    };
  });

  const aligned = cells.filter((c) => c.aligned);
  const backed = cells.filter((c) => c.placed);
  const alignedCells = [...aligned].sort((a, b) => STRENGTH_WEIGHT[b.strength] - STRENGTH_WEIGHT[a.strength]).map((c) => c.id);
  return {
    name: profile.name,
    category: profile.category,
    cells,
    alignment: percentDown(
      aligned.reduce((sum, c) => sum + STRENGTH_WEIGHT[c.strength], 0),
      aligned.length * STRONGEST_WEIGHT,
    ),
    alignedCells,
    evidence:
      backed.length === 0
        ? null
        : percentDown(
            backed.reduce((sum, c) => sum + c.evidence, 0),
            backed.length * MAX_CELL_EVIDENCE,
          ),
    flags,
    notRunning: profile.mechanisms.filter((m) => m.status === 'planned' || m.status === 'missing').map((m) => `${m.name} (${m.status})`),
    unmeasured: (profile.evidence.figures ?? []).filter((f) => f.status !== 'measured').map((f) => `${f.name} (${f.status})`),
  };
}
