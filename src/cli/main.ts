// Entry point of the `trellis` command. Each area adds its commands from its own file
// in ./commands; this file only wires them and turns errors into one clear line.
//
// Command files load what needs the contract bindings only when a command runs, so
// that help, the version and the matrix commands answer at once on a fresh clone;
// a command that needs the chain compiles the contracts first, with progress.
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { ensureContractBindings } from '../chain/bindings-build.ts';
import { registerCommands } from './commands/index.ts';
import { formatError } from './format-error.ts';

const packageVersion = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** Command groups that never touch a contract. */
const CHAIN_FREE = new Set(['matrix']);

const needsContracts = (command: Command): boolean => {
  for (let c: Command | null = command; c; c = c.parent) if (CHAIN_FREE.has(c.name())) return false;
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

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.stderr.write(`${formatError(error)}\n`);
  process.exitCode = 1;
}
