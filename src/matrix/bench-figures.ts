// Reads measured figures from bench/results/<suite>.jsonl, the files the benchmark
// runner keeps with each suite's last run. A malformed line is skipped and reported,
// so one bad line does not hide the other figures.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export type BenchFigure = { suite: string; figure: string; value: number; unit: string; file: string };
export type BenchRead = { figures: BenchFigure[]; problems: string[] };

export function readBenchFigures(root: string): BenchRead {
  const dir = join(root, 'bench', 'results');
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((n) => n.endsWith('.jsonl'))
      .sort();
  } catch {
    return { figures: [], problems: [] };
  }
  const figures: BenchFigure[] = [];
  const problems: string[] = [];
  for (const name of names) {
    const file = `bench/results/${name}`;
    readFileSync(join(dir, name), 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (line.trim() === '') return;
        const parsed = parseLine(line);
        if (parsed) figures.push({ ...parsed, file });
        else problems.push(`${file}:${i + 1}: not a figure line`);
      });
  }
  return { figures, problems };
}

function parseLine(line: string): Omit<BenchFigure, 'file'> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const r = value as Record<string, unknown>;
  if (typeof r.suite !== 'string' || typeof r.figure !== 'string' || typeof r.unit !== 'string') return undefined;
  if (typeof r.value !== 'number' || !Number.isFinite(r.value)) return undefined;
  return { suite: r.suite, figure: r.figure, value: r.value, unit: r.unit };
}
