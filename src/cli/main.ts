// Entry point of the `trellis` command. Each area adds its commands from its own file
// in ./commands; this file only wires them and turns errors into one clear line.
import { Command } from 'commander';
import { registerCommands } from './commands/index.ts';
import { formatError } from './format-error.ts';

const program = new Command()
  .name('trellis')
  .description('Trellis: an open network for verifiable AI work on Ethereum-compatible chains')
  .showHelpAfterError()
  .configureOutput({ outputError: (text, write) => write(text) });

registerCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.stderr.write(`${formatError(error)}\n`);
  process.exitCode = 1;
}
