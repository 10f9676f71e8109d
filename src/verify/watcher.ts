// A watcher: re-executes a seeded sample of delivered results with the fixed-point
// engine and, when a receipt commits to another output or trace than the engine gives,
// opens a dispute with its own key and bond and plays every challenger move until the
// game ends (claiming a timeout when the provider misses a deadline). Results arrive
// through `observe` (the gateway's onResult hook) and from the gateway's
// disagreements.jsonl (redundant mode, all of them re-executed). Everything it has
// decided to challenge is journalled first, so a restart resumes every dispute.
// One loop does all chain writes, so the watcher's transactions never race each other.
import { getAddress, zeroHash, type Hex } from 'viem';
import type { SignerConnection } from '../chain/connect.ts';
import type { Deployment } from '../chain/manifest.ts';
import { disputeGameAbi } from '../chain/generated/DisputeGame.ts';
import { run, type Engine } from '../engine/engine.ts';
import type { Trace } from '../engine/trace.ts';
import { silentLogger, type Logger } from '../log.ts';
import { hashReceipt } from '../protocol/messages.ts';
import { DisagreementFeed } from './disagreement-feed.ts';
import { claimPayouts, claimTimeout, closeSettled, disputeIdOf, openDispute, playChallenger, readDispute } from './game-client.ts';
import { chainTime, gameErrorName, readResolution, reasonOf } from './game-events.ts';
import { ModelResolver } from './model-resolver.ts';
import type { ObservedResult } from './observed-result.ts';
import { quantizedEngine, traceOfQuantized } from './quantized-trace.ts';
import { sampled } from './sample.ts';
import { WatchError } from './watch-errors.ts';
import { WatcherJournal, type WatchedDispute } from './watcher-journal.ts';

export type WatcherOptions = {
  /** The watcher's own key: it pays the bonds and gas, and earns the rewards. */
  connection: SignerConnection;
  deployment: Deployment;
  /** Where the watcher's journal lives. */
  dataDir: string;
  modelsDir?: string;
  /** Share of ordinary results re-executed, 0..1 (default 1). Disagreements are always. */
  sampleRate?: number;
  seed?: number;
  /** Bond per dispute; default the game's minimum. */
  bond?: bigint;
  /** Milliseconds between rounds (default 1000). */
  intervalMs?: number;
  /** Results waiting to be re-executed at most; more are dropped with a warning (default 1000). */
  maxQueue?: number;
  /** The gateway's disagreements.jsonl and disagreement-inputs.jsonl, to follow. */
  disagreements?: { file: string; inputsFile: string };
  log?: Logger;
};

export type WatcherStats = { observed: number; checked: number; correct: number; wrong: number; dropped: number; skipped: number };

/** Open attempts that fail for other reasons than a refusal before the watcher gives up. */
const MAX_OPEN_ATTEMPTS = 10;
/** Results re-executed per round, so one round stays short. */
const CHECKS_PER_ROUND = 50;
/** Remembered result keys, so one result is not checked twice (oldest forgotten first). */
const MAX_SEEN = 100_000;
/** Refusals of `open` that retrying cannot change. */
const FINAL_OPEN_REFUSALS = new Set([
  'DisputeReceiptSettled',
  'DisputeAlreadyOpen',
  'DisputeBadSignature',
  'DisputeInputMismatch',
  'DisputeInputSize',
  'DisputeNoTrace',
  'DisputeNotVerified',
  'DisputeWindowClosed',
  'DisputeNoCommitment',
]);

export class Watcher {
  readonly stats: WatcherStats = { observed: 0, checked: 0, correct: 0, wrong: 0, dropped: 0, skipped: 0 };
  private readonly log: Logger;
  private readonly journal: WatcherJournal;
  private readonly resolver: ModelResolver;
  private readonly feed: DisagreementFeed | undefined;
  private readonly queue: ObservedResult[] = [];
  private readonly seen = new Set<string>();
  private readonly views = new Map<Hex, { engine: Engine; trace: Trace }>();
  private readonly openAttempts = new Map<Hex, number>();
  private readonly settings: { sampleRate: number; seed: number; intervalMs: number; maxQueue: number };
  private bond: bigint | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly options: WatcherOptions) {
    this.settings = checkWatcherOptions(options);
    this.log = options.log ?? silentLogger;
    this.bond = options.bond;
    this.journal = new WatcherJournal(options.dataDir);
    this.resolver = new ModelResolver(options.connection, options.deployment, options.modelsDir);
    this.feed = options.disagreements ? new DisagreementFeed(options.disagreements.file, options.disagreements.inputsFile) : undefined;
  }

  get address() {
    return this.options.connection.account.address;
  }

  /** Starts the rounds; disputes left running by an earlier run are resumed first. */
  start(): void {
    const unfinished = this.disputes().filter((d) => d.status === 'pending' || d.status === 'open').length;
    this.log.info('watcher started', { address: this.address, sampleRate: this.settings.sampleRate, resuming: unfinished, disagreements: this.feed?.path });
    this.timer = setInterval(() => void this.tick(), this.settings.intervalMs);
    void this.tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
    this.journal.close();
  }

  /** Takes a delivered result; it is re-executed (if sampled) in a later round. Never throws. */
  observe(result: ObservedResult): void {
    this.stats.observed++;
    if (this.queue.length >= this.settings.maxQueue) {
      this.stats.dropped++;
      this.log.warn('watcher queue full; result not checked', { requestHash: result.receipt.requestHash, provider: result.receipt.provider });
      return;
    }
    this.queue.push(result);
  }

  /** Every dispute this watcher has decided on, with its status. */
  disputes(): WatchedDispute[] {
    return [...this.journal.disputes.values()];
  }

  /** Results not yet re-executed. */
  get backlog(): number {
    return this.queue.length;
  }

  /** One round: re-execute what came in, read the disagreement file, move every dispute. */
  tick(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.running ??= this.round()
      .catch((error: unknown) => this.log.warn('watcher round failed; will retry', { reason: reasonOf(error) }))
      .finally(() => (this.running = undefined));
    return this.running;
  }

  private async round(): Promise<void> {
    for (let n = 0; n < CHECKS_PER_ROUND && this.queue.length > 0 && !this.stopped; n++) await this.check(this.queue.shift()!);
    if (this.feed) {
      for (const line of this.feed.read(this.journal.cursor)) {
        if (this.stopped) return;
        if (line.problem) this.log.warn('disagreement line skipped', { reason: line.problem });
        for (const result of line.results) await this.check(result);
        this.journal.advanceCursor(line.end);
      }
    }
    for (const dispute of this.disputes()) {
      if (this.stopped) return;
      if (dispute.status !== 'pending' && dispute.status !== 'open') continue;
      try {
        await this.advance(dispute);
      } catch (error) {
        this.log.warn('dispute step failed; will retry', { id: dispute.id, reason: reasonOf(error) });
      }
    }
  }

  /** Re-executes one result (if sampled) and records a dispute to open when it is wrong. */
  private async check(result: ObservedResult): Promise<void> {
    const { receipt } = result;
    // A float result (verification none) commits to no trace: there is nothing to dispute.
    if (receipt.traceRoot === zeroHash) return;
    const key = `${receipt.requestHash}:${receipt.provider}`.toLowerCase();
    if (this.seen.has(key)) return;
    this.seen.add(key);
    if (this.seen.size > MAX_SEEN) this.seen.delete(this.seen.values().next().value!);
    if (!result.disagreement && !sampled(this.settings.sampleRate, this.settings.seed, receipt.requestHash, receipt.provider)) return;
    let honest: Trace;
    try {
      const model = await this.resolver.resolve(receipt.modelId);
      honest = run(model.engine, result.input, { batch: 1, trace: true }).traces![0]!;
    } catch (error) {
      this.stats.skipped++;
      this.log.warn('result not re-executed', { requestHash: receipt.requestHash, provider: receipt.provider, reason: reasonOf(error) });
      return;
    }
    this.stats.checked++;
    if (honest.layerRoots[0]!.toLowerCase() !== receipt.inputHash.toLowerCase()) {
      this.stats.skipped++;
      this.log.warn('input does not match the receipt; cannot dispute', { requestHash: receipt.requestHash, provider: receipt.provider });
      return;
    }
    const outputHash = honest.layerRoots[honest.layerRoots.length - 1]!;
    const wrongOutput = outputHash.toLowerCase() !== receipt.outputHash.toLowerCase();
    const wrongTrace = honest.root.toLowerCase() !== receipt.traceRoot.toLowerCase();
    if (!wrongOutput && !wrongTrace) {
      this.stats.correct++;
      return;
    }
    this.stats.wrong++;
    // Disputes are per challenger: this watcher's id for the receipt.
    const id = disputeIdOf(hashReceipt({ chainId: this.options.deployment.chainId, escrow: this.options.deployment.contracts.escrow }, receipt), this.address);
    if (this.journal.disputes.has(id)) return;
    const reason = wrongOutput
      ? `output hash: expected ${outputHash}, receipt says ${receipt.outputHash}`
      : `trace root: expected ${honest.root}, receipt says ${receipt.traceRoot}`;
    this.log.warn('WRONG RESULT: challenging the receipt', { provider: receipt.provider, requestHash: receipt.requestHash, id, reason });
    this.journal.suspect({ id, receipt, signature: result.signature, quantizedInput: Array.from(honest.tensors[0]!), reason });
  }

  private async view(dispute: WatchedDispute) {
    let view = this.views.get(dispute.id);
    if (!view) {
      const model = await this.resolver.resolve(dispute.receipt.modelId);
      view = { engine: model.engine, trace: traceOfQuantized(quantizedEngine(model.engine), dispute.quantizedInput) };
      this.views.set(dispute.id, view);
    }
    return view;
  }

  private async advance(dispute: WatchedDispute): Promise<void> {
    const { connection, deployment } = this.options;
    const game = deployment.contracts.disputeGame;
    const state = await readDispute(connection, game, dispute.id);
    const mine = getAddress(state.challenger) === getAddress(this.address);
    if (dispute.status === 'pending') {
      if (state.phase !== 'None') {
        if (!mine) return this.close(dispute, 'skipped', { note: `challenged by ${state.challenger}` });
        // Opened before a crash cut the journal short: carry on with it.
        this.journal.opened(dispute.id, zeroHash, BigInt(deployment.deploymentBlock));
      } else {
        const earlier = await readResolution(connection, game, dispute.id, BigInt(deployment.deploymentBlock));
        if (earlier && getAddress(earlier.winner) === getAddress(this.address)) return this.finish(dispute, BigInt(deployment.deploymentBlock));
        return this.open(dispute);
      }
    }
    if (state.phase === 'None' || !mine) return this.finish(dispute, dispute.openBlock ?? BigInt(deployment.deploymentBlock));
    if (await connection.publicClient.readContract({ address: game, abi: disputeGameAbi, functionName: 'isSettled', args: [state.receiptId] })) {
      // Another challenger already won on this receipt: take the bond back.
      const move = await closeSettled(connection, game, dispute.id);
      this.log.info('dispute move', { id: dispute.id, move: 'close (the receipt was already settled)', tx: move.hash, gas: move.gasUsed });
      return this.finish(dispute, dispute.openBlock ?? 0n);
    }
    const view = await this.view(dispute);
    if (state.phase === 'AwaitLayer' || state.phase === 'AwaitPick' || state.phase === 'AwaitStep') {
      const move = await playChallenger(connection, game, dispute.id, { artifact: view.engine.artifact, trace: view.trace });
      if (move) this.log.info('dispute move', { id: dispute.id, move: move.move, tx: move.hash, gas: move.gasUsed });
      if ((await readDispute(connection, game, dispute.id)).phase === 'None') await this.finish(dispute, dispute.openBlock ?? 0n);
      return;
    }
    if ((await chainTime(connection)) > state.deadline) {
      const move = await claimTimeout(connection, game, dispute.id);
      this.log.info('dispute move', { id: dispute.id, move: 'timeout (provider missed its deadline)', tx: move.hash, gas: move.gasUsed });
      await this.finish(dispute, dispute.openBlock ?? 0n);
    }
  }

  private async open(dispute: WatchedDispute): Promise<void> {
    const { connection, deployment } = this.options;
    const game = deployment.contracts.disputeGame;
    this.bond ??= (await connection.publicClient.readContract({ address: game, abi: disputeGameAbi, functionName: 'config' })).minBond;
    try {
      const { id, moves } = await openDispute(connection, {
        game,
        token: deployment.contracts.token,
        receipt: dispute.receipt,
        signature: dispute.signature,
        quantizedInput: dispute.quantizedInput,
        bond: this.bond,
      });
      const opened = moves[moves.length - 1]!;
      const tx = await connection.publicClient.getTransactionReceipt({ hash: opened.hash });
      this.journal.opened(id, opened.hash, tx.blockNumber);
      this.log.warn('dispute opened', { id, provider: dispute.receipt.provider, bond: this.bond, tx: opened.hash, gas: opened.gasUsed });
    } catch (error) {
      const refusal = gameErrorName(error);
      const attempts = (this.openAttempts.get(dispute.id) ?? 0) + 1;
      this.openAttempts.set(dispute.id, attempts);
      if ((refusal && FINAL_OPEN_REFUSALS.has(refusal)) || attempts >= MAX_OPEN_ATTEMPTS) {
        this.log.warn('dispute not opened', { id: dispute.id, reason: reasonOf(error), attempts });
        return this.close(dispute, 'skipped', { note: reasonOf(error) });
      }
      throw error;
    }
  }

  /** Records how the dispute ended, from the game's events, and claims what the game owes. */
  private async finish(dispute: WatchedDispute, fromBlock: bigint): Promise<void> {
    const game = this.options.deployment.contracts.disputeGame;
    const resolution = await readResolution(this.options.connection, game, dispute.id, fromBlock);
    if (!resolution) return;
    const claimed = await claimPayouts(this.options.connection, game);
    if (claimed) this.log.info('claimed dispute payouts', { tx: claimed.hash });
    const p = resolution.penalty;
    this.log[resolution.providerLost ? 'warn' : 'info'](
      resolution.providerLost ? 'dispute resolved: PROVIDER SLASHED' : 'dispute resolved: provider was right',
      {
        id: dispute.id,
        provider: dispute.receipt.provider,
        outcome: resolution.outcome,
        slashed: p?.slashed,
        clientRefund: p?.clientRefund,
        watcherReward: p?.challengerReward,
        treasury: p?.treasuryShare,
        jailedUntil: p?.jailedUntil,
      },
    );
    this.close(dispute, resolution.providerLost ? 'providerLost' : 'providerWon', { outcome: resolution.outcome });
  }

  private close(dispute: WatchedDispute, status: 'providerLost' | 'providerWon' | 'skipped', details: { outcome?: string; note?: string }): void {
    this.journal.closed(dispute.id, status, details);
    this.views.delete(dispute.id);
    this.openAttempts.delete(dispute.id);
  }
}

function checkWatcherOptions(options: WatcherOptions) {
  const settings = {
    sampleRate: options.sampleRate ?? 1,
    seed: options.seed ?? 0,
    intervalMs: options.intervalMs ?? 1_000,
    maxQueue: options.maxQueue ?? 1_000,
  };
  const problem = (name: string, expected: string, got: unknown) =>
    new WatchError('WATCH_OPTIONS_INVALID', `The watcher option ${name} must be ${expected}.`, { details: [`got ${String(got)}`] });
  if (!(settings.sampleRate >= 0 && settings.sampleRate <= 1)) throw problem('sampleRate', 'a number from 0 to 1', settings.sampleRate);
  if (!Number.isSafeInteger(settings.seed) || settings.seed < 0) throw problem('seed', 'a non-negative integer', settings.seed);
  if (!Number.isSafeInteger(settings.intervalMs) || settings.intervalMs < 1) throw problem('intervalMs', 'a positive integer', settings.intervalMs);
  if (!Number.isSafeInteger(settings.maxQueue) || settings.maxQueue < 1) throw problem('maxQueue', 'a positive integer', settings.maxQueue);
  if (options.bond !== undefined && options.bond <= 0n) throw problem('bond', 'positive', options.bond);
  return Object.freeze(settings);
}

/** Creates a watcher and starts its rounds. */
export function startWatcher(options: WatcherOptions): Watcher {
  const watcher = new Watcher(options);
  watcher.start();
  return watcher;
}
