// How every benchmark suite reports: a readable table on stdout, then one JSON line
// per figure, `{"suite":"engine","figure":"...","value":1.08,"unit":"x"}`, so that
// runs on different machines compare through ratios measured within one run.
// The last run of each suite is also kept in bench/results/<suite>.jsonl, where the
// project's self-assessment (`trellis matrix self`) reads its measured figures.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const resultsDir = join(dirname(fileURLToPath(import.meta.url)), 'results');
export type Figure = {
  figure: string;
  value: number;
  unit: string;
  /** A human label for the table; the figure name is used when absent. */
  label?: string;
};

export function report(suite: string, figures: readonly Figure[]): void {
  const rows = figures.map((f) => [f.label ?? f.figure, formatValue(f.value), f.unit]);
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]!.length), ['figure', 'value', 'unit'][i]!.length));
  const line = (cells: string[]) => cells.map((c, i) => (i === 1 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  console.log(`\n${suite}`);
  console.log(line(['figure', 'value', 'unit']));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
  console.log('');
  const lines = figures.map((f) => JSON.stringify({ suite, figure: f.figure, value: round(f.value), unit: f.unit }));
  for (const line of lines) console.log(line);
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, `${suite}.jsonl`), `${lines.join('\n')}\n`);
}

function round(value: number): number {
  return Number.isInteger(value) ? value : Number(value.toPrecision(6));
}

function formatValue(value: number): string {
  return Number.isInteger(value) ? value.toLocaleString('en-US') : round(value).toString();
}
