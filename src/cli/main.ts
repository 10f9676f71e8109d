// Entry point of the `trellis` command. Each area adds its commands from its own file
// in ./commands; this file only wires them and turns errors into one clear line.
//
// Command files load their implementation only when a command runs (a dynamic import
// in each action), so that help and the version load little more than commander, and
// the matrix commands answer on a fresh clone; a command that needs the chain
// compiles the contracts first, with progress.
import { spawn } from 'node:child_process';
import { Command } from 'commander';
import { contractBindingsPresent, ensureContractBindings } from '../chain/bindings-build.ts';
import { registerCommands } from './commands/index.ts';
import { formatError } from './format-error.ts';
import { packageVersion } from '../version.ts';

/** Commands and command groups that never touch a contract, by their path after `trellis`. */
const CHAIN_FREE = new Set(['matrix', 'model import', 'store']);

const needsContracts = (command: Command): boolean => {
  for (let c: Command | null = command; c?.parent; c = c.parent) {
    const path: string[] = [];
    for (let p: Command | null = c; p?.parent; p = p.parent) path.unshift(p.name());
    if (CHAIN_FREE.has(path.join(' '))) return false;
  }
  return true;
};

/** Whether this is the bundle in dist/cli (bin/trellis.js) rather than the sources through tsx. */
const runningCompiled = import.meta.url.endsWith('.js');

/**
 * Runs the command again in a new process and exits with its status. The bundle was
 * built before the contract bindings existed, so its modules that need them only
 * throw; bin/trellis.js rebuilds it with them first. A SIGTERM is passed on; Ctrl-C
 * reaches the new process from the terminal itself (one process group).
 */
async function runAgain(): Promise<never> {
  process.stderr.write('trellis: starting again with the compiled contracts\n');
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit' });
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  process.on('SIGINT', () => {});
  const status = await new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
  process.exit(status);
}

const program = new Command()
  .name('trellis')
  .description('Trellis: an open network for verifiable AI work on Ethereum-compatible chains')
  .version(packageVersion, '-V, --version', 'print the version')
  .showHelpAfterError()
  .configureOutput({ outputError: (text, write) => write(text) })
  .hook('preAction', async (_program, command) => {
    if (!needsContracts(command) || contractBindingsPresent()) return;
    await ensureContractBindings((line) => process.stderr.write(`trellis: ${line}\n`));
    if (runningCompiled) await runAgain();
  });

registerCommands(program);

// Output piped into a reader that stops early (`trellis receipts | head`): the rest
// has nowhere to go, which is not an error of the command.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.stderr.write(`${formatError(error)}\n`);
  process.exitCode = 1;
}
