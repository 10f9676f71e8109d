// Terminal renderings: the grid of strengths, one evaluation, a comparison, the catalog.
import type { CatalogEntry } from '../catalog.ts';
import type { Evaluation } from '../evaluate.ts';
import { MAX_CELL_SCORE } from '../evaluate.ts';
import type { GridCell } from '../grid.ts';
import { AXES, PROPERTIES, cellId } from '../vocabulary.ts';
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
        const cell = ev.cells.find((c) => c.id === cellId(p, a))!;
        return `${cell.score}/${MAX_CELL_SCORE} ${cell.strength}${cell.claimed ? ' *' : ''}`;
      }),
    ]),
  ];
  const lines = [
    `${ev.name} (${ev.category})  overall ${ev.overall}/100  backing ${ev.backing === null ? 'n/a' : `${ev.backing}/100`}  hype flags ${ev.flags.length}`,
    '',
    textTable(rows),
    '(* claimed by the project)',
    '',
    'reasons:',
    ...ev.cells.filter((c) => c.reasons.length > 0).map((c) => `  ${c.id} ${c.score}/${MAX_CELL_SCORE}: ${c.reasons.join('; ')}`),
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
    ...evs[0]!.cells.map((cell, i) => [cell.id, cell.strength, ...evs.map((e) => `${e.cells[i]!.score}${e.cells[i]!.claimed ? '*' : ''}`)]),
    ['overall', '', ...evs.map((e) => String(e.overall))],
    ['backing', '', ...evs.map((e) => (e.backing === null ? 'n/a' : String(e.backing)))],
    ['hype flags', '', ...evs.map((e) => String(e.flags.length))],
  ];
  return `${textTable(rows)}\n(cell scores 0..${MAX_CELL_SCORE}; * claimed; overall and backing 0..100)\n`;
}

export function catalogTable(entries: readonly { entry: CatalogEntry; evaluation: Evaluation }[]): string {
  const rows = [
    ['id', 'name', 'category', 'overall', 'backing', 'flags'],
    ...entries.map(({ entry, evaluation }) => [
      entry.id,
      entry.profile.name,
      entry.profile.category,
      String(evaluation.overall),
      evaluation.backing === null ? 'n/a' : String(evaluation.backing),
      String(evaluation.flags.length),
    ]),
  ];
  return `${textTable(rows)}\n`;
}
