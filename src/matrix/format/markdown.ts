// Markdown renderings of the grid and of evaluations, for docs and issues.
import type { Evaluation } from '../evaluate.ts';
import type { GridCell } from '../grid.ts';
import { AXES, PROPERTIES, cellId } from '../vocabulary.ts';
import { alignedCellsText, CELL_LEGEND, cellShort, cellText, evidenceText } from './alignment-text.ts';
import { titleCase } from './text-table.ts';

/** Escapes the characters that would break a Markdown table cell. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function gridMarkdown(grid: readonly GridCell[]): string {
  const head = `| | ${AXES.map(titleCase).join(' | ')} |\n| --- | --- | --- | --- |`;
  const rows = PROPERTIES.map((p) => `| **${titleCase(p)}** | ${AXES.map((a) => grid.find((c) => c.id === cellId(p, a))!.strength).join(' | ')} |`);
  return `${head}\n${rows.join('\n')}\n`;
}

export function evaluationMarkdown(ev: Evaluation): string {
  const head = `| | ${AXES.map(titleCase).join(' | ')} |\n| --- | --- | --- | --- |`;
  const rows = PROPERTIES.map((p) => {
    const scores = AXES.map((a) => cellText(ev.cells.find((x) => x.id === cellId(p, a))!));
    return `| **${titleCase(p)}** | ${scores.join(' | ')} |`;
  });
  const reasons = ev.cells.filter((c) => c.reasons.length > 0).map((c) => `- \`${c.id}\` ${cellText(c)}: ${cell(c.reasons.join('; '))}`);
  const flags = ev.flags.map((f) => `- **${f.rule}**${f.cell ? ` \`${f.cell}\`` : ''}${f.claim ? ` "${cell(f.claim)}"` : ''}: ${cell(f.message)}`);
  const parts = [
    `## ${ev.name}`,
    '',
    `Category: ${ev.category}. Alignment ${ev.alignment}/100, evidence ${evidenceText(ev.evidence)}, ${ev.flags.length} hype flag(s).`,
    '',
    `Aligned cells: ${cell(alignedCellsText(ev))}.`,
    '',
    head,
    ...rows,
    '',
    `${CELL_LEGEND}.`,
    '',
    '### Reasons',
    '',
    ...(reasons.length ? reasons : ['- no cell earns points']),
    '',
    '### Hype flags',
    '',
    ...(flags.length ? flags : ['- none']),
  ];
  if (ev.notRunning.length) parts.push('', `Not running: ${ev.notRunning.join(', ')}.`);
  if (ev.unmeasured.length) parts.push('', `Unmeasured figures: ${ev.unmeasured.join(', ')}.`);
  return `${parts.join('\n')}\n`;
}

export function compareMarkdown(evs: readonly Evaluation[]): string {
  const head = `| cell | strength | ${evs.map((e) => cell(e.name)).join(' | ')} |\n| --- | --- | ${evs.map(() => '---').join(' | ')} |`;
  const rows = evs[0]!.cells.map((c, i) => `| \`${c.id}\` | ${c.strength} | ${evs.map((e) => cell(cellShort(e.cells[i]!))).join(' | ')} |`);
  const totals = [
    `| alignment | | ${evs.map((e) => e.alignment).join(' | ')} |`,
    `| evidence | | ${evs.map((e) => e.evidence ?? 'n/a').join(' | ')} |`,
    `| hype flags | | ${evs.map((e) => e.flags.length).join(' | ')} |`,
  ];
  return `${[head, ...rows, ...totals].join('\n')}\n\n${CELL_LEGEND}; alignment and evidence 0..100.\n`;
}
