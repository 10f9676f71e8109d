// Finds a model's on-chain id from its content hash, by the ModelPublished events
// of the registry (the content hash is an indexed topic), skipping deprecated ones.
import type { Hex } from 'viem';
import type { Connection } from '../chain/connect.ts';
import type { Deployment } from '../chain/manifest.ts';
import { modelRegistryAbi } from '../chain/generated/ModelRegistry.ts';

export async function findPublishedModel(connection: Connection, deployment: Deployment, contentHash: Hex): Promise<Hex | undefined> {
  const events = await connection.publicClient.getContractEvents({
    address: deployment.contracts.modelRegistry,
    abi: modelRegistryAbi,
    eventName: 'ModelPublished',
    args: { contentHash },
    fromBlock: BigInt(deployment.deploymentBlock),
  });
  for (const event of events.reverse()) {
    const modelId = event.args.modelId!;
    const deprecated = await connection.publicClient.readContract({ address: deployment.contracts.modelRegistry, abi: modelRegistryAbi, functionName: 'isDeprecated', args: [modelId] });
    if (!deprecated) return modelId;
  }
  return undefined;
}
