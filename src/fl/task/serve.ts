// Serving a task's published model. Providers choose what they serve when they start
// (src/provider/node.ts), so the providers already running never pick up a model
// published later; this starts one more provider for it, which fetches the package by
// the CID its publication names (from the task's store over HTTP), checks it against the
// publication and registers with the network like any other provider.
import type { Hex } from 'viem';
import type { SignerConnection } from '../../chain/connect.ts';
import type { Deployment } from '../../chain/manifest.ts';
import { silentLogger, type Logger } from '../../log.ts';
import { listen } from '../../net/http.ts';
import { startProviderNode, type ProviderNode } from '../../provider/node.ts';
import { storeRoutes, type BlockStore } from '../../store/index.ts';

export type ServedTaskModel = { provider: ProviderNode; storeUrl: string; stop(): Promise<void> };

export async function serveTaskModel(options: {
  connection: SignerConnection;
  deployment: Deployment;
  store: BlockStore;
  modelId: Hex;
  price: bigint;
  stake: bigint;
  dataDir: string;
  log?: Logger;
}): Promise<ServedTaskModel> {
  const storeServer = await listen(storeRoutes(options.store), '127.0.0.1', 0);
  try {
    const provider = await startProviderNode({
      connection: options.connection,
      deployment: options.deployment,
      dataDir: options.dataDir,
      models: [{ modelId: options.modelId, price: options.price }],
      storeSources: [{ kind: 'gateway', url: storeServer.url }],
      port: 0,
      stake: options.stake,
      settlement: { batchSize: 1_000_000, maxAgeMs: 3_600_000 },
      log: options.log ?? silentLogger,
    });
    return {
      provider,
      storeUrl: storeServer.url,
      async stop() {
        await provider.stop();
        await storeServer.close();
      },
    };
  } catch (error) {
    await storeServer.close();
    throw error;
  }
}
