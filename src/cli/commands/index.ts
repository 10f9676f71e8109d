// The list of command groups the CLI offers; one import per area.
import type { Command } from 'commander';

export function registerCommands(program: Command): void {
  void program;
}
