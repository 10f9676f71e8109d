// The list of command groups the CLI offers; one import per area.
import type { Command } from 'commander';
import { registerAgentCommands } from './agent.ts';
import { registerBountyCommands } from './bounty.ts';
import { registerChainCommands } from './chain.ts';
import { registerClientCommands } from './client.ts';
import { registerFlCommands } from './fl.ts';
import { registerIndexerCommands } from './indexer.ts';
import { registerMatrixCommands } from './matrix.ts';
import { registerNetworkCommands } from './network.ts';
import { registerProviderCommands } from './provider.ts';
import { registerStoreCommands } from './store.ts';
import { registerWatchCommands } from './watch.ts';
import { registerZkCommands } from './zk.ts';

export function registerCommands(program: Command): void {
  registerNetworkCommands(program);
  registerClientCommands(program);
  registerProviderCommands(program);
  registerChainCommands(program);
  registerMatrixCommands(program);
  registerWatchCommands(program);
  registerIndexerCommands(program);
  registerStoreCommands(program);
  registerBountyCommands(program);
  registerAgentCommands(program);
  registerFlCommands(program);
  registerZkCommands(program);
}
