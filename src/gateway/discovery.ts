// Discovery: reads the registries' events from the deployment block on, in bounded
// block ranges, then follows new blocks by polling. The table is built from logs only;
// the one thing logs cannot tell (a jail term running out) is confirmed with the
// registry's `isActive` view.
import type { Address } from 'viem';
import type { Connection } from '../chain/connect.ts';
import type { Deployment } from '../chain/manifest.ts';
import { modelRegistryAbi } from '../chain/generated/ModelRegistry.ts';
import { providerRegistryAbi } from '../chain/generated/ProviderRegistry.ts';
import { silentLogger, type Logger } from '../log.ts';
import { NetworkTable, type RegistryLog } from './network-table.ts';

export type DiscoveryInit = {
  connection: Connection;
  deployment: Deployment;
  logger?: Logger;
  /** Milliseconds between polls for new blocks (default 1000, at least 10). */
  pollIntervalMs?: number;
  /** Most blocks asked for in one getLogs call (default 2000), as public RPCs cap ranges. */
  maxBlockRange?: bigint;
};

export class Discovery {
  readonly table = new NetworkTable();
  private readonly log: Logger;
  private readonly pollIntervalMs: number;
  private readonly maxBlockRange: bigint;
  private nextBlock: bigint;
  /** Syncs run one after another, never interleaved. */
  private queue: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;

  constructor(private readonly init: DiscoveryInit) {
    this.log = (init.logger ?? silentLogger).child('discovery');
    this.pollIntervalMs = Math.max(10, init.pollIntervalMs ?? 1_000);
    this.maxBlockRange = init.maxBlockRange && init.maxBlockRange > 0n ? init.maxBlockRange : 2_000n;
    this.nextBlock = BigInt(init.deployment.deploymentBlock);
  }

  /** The first block not read yet. */
  get cursor(): bigint {
    return this.nextBlock;
  }

  /** Reads everything up to the current head (errors propagate), then polls. */
  async start(): Promise<void> {
    await this.sync();
    this.stopped = false;
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.queue.catch(() => undefined);
  }

  /** Reads new blocks now; resolves when the table includes the current head. */
  sync(): Promise<void> {
    const run = this.queue.then(() => this.syncOnce());
    this.queue = run.catch(() => undefined);
    return run;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.sync()
        .catch((error: unknown) => this.log.warn('sync failed; retrying at the next poll', { reason: firstLine(error) }))
        .finally(() => this.schedule());
    }, this.pollIntervalMs);
  }

  private async syncOnce(): Promise<void> {
    const { publicClient } = this.init.connection;
    const head = await publicClient.getBlockNumber({ cacheTime: 0 });
    const touched = new Set<Address>();
    while (this.nextBlock <= head) {
      const toBlock = min(head, this.nextBlock + this.maxBlockRange - 1n);
      const logs = await this.readRange(this.nextBlock, toBlock);
      for (const log of logs) {
        const provider = this.table.apply(log);
        if (provider) touched.add(provider);
      }
      this.nextBlock = toBlock + 1n;
      if (logs.length > 0) this.log.info('read events', { from: String(logs[0]?.blockNumber), to: String(toBlock), count: logs.length });
    }
    // A jailed provider comes back without any event once its term ends: ask again.
    for (const provider of this.table.providers.values()) {
      if (!provider.active && provider.jailedUntil > 0n) touched.add(provider.address);
    }
    await this.confirmActive([...touched]);
  }

  private async readRange(fromBlock: bigint, toBlock: bigint): Promise<RegistryLog[]> {
    const { publicClient } = this.init.connection;
    const { contracts } = this.init.deployment;
    const [providerLogs, modelLogs] = await Promise.all([
      publicClient.getContractEvents({ address: contracts.providerRegistry, abi: providerRegistryAbi, fromBlock, toBlock, strict: true }),
      publicClient.getContractEvents({ address: contracts.modelRegistry, abi: modelRegistryAbi, fromBlock, toBlock, strict: true }),
    ]);
    // Both contracts' events in chain order, so a price set before a deprecation reads so.
    return [...providerLogs, ...modelLogs].sort((a, b) => (a.blockNumber === b.blockNumber ? a.logIndex - b.logIndex : a.blockNumber < b.blockNumber ? -1 : 1));
  }

  private async confirmActive(providers: Address[]): Promise<void> {
    const { publicClient } = this.init.connection;
    const address = this.init.deployment.contracts.providerRegistry;
    const answers = await Promise.all(
      providers.map((provider) => publicClient.readContract({ address, abi: providerRegistryAbi, functionName: 'isActive', args: [provider] })),
    );
    providers.forEach((provider, i) => {
      const record = this.table.providers.get(provider);
      if (record && record.active !== answers[i]) {
        record.active = answers[i] === true;
        this.log.info(record.active ? 'provider active' : 'provider inactive', { provider });
      }
    });
  }
}

const min = (a: bigint, b: bigint) => (a < b ? a : b);

export const firstLine = (error: unknown): string => (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
