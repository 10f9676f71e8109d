// Governance on a local anvil in tests: schedule through the deployment's timelock,
// move the chain's clock past the delay, execute.
import { createTestClient, http } from 'viem';
import type { SignerConnection } from '../../src/chain/connect.ts';
import { executeGovernance, freshSalt, scheduleGovernance, timelockOf, type GovernanceCall } from '../../src/chain/governance.ts';
import type { Deployment } from '../../src/chain/manifest.ts';

/** Runs `calls` as the governance (the deployer is the timelock's proposer and executor locally). */
export async function governLocally(deployer: SignerConnection, deployment: Deployment, calls: GovernanceCall[]): Promise<void> {
  const timelock = timelockOf(deployment);
  const operation = { calls, salt: freshSalt() };
  const readyAt = await scheduleGovernance(deployer, timelock, operation);
  const now = (await deployer.publicClient.getBlock()).timestamp;
  if (readyAt > now) {
    const testClient = createTestClient({ mode: 'anvil', transport: http(deployer.rpcUrl) });
    await testClient.increaseTime({ seconds: Number(readyAt - now) });
    await testClient.mine({ blocks: 1 });
  }
  await executeGovernance(deployer, timelock, operation);
}
