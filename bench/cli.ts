// `npm run bench -- cli [--runs N]`: how long one `trellis` command takes from spawn to
// exit, for the compiled bundle that bin/trellis.js runs (dist/cli) and for the same
// sources through the tsx loader, alternating the two in one run. Every test that
// spawns the CLI pays this per spawn. `balances` runs against a local network that
// this process hosts, so it includes connecting to the chain and reading it.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startTestNetwork, type TestNetwork } from '../test/support/network.ts';
import { repoRoot } from '../src/repo-root.ts';
import { report, type Figure } from './report.ts';
import { BenchError } from './support/errors.ts';
import { numberOption } from './support/options.ts';

const root = repoRoot();
const compiled = [join(root, 'bin', 'trellis.js')];
const throughTsx = ['--import', 'tsx', join(root, 'src', 'cli', 'main.ts')];

/** Milliseconds from spawn to exit of `node <prefix> <args>`; the command must succeed. */
function timed(prefix: string[], args: string[]): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...prefix, ...args], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (status) => {
      if (status === 0) resolve(performance.now() - started);
      else reject(new BenchError('BENCH_NOTHING_MEASURED', `trellis ${args.join(' ')} exited with ${status}.`, { details: [stderr.trim()] }));
    });
  });
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

export async function main(args: string[]): Promise<void> {
  const runs = numberOption(args, { name: 'runs', fallback: 5, min: 1, max: 100, integer: true });
  let net: TestNetwork | undefined;
  try {
    net = await startTestNetwork();
    const commands: Record<string, string[]> = {
      version: ['--version'],
      help: ['--help'],
      matrix_list: ['matrix', 'list'],
      balances: ['balances', '--data-dir', net.dataDir],
    };
    // Once each, unmeasured: builds dist/cli if a source changed, and warms the file cache.
    for (const command of Object.values(commands)) await timed(compiled, command);
    const figures: Figure[] = [];
    for (const [name, command] of Object.entries(commands)) {
      const ms = { compiled: [] as number[], tsx: [] as number[] };
      for (let run = 0; run < runs; run++) {
        // Alternating, so that a change in the machine's load falls on both alike.
        ms.compiled.push(await timed(compiled, command));
        ms.tsx.push(await timed(throughTsx, command));
      }
      const [fast, slow] = [median(ms.compiled), median(ms.tsx)];
      figures.push(
        { figure: `cli_start_ms_${name}`, value: Math.round(fast), unit: 'ms', label: `trellis ${name.replace('_', ' ')}, compiled` },
        { figure: `cli_tsx_start_ms_${name}`, value: Math.round(slow), unit: 'ms', label: `the same through tsx` },
        { figure: `cli_tsx_vs_compiled_ratio_${name}`, value: slow / fast, unit: 'x', label: `tsx / compiled, ${name}` },
      );
    }
    report('cli', figures);
  } finally {
    await net?.dispose();
  }
}
