// `trellis role`: the entry of a role process of `trellis up` (one provider, or the
// gateway with its watcher and x402 facilitator). Hidden from help: `trellis up`
// forks it and hands it its part over IPC (src/network/role-process.ts); run by hand
// it says so and exits.
import type { Command } from 'commander';

export function registerRoleCommand(program: Command): void {
  program
    .command('role', { hidden: true })
    .description('run one part of the local network for `trellis up` (started by it, over IPC)')
    .action(async () => {
      const { runRoleProcess } = await import('../../network/role-process.ts');
      await runRoleProcess();
    });
}
