// A provider's standing on chain, which a gateway's health check does not show: a
// provider can answer its health endpoint while jailed after losing a dispute.
import type { Address } from 'viem';
import type { Connection } from '../chain/connect.ts';
import { providerRegistryAbi } from '../chain/generated/ProviderRegistry.ts';
import type { Deployment } from '../chain/manifest.ts';
import { chainTime } from './account-status.ts';

export type ProviderStanding = {
  /** Unix seconds until which the provider is jailed; 0 when it never was. */
  jailedUntil: bigint;
  jailed: boolean;
  /** Stake taken by slashes since the deployment, and how many slashes. */
  slashed: bigint;
  slashes: number;
  openDisputes: bigint;
  now: bigint;
};

export async function providerStanding(c: Connection, d: Deployment, provider: Address): Promise<ProviderStanding> {
  const address = d.contracts.providerRegistry;
  const [info, openDisputes, slashEvents, now] = await Promise.all([
    c.publicClient.readContract({ address, abi: providerRegistryAbi, functionName: 'getProvider', args: [provider] }),
    c.publicClient.readContract({ address, abi: providerRegistryAbi, functionName: 'openDisputes', args: [provider] }),
    c.publicClient.getContractEvents({
      address,
      abi: providerRegistryAbi,
      eventName: 'ProviderSlashed',
      args: { provider },
      fromBlock: BigInt(d.deploymentBlock),
      strict: true,
    }),
    chainTime(c),
  ]);
  const jailedUntil = BigInt(info.jailedUntil);
  const slashed = slashEvents.reduce((sum, e) => sum + e.args.fromActive + e.args.fromUnbonding, 0n);
  return { jailedUntil, jailed: jailedUntil > now, slashed, slashes: slashEvents.length, openDisputes, now };
}
