// What each client's escrow can still pay, kept in memory from the Escrow's events, so
// that a request costs no chain read. A client's state is read once from the chain (at
// the block the tracker has followed up to) and then moved by the events that change
// it: Deposited and Withdrawn carry the new balance, VoucherRedeemed the amount paid,
// WithdrawalRequested the amount now leaving; Withdrawn clears the request. Those are
// every path by which Escrow changes `balanceOf` or `pendingWithdrawal`. What a channel
// has redeemed (`Escrow.redeemed`) is kept the same way: read once, then moved by each
// VoucherRedeemed of the channel (its cumulative amount less the shortfall is the new
// total), so a batched payment's check reads nothing from the chain either.
//
// Being late is safe within a bound: a withdrawal cannot complete before its notice
// (at least an hour, TrellisParams) has passed, so a provider that sees the request a
// few seconds late still has the notice to redeem what it holds. Past that bound the
// tracker stops answering from memory and reads the chain instead: a client never seen,
// an entry older than `maxEntryAgeMs`, a tracker whose last poll that reached the head
// is older than `maxLagMs`, one more than `maxLagBlocks` behind the head, or one whose
// last poll failed. On any doubt about the chain it followed (its last block is no
// longer canonical: a reorg, a reverted snapshot) it forgets every entry and starts
// again from the head, so nothing a reorg removed stays credited.
import type { Address, Chain, Hash, Hex, PublicClient, Transport } from 'viem';
import { escrowAbi } from '../chain/generated/Escrow.ts';
import { TrellisError } from '../errors.ts';
import { silentLogger, type Logger } from '../log.ts';

export type EscrowTrackerOptions = {
  publicClient: PublicClient<Transport, Chain>;
  escrow: Address;
  /** Milliseconds between polls for new events (default 1000). */
  pollMs?: number;
  /** Answers come from memory only while the last poll that reached the head is at most this old (default 15 s). */
  maxLagMs?: number;
  /** ...and the tracker is at most this many blocks behind the head it last saw (default 32). */
  maxLagBlocks?: bigint;
  /** An entry read from the chain longer ago than this is read again (default 10 min). */
  maxEntryAgeMs?: number;
  /** Blocks one poll reads at most, so a tracker far behind catches up in bounded steps (default 1000). */
  maxBlocksPerPoll?: bigint;
  /** Clients tracked at most; the oldest read is dropped first (default 100,000). */
  maxEntries?: number;
  /** Called when a tracked client asks to withdraw: the provider may want to redeem now. */
  onWithdrawalRequested?: (client: Address) => void;
  /** The clock, in milliseconds (default Date.now). */
  now?: () => number;
  log?: Logger;
};

/** What the tracker did, for tests and benchmarks. */
export type EscrowTrackerCounts = {
  /** Reads of one client's state from the chain (two eth_call each). */
  stateReads: number;
  /** Reads of one channel's redeemed amount from the chain (one eth_call each). */
  channelReads: number;
  /** Polls for events that completed. */
  polls: number;
  /** Polls that failed. */
  pollFailures: number;
  /** Times the followed chain was found replaced and every entry forgotten. */
  resets: number;
};

type ClientState = { balance: bigint; pending: bigint };
/** Where an entry was read: at `block` (whose hash is `hash`), from the chain at `readAt`. */
type ReadAt = { block: bigint; hash: Hash; readAt: number };
/** A client's state as of its read. */
type Entry = ClientState & ReadAt;
/** What a channel has redeemed as of its read. */
type ChannelEntry = { redeemed: bigint } & ReadAt;
type Cursor = { number: bigint; hash: Hash };

/** Reads what a client's escrow can still pay from the chain: balance less any pending withdrawal. */
export async function readEscrowAvailable(publicClient: PublicClient<Transport, Chain>, escrow: Address, client: Address): Promise<bigint> {
  return availableOf(await readClientState(publicClient, escrow, client));
}

async function readClientState(publicClient: PublicClient<Transport, Chain>, escrow: Address, client: Address, blockNumber?: bigint): Promise<ClientState> {
  const at = blockNumber === undefined ? {} : { blockNumber };
  const [balance, pending] = await Promise.all([
    publicClient.readContract({ address: escrow, abi: escrowAbi, functionName: 'balanceOf', args: [client], ...at }),
    publicClient.readContract({ address: escrow, abi: escrowAbi, functionName: 'pendingWithdrawal', args: [client], ...at }),
  ]);
  return { balance, pending: pending.amount };
}

/** What the escrow has paid on a channel so far (`Escrow.redeemed`), read from the chain. */
export function readEscrowRedeemed(
  publicClient: PublicClient<Transport, Chain>,
  escrow: Address,
  channel: { client: Address; provider: Address; modelId: Hex },
  blockNumber?: bigint,
): Promise<bigint> {
  const at = blockNumber === undefined ? {} : { blockNumber };
  const args = [channel.client, channel.provider, channel.modelId] as const;
  return publicClient.readContract({ address: escrow, abi: escrowAbi, functionName: 'redeemed', args, ...at });
}

const channelKeyOf = (client: Address, provider: Address, modelId: Hex): string => `${client}:${provider}:${modelId}`.toLowerCase();

// A pending request counts as leaving whatever its timing, as the chain read always did:
// an expired one is dead on chain but a client can renew it at any moment.
const availableOf = (s: ClientState): bigint => (s.balance > s.pending ? s.balance - s.pending : 0n);

/** TrellisParams.MIN_WITHDRAWAL_NOTICE: no withdrawal completes sooner after its request. */
const MIN_WITHDRAWAL_NOTICE_MS = 3_600_000;

export class EscrowTracker {
  readonly counts: EscrowTrackerCounts = { stateReads: 0, channelReads: 0, polls: 0, pollFailures: 0, resets: 0 };
  private readonly entries = new Map<string, Entry>();
  private readonly reading = new Map<string, Promise<bigint>>();
  private readonly channels = new Map<string, ChannelEntry>();
  private readonly readingChannels = new Map<string, Promise<bigint>>();
  /** The last block whose events are applied; undefined until the first poll and after a reset. */
  private cursor: Cursor | undefined;
  private head = 0n;
  /** Counts resets, so that a read begun before one is not kept after it. */
  private epoch = 0;
  private reachedHeadAt = Number.NEGATIVE_INFINITY;
  private lastPollFailed = false;
  private paused = false;
  private stopped = true;
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  private readonly o: Required<Omit<EscrowTrackerOptions, 'onWithdrawalRequested'>> & Pick<EscrowTrackerOptions, 'onWithdrawalRequested'>;

  constructor(options: EscrowTrackerOptions) {
    this.o = {
      pollMs: 1_000,
      maxLagMs: 15_000,
      maxLagBlocks: 32n,
      maxEntryAgeMs: 600_000,
      maxBlocksPerPoll: 1_000n,
      maxEntries: 100_000,
      now: Date.now,
      log: silentLogger,
      ...options,
    };
    const { pollMs, maxLagMs, maxEntryAgeMs, maxLagBlocks, maxBlocksPerPoll, maxEntries } = this.o;
    const wrong = [
      ...(Number.isFinite(pollMs) && pollMs > 0 ? [] : [`pollMs must be a positive number of milliseconds, got ${pollMs}`]),
      // The notice is what makes a late view safe: the bound must stay well inside it.
      ...(maxLagMs >= 0 && maxLagMs < MIN_WITHDRAWAL_NOTICE_MS
        ? []
        : [`maxLagMs must be from 0 to below the shortest withdrawal notice (1 h), got ${maxLagMs}`]),
      ...(maxEntryAgeMs >= 0 ? [] : [`maxEntryAgeMs must not be negative, got ${maxEntryAgeMs}`]),
      ...(maxLagBlocks >= 0n ? [] : [`maxLagBlocks must not be negative, got ${maxLagBlocks}`]),
      ...(maxBlocksPerPoll > 0n ? [] : [`maxBlocksPerPoll must be positive, got ${maxBlocksPerPoll}`]),
      ...(Number.isInteger(maxEntries) && maxEntries > 0 ? [] : [`maxEntries must be a positive integer, got ${maxEntries}`]),
    ];
    if (wrong.length > 0) throw new TrellisError('INVALID_OPTION', 'The escrow tracking options are out of range.', { details: wrong });
  }

  /** Takes the current head as its starting point (clients are read on first use) and begins polling. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.sync();
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.queued;
    await this.polling;
  }

  /** Stops polling without forgetting anything, so that the tracker falls behind (tests). */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
  }

  /** Whether answers come from memory now (else every answer is read from the chain). */
  get live(): boolean {
    return (
      this.cursor !== undefined &&
      !this.lastPollFailed &&
      this.o.now() - this.reachedHeadAt <= this.o.maxLagMs &&
      this.head - this.cursor.number <= this.o.maxLagBlocks
    );
  }

  /** The last block whose events are applied. */
  get block(): bigint | undefined {
    return this.cursor?.number;
  }

  /** What `client`'s escrow can still pay: balance less any pending withdrawal. */
  available(client: Address): Promise<bigint> {
    const key = client.toLowerCase();
    const entry = this.entries.get(key);
    if (entry && this.fresh(entry)) return Promise.resolve(availableOf(entry));
    let read = this.reading.get(key);
    if (!read) {
      read = this.read(client, key).finally(() => this.reading.delete(key));
      this.reading.set(key, read);
    }
    return read;
  }

  /** What the escrow has paid on a channel so far: `Escrow.redeemed(client, provider, modelId)`. */
  redeemed(client: Address, provider: Address, modelId: Hex): Promise<bigint> {
    const key = channelKeyOf(client, provider, modelId);
    const entry = this.channels.get(key);
    if (entry && this.fresh(entry)) return Promise.resolve(entry.redeemed);
    let read = this.readingChannels.get(key);
    if (!read) {
      read = this.readChannel({ client, provider, modelId }, key).finally(() => this.readingChannels.delete(key));
      this.readingChannels.set(key, read);
    }
    return read;
  }

  private fresh(entry: ReadAt): boolean {
    return this.live && this.o.now() - entry.readAt <= this.o.maxEntryAgeMs;
  }

  /**
   * Polls now: follows the events up to the head (or `maxBlocksPerPoll` of them). A poll
   * under way may have read an older head, so a call made meanwhile waits for one more.
   */
  sync(): Promise<void> {
    if (!this.polling) return this.poll();
    this.queued ??= this.polling.then(() => {
      this.queued = undefined;
      return this.poll();
    });
    return this.queued;
  }

  private poll(): Promise<void> {
    this.polling = this.pollOnce().finally(() => (this.polling = undefined));
    return this.polling;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      const next = () => this.schedule();
      if (this.paused) next();
      else void (this.polling ?? this.poll()).then(next);
    }, this.o.pollMs);
    this.timer.unref?.();
  }

  private async read(client: Address, key: string): Promise<bigint> {
    this.counts.stateReads++;
    const { at, keep } = await this.readPoint();
    const state = await readClientState(this.o.publicClient, this.o.escrow, client, at.block);
    if (keep()) this.remember(this.entries, key, { ...state, ...at });
    return availableOf(state);
  }

  private async readChannel(channel: { client: Address; provider: Address; modelId: Hex }, key: string): Promise<bigint> {
    this.counts.channelReads++;
    const { at, keep } = await this.readPoint();
    const redeemed = await readEscrowRedeemed(this.o.publicClient, this.o.escrow, channel, at.block);
    if (keep()) this.remember(this.channels, key, { redeemed, ...at });
    return redeemed;
  }

  /**
   * The head to read an entry at, named by number and hash: the events after that block
   * move the entry, and a poll that reaches it checks the hash (a reorg there drops the
   * entry). `keep()` says, once the read is done, whether the entry may be kept: only if
   * the polls have not gone past that block meanwhile (their events would be missing) and
   * nothing was reset.
   */
  private async readPoint(): Promise<{ at: ReadAt; keep: () => boolean }> {
    const epoch = this.epoch;
    const head = await this.o.publicClient.getBlock({ blockTag: 'latest' });
    const at = { block: head.number, hash: head.hash, readAt: this.o.now() };
    return { at, keep: () => this.cursor !== undefined && this.cursor.number <= head.number && this.epoch === epoch };
  }

  private remember<T extends ReadAt>(map: Map<string, T>, key: string, entry: T): void {
    map.delete(key);
    map.set(key, entry);
    if (map.size > this.o.maxEntries) map.delete(map.keys().next().value as string);
  }

  private async pollOnce(): Promise<void> {
    try {
      await this.follow();
      this.lastPollFailed = false;
      this.counts.polls++;
    } catch (error) {
      // Until a poll succeeds again every answer is read from the chain.
      if (!this.lastPollFailed) this.o.log.warn('escrow events poll failed; reading balances from the chain', { reason: reasonOf(error) });
      this.lastPollFailed = true;
      this.counts.pollFailures++;
    }
  }

  private async follow(): Promise<void> {
    const client = this.o.publicClient;
    const head = await client.getBlockNumber({ cacheTime: 0 });
    this.head = head;
    const from = this.cursor;
    if (from === undefined) {
      this.cursor = { number: head, hash: await this.hashOf(head) };
      this.reachedHeadAt = this.o.now();
      return;
    }
    if (head < from.number || !(await this.stillCanonical(from))) return this.reset(head);
    const to = head - from.number > this.o.maxBlocksPerPoll ? from.number + this.o.maxBlocksPerPoll : head;
    if (to > from.number) {
      const toHash = await this.hashOf(to);
      const logs = await escrowEvents(client, this.o.escrow, from.number + 1n, to);
      // The logs belong to the chain from `from` to `to` only if both ends are still the
      // ones seen around the read, and every log of `to` names its hash.
      const consistent =
        (await this.stillCanonical(from)) &&
        (await this.hashOf(to)) === toHash &&
        logs.every((l) => !l.removed && l.blockNumber > from.number && l.blockNumber <= to && (l.blockNumber !== to || l.blockHash === toHash));
      if (!consistent) return this.reset(head);
      await this.dropReplacedEntries(from.number, to);
      for (const log of logs) {
        this.apply(log);
        this.applyToChannel(log);
      }
      this.cursor = { number: to, hash: toHash };
    }
    if (to === head) this.reachedHeadAt = this.o.now();
  }

  private apply(log: EscrowLog): void {
    // Any client's request, tracked or not: one this node holds vouchers of may be among them.
    if (log.eventName === 'WithdrawalRequested') this.o.onWithdrawalRequested?.(log.args.client);
    const entry = 'client' in log.args ? this.entries.get(log.args.client.toLowerCase()) : undefined;
    if (!entry || log.blockNumber <= entry.block) return;
    switch (log.eventName) {
      case 'Deposited':
        entry.balance = log.args.balance;
        break;
      case 'WithdrawalRequested':
        entry.pending = log.args.amount;
        break;
      case 'Withdrawn':
        entry.balance = log.args.balance;
        entry.pending = 0n;
        break;
      case 'VoucherRedeemed':
        entry.balance -= log.args.paid;
        break;
    }
  }

  /** A redemption moves its channel's entry to what the escrow now holds as redeemed. */
  private applyToChannel(log: EscrowLog): void {
    if (log.eventName !== 'VoucherRedeemed') return;
    const { client, provider, modelId, cumulativeAmount, shortfall } = log.args;
    const entry = this.channels.get(channelKeyOf(client, provider, modelId));
    if (entry && log.blockNumber > entry.block) entry.redeemed = cumulativeAmount - shortfall;
  }

  /** Entries read at a block in (from, to] whose hash is no longer the canonical one are read again. */
  private async dropReplacedEntries(from: bigint, to: bigint): Promise<void> {
    const canonical = new Map<bigint, Promise<Hash | undefined>>();
    for (const map of [this.entries, this.channels] as Map<string, ReadAt>[]) {
      for (const [key, entry] of map) {
        if (entry.block <= from || entry.block > to) continue;
        if (!canonical.has(entry.block))
          canonical.set(
            entry.block,
            this.hashOf(entry.block).catch(() => undefined),
          );
        if ((await canonical.get(entry.block)) !== entry.hash) map.delete(key);
      }
    }
  }

  private reset(head: bigint): void {
    this.o.log.warn('escrow events: the followed chain was replaced; reading every client again', { from: this.cursor?.number, head });
    this.counts.resets++;
    this.epoch++;
    this.entries.clear();
    this.channels.clear();
    this.cursor = undefined;
  }

  private async stillCanonical(cursor: Cursor): Promise<boolean> {
    return (await this.hashOf(cursor.number).catch(() => undefined)) === cursor.hash;
  }

  private async hashOf(blockNumber: bigint): Promise<Hash> {
    const block = await this.o.publicClient.getBlock({ blockNumber });
    return block.hash;
  }
}

const escrowEvents = (client: PublicClient<Transport, Chain>, escrow: Address, fromBlock: bigint, toBlock: bigint) =>
  client.getContractEvents({ address: escrow, abi: escrowAbi, fromBlock, toBlock, strict: true });

type EscrowLog = Awaited<ReturnType<typeof escrowEvents>>[number];

function reasonOf(error: unknown): string {
  return error instanceof Error ? (error.message.split('\n')[0] ?? error.name) : String(error);
}
