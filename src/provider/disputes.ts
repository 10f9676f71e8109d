// A provider node answers the disputes opened on its receipts by itself. It follows the
// game's DisputeOpened events naming it (from the block the node first started at, and
// after a restart from where it left off), reads the receipt and the quantized input
// from the `open` call (the game reveals the input there, so the node need not keep
// every input it served), rebuilds the trace it signed, and makes each of its moves
// (revealRoots, then revealNodes for each round of the descent) before the deadline. It also claims a timeout when the
// challenger misses one, and, when its trace is honest, settles the step itself.
// What it follows is kept in <dataDir>/disputes.json, so a restart loses nothing.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getAddress, type Address, type Hash, type Hex } from 'viem';
import type { SignerConnection } from '../chain/connect.ts';
import { disputeGameAbi } from '../chain/generated/DisputeGame.ts';
import type { Engine } from '../engine/engine.ts';
import type { Trace } from '../engine/trace.ts';
import type { Logger } from '../log.ts';
import { chainTime, readOpenCall, readResolution, reasonOf } from '../verify/game-events.ts';
import { claimPayouts, claimTimeout, playProvider, readDispute } from '../verify/game-client.ts';
import { quantizedEngine, traceOfQuantized } from '../verify/quantized-trace.ts';
import { signedTraceFor, type FaultOptions } from './faults.ts';
import type { Ledger } from './ledger.ts';

export type DisputeResponderInit = {
  connection: SignerConnection;
  game: Address;
  ledger: Pick<Ledger, 'served'>;
  /** The engines of the models this node serves, by model id. */
  engines: ReadonlyMap<Hex, Engine>;
  /** The node's fault option: the trace it signed is rebuilt with it. */
  fault?: FaultOptions;
  dataDir: string;
  intervalMs: number;
  log: Logger;
};

type Followed = { id: Hex; openTx: Hash; openBlock: string };
type SavedState = { cursor: string; followed: Followed[] };

/** Blocks read per poll at most, so a node far behind catches up in bounded steps. */
const MAX_BLOCKS_PER_POLL = 5_000n;
const STATE_FILE = 'disputes.json';

export class DisputeResponder {
  private readonly statePath: string;
  private cursor = 0n;
  private readonly followed = new Map<Hex, Followed>();
  /** The trace signed in each followed dispute, rebuilt once. */
  private readonly views = new Map<Hex, { engine: Engine; trace: Trace; honest: boolean }>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly init: DisputeResponderInit) {
    this.statePath = join(init.dataDir, STATE_FILE);
  }

  /** Loads what it followed before (or starts at the current block) and begins polling. */
  async start(): Promise<void> {
    if (existsSync(this.statePath)) {
      const saved = JSON.parse(readFileSync(this.statePath, 'utf8')) as SavedState;
      this.cursor = BigInt(saved.cursor);
      for (const f of saved.followed) this.followed.set(f.id, f);
    } else {
      this.cursor = await this.init.connection.publicClient.getBlockNumber();
      this.save();
    }
    if (this.followed.size > 0) this.init.log.info('resuming disputes', { disputes: this.followed.size });
    this.timer = setInterval(() => void this.poll(), this.init.intervalMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  /** One round: new disputes, then the due move of each followed one. */
  poll(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.running ??= this.round()
      .catch((error: unknown) => this.init.log.warn('dispute round failed; will retry', { reason: reasonOf(error) }))
      .finally(() => (this.running = undefined));
    return this.running;
  }

  /** Disputes this node follows now (still running). */
  get active(): readonly Hex[] {
    return [...this.followed.keys()];
  }

  private save(): void {
    const state: SavedState = { cursor: this.cursor.toString(), followed: [...this.followed.values()] };
    writeFileSync(`${this.statePath}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
    renameSync(`${this.statePath}.tmp`, this.statePath);
  }

  private async round(): Promise<void> {
    await this.discover();
    for (const followed of [...this.followed.values()]) {
      if (this.stopped) return;
      try {
        await this.answer(followed);
      } catch (error) {
        this.init.log.warn('dispute move failed; will retry', { id: followed.id, reason: reasonOf(error) });
      }
    }
  }

  private async discover(): Promise<void> {
    const { connection, game } = this.init;
    const head = await connection.publicClient.getBlockNumber();
    if (head < this.cursor) return;
    const to = head - this.cursor > MAX_BLOCKS_PER_POLL ? this.cursor + MAX_BLOCKS_PER_POLL : head;
    const opened = await connection.publicClient.getContractEvents({
      address: game,
      abi: disputeGameAbi,
      eventName: 'DisputeOpened',
      args: { provider: connection.account.address },
      fromBlock: this.cursor,
      toBlock: to,
      strict: true,
    });
    for (const event of opened) {
      const id = event.args.id;
      this.followed.set(id, { id, openTx: event.transactionHash, openBlock: event.blockNumber.toString() });
      this.views.delete(id);
      this.init.log.warn('dispute opened against this provider', { id, challenger: event.args.challenger, bond: event.args.bond, tx: event.transactionHash });
    }
    this.cursor = to + 1n;
    this.save();
  }

  private async view(followed: Followed) {
    const cached = this.views.get(followed.id);
    if (cached) return cached;
    const { receipt, quantizedInput } = await readOpenCall(this.init.connection, followed.openTx);
    if (!this.init.ledger.served(receipt.requestHash.toLowerCase() as Hex)) {
      this.init.log.warn("disputed receipt is not in this node's ledger; answering from the input revealed", {
        id: followed.id,
        requestHash: receipt.requestHash,
      });
    }
    const engine = this.init.engines.get(receipt.modelId.toLowerCase() as Hex);
    if (!engine) throw new Error(`model ${receipt.modelId} is not served by this node`);
    const honestTrace = traceOfQuantized(quantizedEngine(engine), quantizedInput);
    const trace = signedTraceFor(this.init.fault, receipt.requestHash, honestTrace);
    if (trace.root.toLowerCase() !== receipt.traceRoot.toLowerCase()) {
      throw new Error(`the rebuilt trace root ${trace.root} is not the receipt's ${receipt.traceRoot}`);
    }
    const view = { engine, trace, honest: trace === honestTrace };
    this.views.set(followed.id, view);
    return view;
  }

  private async answer(followed: Followed): Promise<void> {
    const { connection, game, log } = this.init;
    const state = await readDispute(connection, game, followed.id);
    if (state.phase === 'None') {
      const resolution = await readResolution(connection, game, followed.id, BigInt(followed.openBlock));
      log[resolution?.providerLost ? 'warn' : 'info']('dispute resolved', {
        id: followed.id,
        outcome: resolution?.outcome ?? 'unknown',
        providerLost: resolution?.providerLost,
        slashed: resolution?.penalty?.slashed,
        jailedUntil: resolution?.penalty?.jailedUntil,
      });
      this.followed.delete(followed.id);
      this.views.delete(followed.id);
      this.save();
      // A defence won is paid from the challenger's bond; payouts are pulled.
      const claimed = await claimPayouts(connection, game);
      if (claimed) log.info('claimed dispute payouts', { tx: claimed.hash });
      return;
    }
    if (getAddress(state.provider) !== getAddress(connection.account.address)) return;
    const challengersTurn = state.phase === 'AwaitLayer' || state.phase === 'AwaitPick' || state.phase === 'AwaitStep';
    if (challengersTurn && (await chainTime(connection)) > state.deadline) {
      const move = await claimTimeout(connection, game, followed.id);
      log.info('dispute move', { id: followed.id, move: 'timeout (challenger missed its deadline)', tx: move.hash, gas: move.gasUsed });
      return;
    }
    const view = await this.view(followed);
    // The node reveals what it signed; only the challenger names the element re-executed.
    const move = await playProvider(connection, game, followed.id, { artifact: view.engine.artifact, trace: view.trace });
    if (move) log.info('dispute move', { id: followed.id, move: move.move, phase: state.phase, tx: move.hash, gas: move.gasUsed });
  }
}
