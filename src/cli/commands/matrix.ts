// `trellis matrix ...`: the synergy grid, project evaluations, comparisons, the
// catalog, the HTML report and Trellis's own self-assessment. A thin layer over
// src/matrix; all it adds is reading arguments and writing the result.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { evaluate } from '../../matrix/evaluate.ts';
import { catalogTable } from '../../matrix/format/table.ts';
import { synergyGrid } from '../../matrix/grid.ts';
import { FORMATS, parseFormat, renderEvaluations, renderGrid } from '../../matrix/render.ts';
import { resolveDataDir } from '../data-dir.ts';

type OutputOptions = { format: string; out?: string };

function emit(text: string, out: string | undefined): void {
  if (out) {
    writeFileSync(out, text);
    process.stdout.write(`wrote ${out}\n`);
  } else {
    process.stdout.write(text);
  }
}

const REPORT_FILE = 'matrix-report.html';

/** The report beside the network's other state, in the data folder other commands use. */
function defaultReportPath(): string {
  const dir = resolve(resolveDataDir(undefined).dataDir);
  mkdirSync(dir, { recursive: true });
  return join(dir, REPORT_FILE);
}

async function catalogDir(command: Command): Promise<string> {
  const { defaultCatalogDir } = await import('../../matrix/catalog.ts');
  const options = command.optsWithGlobals<{ catalog?: string }>();
  return options.catalog ?? defaultCatalogDir();
}

export function registerMatrixCommands(program: Command): void {
  const matrix = program
    .command('matrix')
    .description('evaluate AI x blockchain projects, and Trellis itself, on the 3x3 synergy matrix')
    .option('--catalog <dir>', 'folder of project profiles (default: catalog/ of the repository)');
  const formatHelp = `output format: ${FORMATS.join(', ')}`;

  matrix
    .command('show')
    .description('the grid: synergy strength of each cell, why, and its enabling techniques')
    .option('--format <format>', formatHelp, 'table')
    .option('--out <file>', 'write to a file instead of stdout')
    .action((options: OutputOptions) => emit(renderGrid(parseFormat(options.format), synergyGrid()), options.out));

  matrix
    .command('evaluate')
    .description('place one project on the grid, score it and flag hype')
    .argument('<profile>', 'a profile YAML file, or a catalog project name')
    .option('--format <format>', formatHelp, 'table')
    .option('--out <file>', 'write to a file instead of stdout')
    .action(async (ref: string, options: OutputOptions, command: Command) => {
      const { resolveProfile } = await import('../../matrix/catalog.ts');
      const format = parseFormat(options.format);
      const entry = resolveProfile(ref, await catalogDir(command));
      emit(renderEvaluations(format, synergyGrid(), [evaluate(entry.profile)], `Synergy matrix: ${entry.profile.name}`), options.out);
    });

  matrix
    .command('compare')
    .description('several projects side by side')
    .argument('<projects...>', 'two or more profile files or catalog names ("self" for Trellis)')
    .option('--format <format>', formatHelp, 'table')
    .option('--out <file>', 'write to a file instead of stdout')
    .action(async (refs: string[], options: OutputOptions, command: Command) => {
      const { selfAssessment } = await import('../../matrix/self-assess.ts');
      const { resolveProfile } = await import('../../matrix/catalog.ts');
      const format = parseFormat(options.format);
      if (refs.length < 2) command.error('error: compare needs at least two projects', { exitCode: 1 });
      const dir = await catalogDir(command);
      const evaluations = refs.map((ref) => evaluate(ref === 'self' ? selfAssessment().profile : resolveProfile(ref, dir).profile));
      emit(renderEvaluations(format, synergyGrid(), evaluations, 'Synergy matrix: comparison'), options.out);
    });

  matrix
    .command('list')
    .description('the catalog of project profiles with their scores')
    .option('--format <format>', 'output format: table or json', 'table')
    .action(async (options: OutputOptions, command: Command) => {
      const { loadCatalog } = await import('../../matrix/catalog.ts');
      const format = parseFormat(options.format);
      const rows = loadCatalog(await catalogDir(command)).map((entry) => ({ entry, evaluation: evaluate(entry.profile) }));
      if (format === 'json') {
        emit(
          `${JSON.stringify(
            rows.map(({ entry, evaluation }) => ({
              id: entry.id,
              name: entry.profile.name,
              category: entry.profile.category,
              alignment: evaluation.alignment,
              alignedCells: evaluation.alignedCells,
              evidence: evaluation.evidence,
              flags: evaluation.flags.length,
            })),
            null,
            2,
          )}\n`,
          undefined,
        );
      } else {
        emit(catalogTable(rows), undefined);
      }
    });

  matrix
    .command('report')
    .description('a self-contained HTML page with the heatmap of every catalog project and of Trellis')
    .option('--out <file>', `where to write the HTML page (default: <data-dir>/${REPORT_FILE})`)
    .action(async (options: { out?: string }, command: Command) => {
      const { selfAssessment } = await import('../../matrix/self-assess.ts');
      const { loadCatalog } = await import('../../matrix/catalog.ts');
      const evaluations = [evaluate(selfAssessment().profile), ...loadCatalog(await catalogDir(command)).map((e) => evaluate(e.profile))];
      // A report is a file to open in a browser, never a page of HTML on the terminal.
      const out = options.out ?? defaultReportPath();
      emit(renderEvaluations('html', synergyGrid(), evaluations, 'AI x blockchain synergy matrix: catalog and Trellis'), out);
    });

  matrix
    .command('self')
    .description("Trellis's own place on the grid, derived from the code and benchmark results in this repository")
    .option('--format <format>', formatHelp, 'table')
    .option('--out <file>', 'write to a file instead of stdout')
    .action(async (options: OutputOptions) => {
      const { selfAssessment } = await import('../../matrix/self-assess.ts');
      const format = parseFormat(options.format);
      const { profile, problems } = selfAssessment();
      for (const problem of problems) process.stderr.write(`warning: ${problem}\n`);
      emit(renderEvaluations(format, synergyGrid(), [evaluate(profile)], 'Synergy matrix: Trellis self-assessment'), options.out);
    });
}
