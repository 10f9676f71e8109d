// Forwarding an inference: rank the providers, send the client's signed request
// unchanged to the best one, check the answer, and on a provider's failure try the
// next one (at most `maxAttempts`, never the same provider twice). The client pays
// only after delivery (docs/protocol.md), so a retry never charges twice. Redundant
// mode sends the same request to k providers at once and compares their outputs.
import type { Address, Hex } from 'viem';
import type { Logger } from '../log.ts';
import { errorFromBody, ProtocolError, type ProtocolErrorCode } from '../protocol/errors.ts';
import { hashRequest, type InferenceRequest, type ProtocolDomain, type Receipt } from '../protocol/messages.ts';
import { toWire, type parseInferBody, type Wire } from '../protocol/wire.ts';
import { checkInferResult, type CheckedResult } from './check-result.ts';
import { appendDisagreement } from './disagreements.ts';
import { ProviderCallError } from './errors.ts';
import { trimSlash, type HealthMonitor } from './health.ts';
import type { NetworkTable, ProviderRecord } from './network-table.ts';
import { fetchJson } from './provider-http.ts';
import { rankProviders, type RouteCandidate, type RoutingWeights } from './routing.ts';
import type { StatsBook } from './stats.ts';

export type ParsedInfer = ReturnType<typeof parseInferBody>;

/**
 * Errors a provider gives for the client's own mistakes: every other provider would
 * say the same, so they go straight back. Anything else (5xx, garbage, a forged
 * receipt, CREDIT_EXHAUSTED, a price or model the node no longer has) tries the next.
 */
export const clientErrorCodes: ReadonlySet<ProtocolErrorCode> = new Set<ProtocolErrorCode>([
  'MALFORMED_JSON',
  'INVALID_BODY',
  'INVALID_INPUT',
  'BAD_SIGNATURE',
  'WRONG_CLIENT',
  'REPLAYED',
  'DEADLINE_EXPIRED',
  'INSUFFICIENT_ESCROW',
  'VOUCHER_INVALID',
  'VOUCHER_AMOUNT_WRONG',
  'BODY_TOO_LARGE',
]);

export type RouterInit = {
  domain: ProtocolDomain;
  table: NetworkTable;
  health: HealthMonitor;
  stats: StatsBook;
  logger: Logger;
  weights: RoutingWeights;
  maxAttempts: number;
  requestTimeoutMs: number;
  disagreementsPath: string;
};

type Attempt = { provider: ProviderRecord; rank: number };
type CallOutcome = { ok: true; result: CheckedResult } | { ok: false; error: ProtocolError; final: boolean };

export type SingleAnswer = Omit<CheckedResult, 'receipt'> & { receipt: Wire<Receipt>; provider: Address; attempts: number };
export type RedundantAnswer = {
  output: number[];
  shape: number[];
  frac: number | null;
  receipts: { receipt: Wire<Receipt>; signature: Hex; provider: Address }[];
  agreement: boolean;
  attempts: number;
};

export class InferRouter {
  private readonly background = new Set<Promise<unknown>>();

  constructor(private readonly init: RouterInit) {}

  /** What routing knows of every registered provider for one model. */
  candidates(modelId: Hex): RouteCandidate[] {
    const { table, health, stats } = this.init;
    return [...table.providers.values()].map((p) => {
      const state = health.state(p.address);
      const own = stats.get(p.address);
      return {
        provider: p.address,
        price: p.prices.get(modelId.toLowerCase() as Hex),
        activeStake: p.activeStake,
        active: p.active,
        healthy: state?.healthy ?? false,
        servesModel: state?.models.has(modelId.toLowerCase() as Hex) ?? false,
        latencyMs: own.latencyMs,
        inFlight: own.inFlight + (state?.inFlight ?? 0),
        errorRate: own.errorRate,
      };
    });
  }

  /** Eligible providers, best first; NO_PROVIDER (naming why each was left out) when none. */
  route(request: InferenceRequest, needed = 1): Attempt[] {
    const { ranked, excluded } = rankProviders(this.candidates(request.modelId), request.maxFee, this.init.weights);
    if (ranked.length < needed) {
      throw new ProtocolError('NO_PROVIDER', needed === 1 ? `No provider can serve model ${request.modelId} now.` : `Only ${ranked.length} providers can serve model ${request.modelId} now; redundancy ${needed} needs ${needed}.`, {
        details: excluded.length === 0 ? ['no provider offers this model'] : excluded.map((e) => `${e.provider}: ${e.reason}`),
      });
    }
    return ranked.map((r, rank) => ({ provider: this.init.table.providers.get(r.provider) as ProviderRecord, rank }));
  }

  async infer(parsed: ParsedInfer, raw: Record<string, unknown>): Promise<SingleAnswer> {
    const queue = this.route(parsed.request).slice(0, this.init.maxAttempts);
    const tried = new Set<Address>();
    try {
      const failures: string[] = [];
      for (const [i, attempt] of queue.entries()) {
        tried.add(attempt.provider.address);
        const outcome = await this.call(attempt.provider, parsed, raw);
        if (outcome.ok) return { ...outcome.result, receipt: toWire(outcome.result.receipt), provider: attempt.provider.address, attempts: i + 1 };
        if (outcome.final) throw outcome.error;
        failures.push(describeFailure(attempt.provider.address, outcome.error));
      }
      throw new ProtocolError('PROVIDER_FAILED', `No provider delivered a valid result in ${queue.length} attempts.`, { details: failures });
    } finally {
      this.deliverRemainingVouchers(parsed, raw, tried);
    }
  }

  async inferRedundant(parsed: ParsedInfer, raw: Record<string, unknown>, k: number): Promise<RedundantAnswer> {
    const ranked = this.route(parsed.request, k);
    // Each of the k lanes may move on to an unused provider when its own fails.
    const queue = ranked.slice(0, k + this.init.maxAttempts - 1);
    let next = 0;
    let finalError: ProtocolError | undefined;
    const failures: string[] = [];
    const delivered: (Attempt & { result: CheckedResult })[] = [];
    const tried = new Set<Address>();
    const lane = async () => {
      while (finalError === undefined && next < queue.length) {
        const attempt = queue[next++] as Attempt;
        tried.add(attempt.provider.address);
        const outcome = await this.call(attempt.provider, parsed, raw);
        if (outcome.ok) return void delivered.push({ ...attempt, result: outcome.result });
        if (outcome.final) finalError ??= outcome.error;
        else failures.push(describeFailure(attempt.provider.address, outcome.error));
      }
    };
    await Promise.all(Array.from({ length: k }, lane)).finally(() => this.deliverRemainingVouchers(parsed, raw, tried));
    if (finalError) throw finalError;
    if (delivered.length < k) {
      throw new ProtocolError('PROVIDER_FAILED', `Only ${delivered.length} of ${k} providers delivered a valid result in ${next} attempts.`, { details: failures });
    }
    delivered.sort((a, b) => a.rank - b.rank);
    return this.compare(parsed.request, delivered, next);
  }

  /** Stops accepting background work and waits for what is under way. */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.background]);
  }

  private compare(request: InferenceRequest, delivered: (Attempt & { result: CheckedResult })[], attempts: number): RedundantAnswer {
    const groups = new Map<Hex, typeof delivered>();
    for (const d of delivered) groups.set(d.result.receipt.outputHash, [...(groups.get(d.result.receipt.outputHash) ?? []), d]);
    // The majority output wins; on a tie, the output of the best-ranked provider.
    const chosen = [...groups.values()].reduce((best, group) => (group.length > best.length ? group : best));
    const first = (chosen[0] as (typeof delivered)[number]).result;
    const agreement = groups.size === 1;
    if (!agreement) {
      const requestHash = hashRequest(this.init.domain, request);
      appendDisagreement(this.init.disagreementsPath, {
        at: new Date().toISOString(),
        requestHash,
        modelId: request.modelId,
        client: request.client,
        results: delivered.map((d) => ({
          provider: d.provider.address,
          outputHash: d.result.receipt.outputHash,
          receipt: toWire(d.result.receipt),
          signature: d.result.signature,
          output: d.result.output,
          shape: d.result.shape,
        })),
      });
      this.init.logger.warn('redundant providers disagree', { requestHash, outputs: groups.size, providers: delivered.length });
    }
    return {
      output: first.output,
      shape: first.shape,
      frac: first.frac,
      receipts: delivered.map((d) => ({ receipt: toWire(d.result.receipt), signature: d.result.signature, provider: d.provider.address })),
      agreement,
      attempts,
    };
  }

  private async call(provider: ProviderRecord, parsed: ParsedInfer, raw: Record<string, unknown>): Promise<CallOutcome> {
    const { stats, health, logger } = this.init;
    const body = forwardedBody(parsed, raw, provider.address);
    const started = performance.now();
    stats.begin(provider.address);
    let outcome: CallOutcome;
    try {
      const answer = await fetchJson(`${trimSlash(provider.endpoint)}/v1/infer`, { method: 'POST', body, timeoutMs: this.init.requestTimeoutMs });
      outcome = await this.judge(provider.address, parsed.request, answer);
    } catch (error) {
      if (error instanceof ProviderCallError && error.code === 'PROVIDER_UNREACHABLE') health.markDown(provider.address, error.shortMessage);
      const code = error instanceof ProviderCallError && error.code === 'PROVIDER_GARBAGE' ? 'PROVIDER_BAD_RESPONSE' : 'PROVIDER_FAILED';
      outcome = { ok: false, final: false, error: new ProtocolError(code, error instanceof ProviderCallError ? error.shortMessage : `Calling provider ${provider.address} failed.`) };
    }
    // A client error says nothing about the provider's reliability, nor does a refusal
    // for credit: that is the client's own unpaid result, paid a moment later.
    const providerFault = !outcome.ok && !outcome.final && outcome.error.code !== 'CREDIT_EXHAUSTED';
    stats.end(provider.address, { fault: providerFault, latencyMs: outcome.ok ? performance.now() - started : undefined });
    if (!outcome.ok && !outcome.final) logger.warn('provider failed', { provider: provider.address, code: outcome.error.code });
    return outcome;
  }

  private async judge(provider: Address, request: InferenceRequest, answer: { status: number; body: unknown }): Promise<CallOutcome> {
    if (answer.status === 200) {
      try {
        return { ok: true, result: await checkInferResult(answer.body, { domain: this.init.domain, provider, request }) };
      } catch (error) {
        return { ok: false, final: false, error: error instanceof ProtocolError ? error : new ProtocolError('PROVIDER_BAD_RESPONSE', `Provider ${provider} answered with a bad result.`) };
      }
    }
    const error = errorFromBody(answer.body, `Provider ${provider} answered HTTP ${answer.status} without an error body.`);
    const final = answer.status < 500 && clientErrorCodes.has(error.code);
    return { ok: false, final, error: final ? new ProtocolError(error.code, error.shortMessage, { details: [...error.details, `from provider ${provider}`] }) : error };
  }

  /**
   * Vouchers ride along with a request but each names one provider. A provider that is
   * tried gets its own inline; once the request is done, the ones naming providers that
   * were not tried go to those providers on the side, so each voucher is delivered once.
   */
  private deliverRemainingVouchers(parsed: ParsedInfer, raw: Record<string, unknown>, tried: ReadonlySet<Address>): void {
    const rawVouchers = Array.isArray(raw.vouchers) ? (raw.vouchers as unknown[]) : [];
    const byProvider = new Map<Address, unknown[]>();
    parsed.vouchers.forEach((v, i) => {
      if (!tried.has(v.voucher.provider)) byProvider.set(v.voucher.provider, [...(byProvider.get(v.voucher.provider) ?? []), rawVouchers[i]]);
    });
    for (const [provider, vouchers] of byProvider) {
      const record = this.init.table.providers.get(provider);
      if (!record) {
        this.init.logger.warn('voucher names an unknown provider; not delivered', { provider });
        continue;
      }
      const task = this.postVouchers(record, vouchers).catch((error: unknown) => this.init.logger.warn('voucher delivery failed', { provider, reason: String(error).split('\n')[0] }));
      this.background.add(task);
      void task.finally(() => this.background.delete(task));
    }
  }

  /** POSTs vouchers to one provider; returns its status and answer. */
  async postVouchers(provider: ProviderRecord, vouchers: unknown[]): Promise<{ status: number; body: unknown }> {
    return fetchJson(`${trimSlash(provider.endpoint)}/v1/vouchers`, { method: 'POST', body: { vouchers }, timeoutMs: this.init.requestTimeoutMs });
  }
}

/** The client's body as received, with only the vouchers that name this provider. */
function forwardedBody(parsed: ParsedInfer, raw: Record<string, unknown>, provider: Address): Record<string, unknown> {
  const rawVouchers = Array.isArray(raw.vouchers) ? (raw.vouchers as unknown[]) : [];
  const own = rawVouchers.filter((_, i) => parsed.vouchers[i]?.voucher.provider === provider);
  const body: Record<string, unknown> = { request: raw.request, signature: raw.signature, input: raw.input };
  if (own.length > 0) body.vouchers = own;
  return body;
}

const describeFailure = (provider: Address, error: ProtocolError) => `${provider}: ${error.code}: ${error.shortMessage}${error.details.length ? ` (${error.details.join('; ')})` : ''}`;
