// Picks the renderer for an output format, so that the CLI and any other caller
// produce the same text for the same evaluations.
import { UnknownFormatError } from './errors.ts';
import type { Evaluation } from './evaluate.ts';
import { evaluationHtml } from './format/html.ts';
import { evaluationJson } from './format/json.ts';
import { compareMarkdown, evaluationMarkdown, gridMarkdown } from './format/markdown.ts';
import { compareTable, evaluationTable, gridTable } from './format/table.ts';
import type { GridCell } from './grid.ts';

export const FORMATS = ['table', 'json', 'md', 'html'] as const;
export type Format = (typeof FORMATS)[number];

export function parseFormat(value: string): Format {
  if (!(FORMATS as readonly string[]).includes(value)) throw new UnknownFormatError(value, FORMATS);
  return value as Format;
}

/** One evaluation, or several side by side. */
export function renderEvaluations(format: Format, grid: readonly GridCell[], evaluations: readonly Evaluation[], title: string): string {
  const [only] = evaluations;
  const single = evaluations.length === 1 && only !== undefined;
  switch (format) {
    case 'table':
      return single ? evaluationTable(only) : compareTable(evaluations);
    case 'json':
      return evaluationJson(single ? only : evaluations);
    case 'md':
      return single ? evaluationMarkdown(only) : `${compareMarkdown(evaluations)}\n${evaluations.map(evaluationMarkdown).join('\n')}`;
    case 'html':
      return evaluationHtml({ title, grid, evaluations });
  }
}

export function renderGrid(format: Format, grid: readonly GridCell[]): string {
  switch (format) {
    case 'table':
      return gridTable(grid);
    case 'json':
      return `${JSON.stringify(grid, null, 2)}\n`;
    case 'md':
      return gridMarkdown(grid);
    case 'html':
      return evaluationHtml({ title: 'AI x blockchain synergy matrix', grid, evaluations: [] });
  }
}
