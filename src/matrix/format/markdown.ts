// Markdown renderings of the grid and of evaluations, for docs and issues.
import type { Evaluation } from '../evaluate.ts';
import { MAX_CELL_SCORE } from '../evaluate.ts';
import type { GridCell } from '../grid.ts';
import { AXES, PROPERTIES, cellId } from '../vocabulary.ts';
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
    const scores = AXES.map((a) => {
      const c = ev.cells.find((x) => x.id === cellId(p, a))!;
      return `${c.score}/${MAX_CELL_SCORE} (${c.strength})${c.claimed ? ' *' : ''}`;
    });
    return `| **${titleCase(p)}** | ${scores.join(' | ')} |`;
  });
  const reasons = ev.cells.filter((c) => c.reasons.length > 0).map((c) => `- \`${c.id}\` ${c.score}/${MAX_CELL_SCORE}: ${cell(c.reasons.join('; '))}`);
  const flags = ev.flags.map((f) => `- **${f.rule}**${f.cell ? ` \`${f.cell}\`` : ''}${f.claim ? ` "${cell(f.claim)}"` : ''}: ${cell(f.message)}`);
  const parts = [
    `## ${ev.name}`,
    '',
    `Category: ${ev.category}. Overall ${ev.overall}/100, backing ${ev.backing === null ? 'n/a' : `${ev.backing}/100`}, ${ev.flags.length} hype flag(s).`,
    '',
    head,
    ...rows,
    '',
    '`*` claimed by the project.',
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
  const rows = evs[0]!.cells.map((c, i) => `| \`${c.id}\` | ${c.strength} | ${evs.map((e) => `${e.cells[i]!.score}${e.cells[i]!.claimed ? ' *' : ''}`).join(' | ')} |`);
  const totals = [
    `| overall | | ${evs.map((e) => e.overall).join(' | ')} |`,
    `| backing | | ${evs.map((e) => e.backing ?? 'n/a').join(' | ')} |`,
    `| hype flags | | ${evs.map((e) => e.flags.length).join(' | ')} |`,
  ];
  return `${[head, ...rows, ...totals].join('\n')}\n\nCell scores 0..${MAX_CELL_SCORE}; \`*\` claimed; overall and backing 0..100.\n`;
}
