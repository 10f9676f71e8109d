// CPU per request of the network's role processes over one phase, read from their
// stats endpoints (src/network/role-stats.ts) before and after it: the CPU time each
// process spent divided by the inference requests it served meanwhile. Processes of
// one kind (the three providers) are pooled: their CPU summed over their requests.
import { readRoleStats } from '../../src/network/role-stats.ts';
import type { RoleStats } from '../../src/network/role-messages.ts';

export type RoleSnapshot = RoleStats[];

export const snapshotRoles = (statsUrls: readonly string[]): Promise<RoleSnapshot> => Promise.all(statsUrls.map(readRoleStats));

export type RoleCpu = { cpuUs: number; served: number; usPerRequest: number };

/** What the processes of `after` spent since `before` (same processes, same order). */
export function cpuBetween(before: RoleSnapshot, after: RoleSnapshot): RoleCpu {
  let cpuUs = 0;
  let served = 0;
  for (const [i, end] of after.entries()) {
    const start = before[i]!;
    cpuUs += end.cpuUs.user + end.cpuUs.system - start.cpuUs.user - start.cpuUs.system;
    served += end.served - start.served;
  }
  return { cpuUs, served, usPerRequest: served > 0 ? cpuUs / served : Number.NaN };
}
