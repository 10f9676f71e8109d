// Builds the typed contract bindings (src/chain/generated/, written by
// scripts/build-contracts.ts) when an entry point that needs them finds them missing,
// as on a fresh clone after `npm install`. This module imports none of them, so that
// it can run before anything that does.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { TrellisError } from '../errors.ts';
import { repoRoot } from '../repo-root.ts';

const root = repoRoot();
const generatedDir = join(root, 'src', 'chain', 'generated');

/** The one line an entry point prints when it cannot build the bindings itself. */
export const BUILD_HINT = 'run `npm run build` once to compile the contracts and generate src/chain/generated/';

/**
 * Deployable contracts: the .sol files directly under contracts/src and in one folder
 * per area; interfaces and libraries need no bindings. Maps each name to its source.
 */
export function deployableContracts(): Map<string, string> {
  const sourceOf = new Map<string, string>();
  for (const folder of ['', 'agents', 'fl', 'zk']) {
    for (const file of readdirSync(join(root, 'contracts', 'src', folder)).filter((f) => f.endsWith('.sol'))) {
      sourceOf.set(file.slice(0, -4), folder ? `${folder}/${file}` : file);
    }
  }
  return sourceOf;
}

/** Whether every deployable contract has its binding. */
export function contractBindingsPresent(): boolean {
  return [...deployableContracts().keys()].every((name) => existsSync(join(generatedDir, `${name}.ts`)));
}

/**
 * Compiles the contracts if their bindings are missing, reporting on `write` (stderr
 * in every entry point): a first line saying what and why, the compiler's own lines,
 * and a line every `tickMs` while it runs, so that a minute of compiling never looks
 * like a hang.
 */
export async function ensureContractBindings(write: (line: string) => void, tickMs = 10_000): Promise<void> {
  if (contractBindingsPresent()) return;
  write('compiling the contracts once (npm run build; about a minute on a fresh clone)...');
  const started = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'build-contracts.ts')], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  const relay = (chunk: Buffer) => {
    for (const line of chunk.toString().split(/\r?\n/)) if (line.trim() !== '') write(`  ${line.trim()}`);
  };
  child.stdout.on('data', relay);
  child.stderr.on('data', relay);
  const ticker = setInterval(() => write(`  still compiling (${Math.round((Date.now() - started) / 1000)} s)`), tickMs);
  const status = await new Promise<number | null>((resolve) => child.on('close', resolve)).finally(() => clearInterval(ticker));
  if (status !== 0 || !contractBindingsPresent()) {
    throw new TrellisError('BUILD_FAILED', 'Compiling the contracts failed.', { details: ['see the compiler output above', BUILD_HINT] });
  }
  write(`compiled the contracts in ${Math.round((Date.now() - started) / 1000)} s`);
}
