// Entry point of the `trellis` command. Each area adds its commands from its own file
// in ./commands; this file only wires them and turns errors into one clear line.
//
// Command files load what needs the contract bindings only when a command runs, so
// that help, the version and the matrix commands answer at once on a fresh clone;
// a command that needs the chain compiles the contracts first, with progress.
import { Command } from 'commander';
import { ensureContractBindings } from '../chain/bindings-build.ts';
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

const program = new Command()
  .name('trellis')
  .description('Trellis: an open network for verifiable AI work on Ethereum-compatible chains')
  .version(packageVersion, '-V, --version', 'print the version')
  .showHelpAfterError()
  .configureOutput({ outputError: (text, write) => write(text) })
  .hook('preAction', async (_program, command) => {
    if (needsContracts(command)) await ensureContractBindings((line) => process.stderr.write(`trellis: ${line}\n`));
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
