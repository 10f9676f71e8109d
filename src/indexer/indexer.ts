// The indexer: follows every event of one Trellis deployment from its deployment
// block into the database, `confirmations` blocks behind the head. Each step reads
// one bounded range of blocks and stores it in one transaction. Before a step, the
// last stored block is compared with the chain's: a different hash is a reorg (or a
// chain restarted from an earlier block), answered by rewinding to the newest stored
// block still on the chain; a different genesis block is another chain, answered by
// starting over. A failing step (the node dropped, the database refused) is retried
// with a growing delay and logged; a log that cannot be decoded is recorded and skipped.
import { getAddress, type Address, type Log } from 'viem';
import type { Deployment } from '../chain/manifest.ts';
import { silentLogger, type Logger } from '../log.ts';
import { chainReader, type BlockHeader, type ChainReader } from './chain-reader.ts';
import type { Database } from './db/database.ts';
import { IndexerError } from './errors.ts';
import { addressBook, decodeLog, deployedContracts, type IndexedEvent } from './events.ts';
import { readState, rewindTo, royaltyAddresses, startIndex, storedBlock, storedBlocks, storeRange, type ChainIdentity, type SkippedLog } from './store.ts';

export type IndexerOptions = {
  rpcUrl: string;
  deployment: Deployment;
  db: Database;
  /** Blocks a block must have on top of it before it is indexed (default 0: anvil does not reorg by itself). */
  confirmations?: number;
  /** Most blocks read by one eth_getLogs (default 2000); halved while the node refuses a range. */
  maxBlockRange?: number;
  /** Milliseconds between polls once caught up (default 1000). */
  pollIntervalMs?: number;
  /** First and largest delay before retrying a failed step (default 250 and 10000 ms). */
  retryDelayMs?: { first: number; max: number };
  log?: Logger;
  /** Replaces the chain node client (tests). */
  reader?: ChainReader;
};

export type IndexerStatus = {
  chainId: number;
  deploymentBlock: number;
  indexedBlock: number;
  head: number | null;
  confirmations: number;
  lag: number | null;
  skippedLogs: number;
  /** Consecutive failed steps; 0 while the chain node answers. */
  failures: number;
  lastError: string | null;
};

export type EventListener = (events: readonly IndexedEvent[]) => void;

export type Indexer = {
  status(): IndexerStatus;
  /** Called with each range of new events once it is committed; returns an unsubscribe. */
  subscribe(listener: EventListener): () => void;
  /** Runs steps until caught up with the confirmed head (tests and one-shot use). */
  syncOnce(): Promise<void>;
  stop(): Promise<void>;
};

export async function startIndexer(options: IndexerOptions): Promise<Indexer> {
  const indexer = new ChainIndexer(options);
  await indexer.open();
  indexer.run();
  return indexer;
}

class ChainIndexer implements Indexer {
  private readonly reader: ChainReader;
  private readonly log: Logger;
  private readonly confirmations: number;
  private readonly maxRange: number;
  private readonly pollMs: number;
  private readonly retry: { first: number; max: number };
  private readonly addresses: Address[];
  private readonly book;
  private readonly listeners = new Set<EventListener>();
  private range: number;
  private head: number | null = null;
  private indexedBlock: number;
  private skippedLogs = 0;
  private failures = 0;
  private lastError: string | null = null;
  private stopped = false;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  /** One step at a time, whether from the loop or from syncOnce. */
  private busy: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: IndexerOptions) {
    this.reader = options.reader ?? chainReader(options.rpcUrl);
    this.log = (options.log ?? silentLogger).child('indexer');
    this.confirmations = options.confirmations ?? 0;
    this.maxRange = options.maxBlockRange ?? 2000;
    this.pollMs = options.pollIntervalMs ?? 1000;
    this.retry = options.retryDelayMs ?? { first: 250, max: 10_000 };
    for (const [name, value, least] of [
      ['confirmations', this.confirmations, 0],
      ['maxBlockRange', this.maxRange, 1],
      ['pollIntervalMs', this.pollMs, 1],
    ] as const) {
      if (!Number.isSafeInteger(value) || value < least) {
        throw new IndexerError('INDEXER_OPTIONS_INVALID', `The indexer option ${name} must be an integer of at least ${least}.`, { details: [`got ${value}`] });
      }
    }
    this.range = this.maxRange;
    this.addresses = Object.values(deployedContracts(options.deployment));
    this.book = addressBook(options.deployment);
    this.indexedBlock = options.deployment.deploymentBlock - 1;
  }

  /** Checks the chain is the deployment's, and the stored index is of this chain, or starts it over. */
  async open(): Promise<void> {
    const { db, deployment } = this.options;
    const chainId = await this.reader.chainId();
    if (chainId !== deployment.chainId) {
      throw new IndexerError('INDEXER_OPTIONS_INVALID', 'The chain node serves another chain than the deployment manifest names.', {
        details: [`manifest chain id: ${deployment.chainId}`, `node chain id: ${chainId}`],
      });
    }
    const identity = await this.identity();
    const state = await readState(db);
    const mismatch = state && differs(state, identity);
    if (!state) await this.startOver(identity);
    else if (mismatch) await this.startOver(identity, mismatch);
    else {
      this.log.info('resuming', { indexedBlock: state.indexedBlock, skippedLogs: state.skippedLogs });
      await this.loadState();
    }
  }

  /** Empties the index and starts from the deployment block; `why` is logged when an index is thrown away. */
  private async startOver(identity: ChainIdentity, why?: string): Promise<void> {
    if (why) this.log.warn(`starting over: ${why}`, { deploymentBlock: identity.deploymentBlock });
    await this.options.db.transaction((tx) => startIndex(tx, identity));
    await this.loadState();
  }

  run(): void {
    this.loop = (async () => {
      while (!this.stopped) {
        const progressed = await this.guardedStep();
        if (!this.stopped && !progressed) await this.sleep(this.failures > 0 ? this.backoff() : this.pollMs);
      }
    })();
  }

  status(): IndexerStatus {
    return {
      chainId: this.options.deployment.chainId,
      deploymentBlock: this.options.deployment.deploymentBlock,
      indexedBlock: this.indexedBlock,
      head: this.head,
      confirmations: this.confirmations,
      lag: this.head === null ? null : Math.max(0, this.head - this.indexedBlock),
      skippedLogs: this.skippedLogs,
      failures: this.failures,
      lastError: this.lastError,
    };
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async syncOnce(): Promise<void> {
    for (;;) {
      const progressed = await this.exclusive(() => this.step());
      if (!progressed) return;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
    await this.busy.catch(() => {});
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const result = this.busy.then(work);
    this.busy = result.catch(() => {});
    return result;
  }

  /** One step; a failure is counted and logged, never thrown: the loop retries. */
  private async guardedStep(): Promise<boolean> {
    try {
      const progressed = await this.exclusive(() => this.step());
      if (this.failures > 0) this.log.info('the chain node answers again; indexing goes on', { after: this.failures });
      this.failures = 0;
      this.lastError = null;
      return progressed;
    } catch (error) {
      this.failures++;
      this.lastError = error instanceof Error ? error.message.split('\n')[0]! : String(error);
      this.log.warn('indexing step failed; retrying', { attempt: this.failures, retryInMs: this.backoff(), reason: this.lastError });
      return false;
    }
  }

  private backoff(): number {
    return Math.min(this.retry.max, this.retry.first * 2 ** Math.max(0, this.failures - 1));
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** Indexes the next range, or handles a fork; false when there is nothing to do yet. */
  private async step(): Promise<boolean> {
    const { db } = this.options;
    this.head = await this.reader.head();
    const tip = await storedBlock(db, this.indexedBlock);
    if (tip) {
      const onChain = await this.reader.block(tip.number);
      if (onChain?.hash !== tip.hash) {
        await this.handleFork(onChain === undefined);
        return true;
      }
    }
    const from = this.indexedBlock + 1;
    const to = Math.min(this.head - this.confirmations, from + this.range - 1);
    if (to < from) return false;

    let logs: Awaited<ReturnType<ChainReader['logs']>>;
    try {
      logs = await this.reader.logs(this.addresses, from, to);
      const splitters = await this.royaltySplitters(logs);
      if (splitters.length > 0) logs = [...logs, ...(await this.reader.logs(splitters, from, to))].sort(byPosition);
    } catch (error) {
      // Nodes cap the blocks or results of one eth_getLogs; a smaller range may pass.
      if (this.range > 1) this.range = Math.max(1, Math.floor(this.range / 2));
      throw error;
    }
    const first = await this.reader.block(from);
    if (tip && first && first.parentHash !== tip.hash) throw new Error(`block ${from} does not extend the indexed block ${tip.number}; the chain moved`);
    const blocks = await this.headers([...new Set([...logs.map((l) => Number(l.blockNumber)), to])]);
    const events: IndexedEvent[] = [];
    const skipped: SkippedLog[] = [];
    for (const log of logs) {
      const block = blocks.get(Number(log.blockNumber));
      if (!block || block.hash !== log.blockHash) throw new Error(`the logs of block ${log.blockNumber} belong to another fork; the chain moved`);
      try {
        events.push(decodeLog(this.book, log));
      } catch (error) {
        const reason = error instanceof Error ? error.message.split('\n')[0]! : String(error);
        skipped.push({
          blockNumber: Number(log.blockNumber),
          logIndex: log.logIndex ?? -1,
          txHash: log.transactionHash ?? '0x',
          address: getAddress(log.address),
          reason,
        });
        this.log.warn('skipped a log that could not be decoded', {
          block: Number(log.blockNumber),
          logIndex: log.logIndex ?? -1,
          address: log.address,
          reason,
        });
      }
    }
    await storeRange(db, { blocks: [...blocks.values()], events, skipped, toBlock: to });
    this.range = Math.min(this.maxRange, this.range * 2);
    this.indexedBlock = to;
    this.skippedLogs += skipped.length;
    if (events.length > 0) this.log.info('indexed', { fromBlock: from, toBlock: to, events: events.length });
    if (events.length > 0) this.notify(events);
    return true;
  }

  /**
   * The royalty splitters the coordinator created so far: those in the index and those
   * this range's FinalModelPublished events announce, whose logs are read in the same
   * range (a splitter may be paid in the block that creates it).
   */
  private async royaltySplitters(logs: Log[]): Promise<Address[]> {
    const found = new Set((await royaltyAddresses(this.options.db)).map((a) => a.toLowerCase()));
    for (const log of logs) {
      if (this.book.get(log.address.toLowerCase()) !== 'federatedTraining') continue;
      try {
        const event = decodeLog(this.book, log);
        if (event.name === 'FinalModelPublished') found.add(String(event.args.royalties).toLowerCase());
      } catch {
        // Undecodable logs are recorded as skipped below.
      }
    }
    for (const address of found) if (!this.book.has(address)) this.book.set(address, 'contributorRoyalties');
    return [...found].map((a) => getAddress(a));
  }

  private async headers(numbers: number[]): Promise<Map<number, BlockHeader>> {
    const found = new Map<number, BlockHeader>();
    for (let i = 0; i < numbers.length; i += 8) {
      const batch = await Promise.all(numbers.slice(i, i + 8).map((n) => this.reader.block(n)));
      for (const [j, block] of batch.entries()) {
        if (!block) throw new Error(`block ${numbers[i + j]} is gone; the chain moved`);
        found.set(block.number, block);
      }
    }
    return found;
  }

  /** The stored tip is not on the chain: another chain, a reorg, or a chain restarted from an earlier block. */
  private async handleFork(tipMissing: boolean): Promise<void> {
    const { db } = this.options;
    const identity = await this.identity();
    const state = await readState(db);
    const mismatch = state && differs(state, identity);
    if (mismatch) return this.startOver(identity, mismatch);
    const before = this.indexedBlock;
    const keep = await this.commonAncestor();
    if (keep === undefined) return this.startOver(identity, `no indexed block up to ${before} is on the chain any more`);
    if (tipMissing)
      this.log.warn('the chain is behind the index: it restarted from an earlier block; rewinding', { indexedBlock: before, head: this.head ?? -1 });
    else this.log.warn('reorg: the indexed chain was replaced; rewinding', { indexedBlock: before });
    const removed = await rewindTo(db, keep);
    await this.loadState();
    this.log.warn('rewound', { toBlock: keep, removedEvents: removed, orphanedBlocks: before - keep });
  }

  /** The newest stored block the chain still has, else the block before the deployment if the deployment block itself is intact. */
  private async commonAncestor(): Promise<number | undefined> {
    let below = this.indexedBlock;
    for (;;) {
      const candidates = await storedBlocks(this.options.db, below, 32);
      for (const stored of candidates) {
        const onChain = await this.reader.block(stored.number);
        if (onChain?.hash === stored.hash) return stored.number;
      }
      if (candidates.length < 32) break;
      below = candidates[candidates.length - 1]!.number - 1;
    }
    return undefined;
  }

  private async identity(): Promise<ChainIdentity> {
    const genesis = await this.reader.block(0);
    if (!genesis) throw new Error('the chain node has no genesis block');
    const { deployment } = this.options;
    return { chainId: deployment.chainId, genesisHash: genesis.hash, deploymentBlock: deployment.deploymentBlock, contracts: deployedContracts(deployment) };
  }

  private async loadState(): Promise<void> {
    const state = await readState(this.options.db);
    if (!state) throw new Error('the indexer state row is missing');
    this.indexedBlock = state.indexedBlock;
    this.skippedLogs = state.skippedLogs;
  }

  private notify(events: readonly IndexedEvent[]): void {
    for (const listener of this.listeners) {
      try {
        listener(events);
      } catch (error) {
        this.log.warn('an event listener failed', { reason: error instanceof Error ? error.message : String(error) });
      }
    }
  }
}

const byPosition = (a: Log, b: Log) => Number(a.blockNumber) - Number(b.blockNumber) || (a.logIndex ?? 0) - (b.logIndex ?? 0);

/** Why a stored index is not of this chain and deployment, or undefined when it is. */
function differs(state: ChainIdentity, identity: ChainIdentity): string | undefined {
  if (state.chainId !== identity.chainId) return `the index is of chain ${state.chainId}, the node serves chain ${identity.chainId}`;
  if (state.genesisHash !== identity.genesisHash)
    return `the chain has another genesis block (${identity.genesisHash}, indexed ${state.genesisHash}): it was restarted without its state`;
  if (state.deploymentBlock !== identity.deploymentBlock) return `the deployment block changed from ${state.deploymentBlock} to ${identity.deploymentBlock}`;
  for (const [name, address] of Object.entries(identity.contracts)) {
    // A contract the index did not follow yet (an area this version indexes for the first time) needs its events from the deployment block.
    if (state.contracts[name] === undefined) return `the index did not follow the ${name} contract (${address}) yet`;
    if (state.contracts[name]?.toLowerCase() !== address.toLowerCase()) return `the ${name} contract moved from ${state.contracts[name]} to ${address}`;
  }
  return undefined;
}
