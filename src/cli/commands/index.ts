// The list of command groups the CLI offers; one import per area.
import type { Command } from 'commander';
import { registerChainCommands } from './chain.ts';
import { registerMatrixCommands } from './matrix.ts';

export function registerCommands(program: Command): void {
  registerChainCommands(program);
  registerMatrixCommands(program);
}
