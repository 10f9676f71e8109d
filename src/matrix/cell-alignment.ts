// Alignment of one cell: does a mechanism the project runs address it? A cell is
// aligned when a running core technique of the cell is listed with its source;
// `partial` and `unverified` count here as much as `present`, because how well a
// mechanism is documented is a matter of evidence, not of where it works. Supporting
// techniques alone align nothing (a chain's stake with nothing to check does not make
// results verifiable), and a service one company runs addresses no decentralization
// cell whatever it runs.
import type { GridCell } from './grid.ts';
import type { MechanismUse, Profile } from './profile.ts';
import type { Mechanism } from './vocabulary.ts';

export type CellAlignment = {
  aligned: boolean;
  /** Running enabling techniques of the cell, core then supporting. */
  enabling: MechanismUse[];
  /** Running core techniques: what aligns the cell. */
  core: MechanismUse[];
  reasons: string[];
};

export function cellAlignment(profile: Profile, cell: GridCell, running: readonly MechanismUse[]): CellAlignment {
  const inCell = (names: readonly Mechanism[]) => running.filter((m) => names.includes(m.name));
  const core = inCell(cell.core);
  const enabling = [...core, ...inCell(cell.supporting)];
  const reasons = enabling.map((m) => `${m.name} (${m.status ?? 'present'}${cell.core.includes(m.name) ? '' : ', supporting'})`);
  const singleOperator = cell.axis === 'decentralization' && profile.operators.kind === 'single';
  const aligned = core.length > 0 && !singleOperator;
  if (core.length > 0 && singleOperator) reasons.push('not aligned: a single operator runs it');
  else if (aligned) reasons.push(`aligned (${cell.strength})`);
  else if (enabling.length > 0) reasons.push('not aligned: only supporting techniques run');
  return { aligned, enabling, core, reasons };
}
