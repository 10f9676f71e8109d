// Brings a provider's on-chain registration in line with its configuration: registers
// with stake (approving the registry first) when it is new, updates the endpoint, and
// sets the price of every model it serves. Idempotent: a restart changes nothing.
import type { Hex } from 'viem';
import type { SignerConnection } from '../chain/connect.ts';
import type { Deployment } from '../chain/manifest.ts';
import { providerRegistryAbi } from '../chain/generated/ProviderRegistry.ts';
import { trellisTokenAbi } from '../chain/generated/TrellisToken.ts';
import type { Logger } from '../log.ts';
import { writeContract } from '../chain/write.ts';

export type Registration = { endpoint: string; stake: bigint; prices: ReadonlyMap<Hex, bigint> };

export async function ensureRegistered(connection: SignerConnection, deployment: Deployment, wanted: Registration, log: Logger): Promise<void> {
  const { publicClient, account } = connection;
  const registry = deployment.contracts.providerRegistry;
  const send = async (what: string, hash: Promise<Hex>) => {
    const receipt = await publicClient.waitForTransactionReceipt({ hash: await hash });
    if (receipt.status !== 'success') throw new Error(`${what} reverted (tx ${receipt.transactionHash})`);
    log.info(what, { tx: receipt.transactionHash });
  };
  const info = await publicClient.readContract({ address: registry, abi: providerRegistryAbi, functionName: 'getProvider', args: [account.address] });
  if (!info.registered) {
    await send(
      'approved stake',
      writeContract(connection, { address: deployment.contracts.token, abi: trellisTokenAbi, functionName: 'approve', args: [registry, wanted.stake] }),
    );
    const pubKey = account.publicKey ?? '0x';
    await send(
      'registered',
      writeContract(connection, { address: registry, abi: providerRegistryAbi, functionName: 'register', args: [wanted.endpoint, pubKey, wanted.stake] }),
    );
  } else if (info.endpoint !== wanted.endpoint) {
    await send(
      'updated endpoint',
      writeContract(connection, { address: registry, abi: providerRegistryAbi, functionName: 'updateEndpoint', args: [wanted.endpoint] }),
    );
  }
  for (const [modelId, price] of wanted.prices) {
    const current = await publicClient.readContract({ address: registry, abi: providerRegistryAbi, functionName: 'priceOf', args: [account.address, modelId] });
    if (current !== price)
      await send('set price', writeContract(connection, { address: registry, abi: providerRegistryAbi, functionName: 'setPrice', args: [modelId, price] }));
  }
}
