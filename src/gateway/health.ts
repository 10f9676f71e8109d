// Health checks: `GET /v1/health` on every known provider, with a bounded timeout. A
// provider is in rotation only while its last check passed: it answered in time with
// status "ok", as the address the registry knows at that endpoint, on our chain. The
// answer also says which models the node really serves right now.
import { getAddress, isAddress, type Address, type Hex } from 'viem';
import { silentLogger, type Logger } from '../log.ts';
import { firstLine } from './discovery.ts';
import type { ProviderRecord } from './network-table.ts';
import { fetchJson } from './provider-http.ts';

export type HealthState = {
  healthy: boolean;
  /** Why the last check failed; empty when healthy. */
  reason: string;
  /** Models the node reported serving (lower-case ids). */
  models: Set<Hex>;
  /** Of those, the ones it proves in verification zk (it holds their proving keys). */
  zkModels: Set<Hex>;
  /** Requests in flight at the node by its own count. */
  inFlight: number;
  /** Milliseconds since the epoch of the last check. */
  checkedAt: number;
};

export type HealthInit = {
  chainId: number;
  logger?: Logger;
  /** Milliseconds between rounds (default 5000, at least 10). */
  intervalMs?: number;
  /** Milliseconds a node has to answer (default 2000). */
  timeoutMs?: number;
  /** The providers to check at each round. */
  providers: () => Iterable<ProviderRecord>;
  /** Called for every passing check. */
  onPassed?: (provider: Address) => void;
};

export class HealthMonitor {
  private readonly states = new Map<Address, HealthState>();
  private readonly log: Logger;
  private readonly intervalMs: number;
  private readonly timeoutMs: number;
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> = Promise.resolve();
  private stopped = true;

  constructor(private readonly init: HealthInit) {
    this.log = (init.logger ?? silentLogger).child('health');
    this.intervalMs = Math.max(10, init.intervalMs ?? 5_000);
    this.timeoutMs = init.timeoutMs ?? 2_000;
  }

  state(provider: Address): HealthState | undefined {
    return this.states.get(provider);
  }

  async start(): Promise<void> {
    await this.checkAll();
    this.stopped = false;
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.round;
  }

  /** Takes a provider out of rotation until its next passing check (e.g. after a refused connection). */
  markDown(provider: Address, reason: string): void {
    const state = this.states.get(provider);
    if (state?.healthy) {
      state.healthy = false;
      state.reason = reason;
      this.log.warn('provider out of rotation', { provider, reason });
    }
  }

  /** One round over every provider, in parallel; never throws. */
  checkAll(): Promise<void> {
    this.round = this.round.then(() => Promise.all([...this.init.providers()].map((p) => this.check(p))).then(() => undefined));
    return this.round;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.checkAll().finally(() => this.schedule()), this.intervalMs);
  }

  private async check(provider: ProviderRecord): Promise<void> {
    const before = this.states.get(provider.address);
    let next: HealthState;
    try {
      next = { ...this.judge(provider, await fetchJson(`${trimSlash(provider.endpoint)}/v1/health`, { timeoutMs: this.timeoutMs })), checkedAt: Date.now() };
    } catch (error) {
      next = { healthy: false, reason: firstLine(error), models: new Set(), zkModels: new Set(), inFlight: 0, checkedAt: Date.now() };
    }
    this.states.set(provider.address, next);
    if (next.healthy) this.init.onPassed?.(provider.address);
    if (before?.healthy !== next.healthy) {
      if (next.healthy) this.log.info('provider healthy', { provider: provider.address, models: next.models.size });
      else this.log.warn('provider unhealthy', { provider: provider.address, reason: next.reason });
    }
  }

  private judge(provider: ProviderRecord, answer: { status: number; body: unknown }): Omit<HealthState, 'checkedAt'> {
    const down = (reason: string) => ({ healthy: false, reason, models: new Set<Hex>(), zkModels: new Set<Hex>(), inFlight: 0 });
    if (answer.status !== 200) {
      const reason =
        (answer.body as { chain?: { reachable?: unknown } } | null)?.chain?.reachable === false
          ? 'the node cannot reach the chain'
          : `health answered HTTP ${answer.status}`;
      return down(reason);
    }
    const body = answer.body as { status?: unknown; provider?: unknown; chainId?: unknown; models?: unknown; inFlight?: unknown } | null;
    if (typeof body !== 'object' || body === null) return down('health answer is not an object');
    if (body.status !== 'ok') return down(`health status is ${JSON.stringify(body.status)}, not "ok"`);
    if (typeof body.provider !== 'string' || !isAddress(body.provider) || getAddress(body.provider) !== provider.address) {
      return down(`the node at the endpoint is ${JSON.stringify(body.provider)}, not the registered ${provider.address}`);
    }
    if (body.chainId !== this.init.chainId) return down(`the node is on chain ${JSON.stringify(body.chainId)}, not ${this.init.chainId}`);
    const models = new Set<Hex>();
    const zkModels = new Set<Hex>();
    if (Array.isArray(body.models)) {
      for (const model of body.models as { modelId?: unknown; zk?: unknown }[]) {
        if (typeof model?.modelId !== 'string' || !/^0x[0-9a-fA-F]{64}$/.test(model.modelId)) continue;
        models.add(model.modelId.toLowerCase() as Hex);
        if (model.zk === true) zkModels.add(model.modelId.toLowerCase() as Hex);
      }
    }
    const inFlight = typeof body.inFlight === 'number' && Number.isSafeInteger(body.inFlight) && body.inFlight >= 0 ? body.inFlight : 0;
    return { healthy: true, reason: '', models, zkModels, inFlight };
  }
}

export const trimSlash = (url: string): string => url.replace(/\/+$/, '');
