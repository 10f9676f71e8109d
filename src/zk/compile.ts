// Compiles generated circom with the circom compiler built as WebAssembly (npm `circom2`),
// so no native toolchain or download is needed. Output: <dir>/<name>.r1cs, <name>.sym and
// <dir>/<name>_js/<name>.wasm (the witness calculator).
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { repoRoot } from '../repo-root.ts';
import { ZkError } from './errors.ts';

const ROOT = repoRoot();
const CLI = createRequire(import.meta.url).resolve('circom2/cli.js');

export type CompiledCircuit = { r1cs: string; wasm: string; sym: string; source: string };

export function compiledPaths(dir: string, name: string): CompiledCircuit {
  return {
    source: join(dir, `${name}.circom`),
    r1cs: join(dir, `${name}.r1cs`),
    sym: join(dir, `${name}.sym`),
    wasm: join(dir, `${name}_js`, `${name}.wasm`),
  };
}

export async function compileCircuit(source: string, dir: string, name: string): Promise<CompiledCircuit> {
  mkdirSync(dir, { recursive: true });
  const paths = compiledPaths(dir, name);
  writeFileSync(paths.source, source);
  // The WASI runner only sees paths below its working directory: run it from the repository.
  const args = [CLI, relative(ROOT, paths.source), '--r1cs', '--wasm', '--sym', '--O2', '-l', 'node_modules', '-o', relative(ROOT, dir)];
  const output = await new Promise<{ code: number | null; text: string }>((done) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (d: Buffer) => {
      text += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      text += d.toString();
    });
    child.on('close', (code) => done({ code, text }));
  });
  if (output.code !== 0) {
    throw new ZkError('ZK_COMPILE', 'The circom compiler refused the generated circuit.', { details: output.text.trim().split('\n').slice(-20) });
  }
  // circom also writes a JavaScript witness runner beside the wasm; circom_runtime is used
  // instead, and the unused copies would only be linted as project sources.
  for (const file of ['generate_witness.js', 'witness_calculator.js']) rmSync(join(dir, `${name}_js`, file), { force: true });
  return paths;
}
