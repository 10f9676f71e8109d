// Terminal renderings: the grid of strengths, one evaluation, a comparison, the catalog.
import type { CatalogEntry } from '../catalog.ts';
import type { Evaluation } from '../evaluate.ts';
import type { GridCell } from '../grid.ts';
import { AXES, PROPERTIES, cellId } from '../vocabulary.ts';
import { alignedCellsText, CELL_LEGEND, cellShort, cellText, evidenceText } from './alignment-text.ts';
import { textTable } from './text-table.ts';

export function gridTable(grid: readonly GridCell[]): string {
  const rows = [['', ...AXES], ...PROPERTIES.map((p) => [p, ...AXES.map((a) => grid.find((c) => c.id === cellId(p, a))!.strength)])];
  const details = grid.map((c) => `${c.id} (${c.strength}, ${c.decidedBy}): ${c.why}\n    techniques: ${c.techniques.join(', ')}`);
  return `${textTable(rows)}\n\n${details.join('\n')}\n`;
}

export function evaluationTable(ev: Evaluation): string {
  const rows = [
    ['', ...AXES],
    ...PROPERTIES.map((p) => [
      p,
      ...AXES.map((a) => {
        return cellText(ev.cells.find((c) => c.id === cellId(p, a))!);
      }),
    ]),
  ];
  const lines = [
    `${ev.name} (${ev.category})  alignment ${ev.alignment}/100  evidence ${evidenceText(ev.evidence)}  hype flags ${ev.flags.length}`,
    `aligned cells: ${alignedCellsText(ev)}`,
    '',
    textTable(rows),
    `(${CELL_LEGEND})`,
    '',
    'reasons:',
    ...ev.cells.filter((c) => c.reasons.length > 0).map((c) => `  ${c.id} ${cellText(c)}: ${c.reasons.join('; ')}`),
    '',
    ev.flags.length === 0 ? 'hype flags: none' : 'hype flags:',
    ...ev.flags.map((f) => `  [${f.rule}]${f.cell ? ` ${f.cell}` : ''}${f.claim ? ` "${f.claim}"` : ''}: ${f.message}`),
  ];
  if (ev.notRunning.length > 0) lines.push('', `not running: ${ev.notRunning.join(', ')}`);
  if (ev.unmeasured.length > 0) lines.push('', `unmeasured figures: ${ev.unmeasured.join(', ')}`);
  return `${lines.join('\n')}\n`;
}

export function compareTable(evs: readonly Evaluation[]): string {
  const rows = [
    ['cell', 'strength', ...evs.map((e) => e.name)],
    ...evs[0]!.cells.map((cell, i) => [cell.id, cell.strength, ...evs.map((e) => cellShort(e.cells[i]!))]),
    ['alignment', '', ...evs.map((e) => String(e.alignment))],
    ['evidence', '', ...evs.map((e) => (e.evidence === null ? 'n/a' : String(e.evidence)))],
    ['hype flags', '', ...evs.map((e) => String(e.flags.length))],
  ];
  return `${textTable(rows)}\n(${CELL_LEGEND}; alignment and evidence 0..100)\n`;
}

export function catalogTable(entries: readonly { entry: CatalogEntry; evaluation: Evaluation }[]): string {
  const rows = [
    ['id', 'name', 'category', 'alignment', 'evidence', 'flags', 'aligned cells'],
    ...entries.map(({ entry, evaluation }) => [
      entry.id,
      entry.profile.name,
      entry.profile.category,
      String(evaluation.alignment),
      evaluation.evidence === null ? 'n/a' : String(evaluation.evidence),
      String(evaluation.flags.length),
      alignedCellsText(evaluation),
    ]),
  ];
  return `${textTable(rows)}\n`;
}
