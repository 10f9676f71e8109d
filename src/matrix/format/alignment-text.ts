// Words shared by every renderer for the two scores, so that the terminal, Markdown
// and HTML say the same thing the same way.
import type { CellEvaluation, Evaluation } from '../evaluate.ts';
import { MAX_CELL_EVIDENCE } from '../evaluate.ts';

export function evidenceText(evidence: number | null): string {
  return evidence === null ? 'n/a' : `${evidence}/100`;
}

/** "privacy/decentralization (strong), privacy/scalability (moderate)", or "none". */
export function alignedCellsText(ev: Evaluation): string {
  if (ev.alignedCells.length === 0) return 'none';
  return ev.alignedCells.map((id) => `${id} (${ev.cells.find((c) => c.id === id)!.strength})`).join(', ');
}

/** One grid cell of one project: "A strong ev 2/3 *" (A aligned, - not, * claimed). */
export function cellText(cell: CellEvaluation): string {
  return `${cell.aligned ? 'A' : '-'} ${cell.strength} ev ${cell.evidence}/${MAX_CELL_EVIDENCE}${cell.claimed ? ' *' : ''}`;
}

/** The same, compact, for side-by-side columns: "A 2*" (spaced, so "- 0" never reads as a negative number). */
export function cellShort(cell: CellEvaluation): string {
  return `${cell.aligned ? 'A' : '-'} ${cell.evidence}${cell.claimed ? '*' : ''}`;
}

export const CELL_LEGEND = `A aligned, - not aligned; ev evidence 0..${MAX_CELL_EVIDENCE}; * claimed by the project`;
