// Brings a provider's on-chain registration in line with its configuration: registers
// with stake (approving the registry first) when it is new, updates the endpoint, and
// sets the price of every model it serves, and publishes its sealing key.
// Idempotent: a restart changes nothing.
import type { Hex } from 'viem';
import type { SignerConnection } from '../chain/connect.ts';
import type { Deployment } from '../chain/manifest.ts';
import { providerRegistryAbi } from '../chain/generated/ProviderRegistry.ts';
import { trellisTokenAbi } from '../chain/generated/TrellisToken.ts';
import type { Logger } from '../log.ts';
import { writeContract } from '../chain/write.ts';
import type { SealingKeys } from './sealing-key.ts';

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

/**
 * Publishes the current sealing key (ProviderRegistry.setEncryptionKey) when the chain
 * holds another one, and records the version the registry gave it. A key already on
 * chain is only recorded: a node that stopped between the transaction and the record
 * catches up on its next start. Returns the version clients now seal to.
 */
export async function publishSealingKey(connection: SignerConnection, deployment: Deployment, keys: SealingKeys, log: Logger): Promise<number> {
  const { publicClient, account } = connection;
  const registry = deployment.contracts.providerRegistry;
  const onChain = () => publicClient.readContract({ address: registry, abi: providerRegistryAbi, functionName: 'encryptionKeyOf', args: [account.address] });
  const wanted = keys.current.publicKey.toLowerCase();
  let [key, version] = await onChain();
  if (key.toLowerCase() !== wanted) {
    const hash = await writeContract(connection, { address: registry, abi: providerRegistryAbi, functionName: 'setEncryptionKey', args: [wanted as Hex] });
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== 'success') throw new Error(`setting the sealing key reverted (tx ${receipt.transactionHash})`);
    [key, version] = await onChain();
    log.info('published sealing key', { tx: receipt.transactionHash, version: Number(version) });
  }
  if (keys.current.version !== Number(version)) keys.published(keys.current.publicKey, Number(version));
  return Number(version);
}

/** A new sealing key, published: the registry's version increments and the previous key enters its grace. */
export async function rotateSealingKey(connection: SignerConnection, deployment: Deployment, keys: SealingKeys, log: Logger): Promise<number> {
  await keys.addKey();
  return publishSealingKey(connection, deployment, keys, log);
}
