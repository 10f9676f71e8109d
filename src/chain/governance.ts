// Governance through the timelock that owns TrellisParams: every parameter change and
// slasher authorization is scheduled, waits the timelock's delay in public, then is
// executed. The deployer is the timelock's proposer and executor unless the deployment
// named others (src/chain/deploy.ts).
import { keccak256, toHex, zeroHash, type Address, type Hex } from 'viem';
import type { SignerConnection } from './connect.ts';
import { trellisTimelockAbi } from './generated/TrellisTimelock.ts';
import { ChainError } from './errors.ts';
import type { Deployment } from './manifest.ts';
import { writeContract } from './write.ts';

export type GovernanceCall = { target: Address; data: Hex; value?: bigint };

/** An operation the timelock knows by its calls and salt. */
export type GovernanceOperation = { calls: GovernanceCall[]; salt: Hex };

export function timelockOf(deployment: Deployment): Address {
  if (!deployment.timelock) {
    throw new ChainError('GOVERNANCE_FAILED', 'This deployment has no governance timelock recorded in its manifest.', {
      details: ['deployments made before the timelock existed are governed by their deployer directly'],
    });
  }
  return deployment.timelock;
}

/** A salt unique to this moment, so the same calls can be scheduled again later. */
export const freshSalt = (): Hex => keccak256(toHex(`${Date.now()}-${Math.random()}`));

const batchArgs = ({ calls, salt }: GovernanceOperation) =>
  [calls.map((c) => c.target), calls.map((c) => c.value ?? 0n), calls.map((c) => c.data), zeroHash, salt] as const;

async function sendAndWait(c: SignerConnection, what: string, request: () => Promise<Hex>): Promise<void> {
  const hash = await request();
  const receipt = await c.publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== 'success')
    throw new ChainError('GOVERNANCE_FAILED', `The timelock refused to ${what}.`, { details: [`transaction ${hash} reverted`] });
}

/** Schedules the calls with the timelock's minimum delay; returns when they become executable (chain time, seconds). */
export async function scheduleGovernance(c: SignerConnection, timelock: Address, operation: GovernanceOperation): Promise<bigint> {
  const delay = await c.publicClient.readContract({ address: timelock, abi: trellisTimelockAbi, functionName: 'getMinDelay' });
  await sendAndWait(c, 'schedule the operation', () =>
    writeContract(c, { address: timelock, abi: trellisTimelockAbi, functionName: 'scheduleBatch', args: [...batchArgs(operation), delay] }),
  );
  const id = await c.publicClient.readContract({ address: timelock, abi: trellisTimelockAbi, functionName: 'hashOperationBatch', args: batchArgs(operation) });
  return c.publicClient.readContract({ address: timelock, abi: trellisTimelockAbi, functionName: 'getTimestamp', args: [id] });
}

/** Executes a scheduled operation whose delay has passed. */
export async function executeGovernance(c: SignerConnection, timelock: Address, operation: GovernanceOperation): Promise<void> {
  await sendAndWait(c, 'execute the operation', () =>
    writeContract(c, { address: timelock, abi: trellisTimelockAbi, functionName: 'executeBatch', args: batchArgs(operation) }),
  );
}
