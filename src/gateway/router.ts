// Forwarding an inference: refuse what the gateway can judge itself (a replay it
// knows, a bad voucher signature, an input that does not hash to the signed one),
// rank the providers, send the client's signed request unchanged to the best one with
// this gateway's assignment of it to that provider, check the answer, and on a
// provider's failure try the next one (at most `maxAttempts`, never the same provider
// twice, all inside the request's deadline).
// The client pays only after delivery (docs/protocol.md), so a retry never charges
// twice. A zk answer is verified here too (src/gateway/zk-check.ts): a proof that fails,
// or proves something else, is the provider's failure, kept as slash evidence, and the
// next provider that can prove the model is tried. Redundant mode sends the same
// request to k providers at once, each with its own assignment, and compares their outputs. A sealed input (docs/privacy.md) goes,
// unread, to the one provider it is sealed to and nowhere else.
import type { Address, Hex, LocalAccount } from 'viem';
import type { Logger } from '../log.ts';
import { expectedChannelTotal } from '../protocol/channel-total.ts';
import { errorFromBody, ProtocolError, type ProtocolErrorCode } from '../protocol/errors.ts';
import { hashRequest, signAssignment, ZK_VERIFICATION, type InferenceRequest, type ProtocolDomain, type Receipt } from '../protocol/messages.ts';
import type { SignedVoucher } from '../payments/voucher.ts';
import { parseVouchers, toWire, type ParsedInferBody, type Wire } from '../protocol/wire.ts';
import { attemptTimeoutMs } from './attempt-budget.ts';
import { checkInferResult, checkSealedInferResult, type CheckedResult, type CheckedSealedResult } from './check-result.ts';
import { appendDisagreement } from './disagreements.ts';
import { ProviderCallError } from './errors.ts';
import { trimSlash, type HealthMonitor } from './health.ts';
import type { NetworkTable, ProviderRecord } from './network-table.ts';
import { InputChecker } from './input-check.ts';
import { fetchJson } from './provider-http.ts';
import { RequestMemory } from './request-memory.ts';
import { rankProviders, type RouteCandidate, type RoutingWeights } from './routing.ts';
import type { StatsBook } from './stats.ts';
import { VoucherBook } from './voucher-book.ts';
import { type ZkAnswer, ZkAnswerChecker } from './zk-check.ts';

export type ParsedInfer = ParsedInferBody;

/**
 * Refusals the gateway has ruled out itself before forwarding: it parsed the body,
 * checked the signature, the deadline and that it is the request's router, signed the
 * provider's assignment, checked the vouchers' signatures, and knows its own replays
 * (INVALID_INPUT joins them when it could check the input, DEADLINE_EXPIRED unless the
 * deadline is really that close). A provider answering one of them is lying: the
 * answer counts as its fault and the next provider is tried.
 */
export const checkedByGatewayCodes: ReadonlySet<ProtocolErrorCode> = new Set<ProtocolErrorCode>([
  'MALFORMED_JSON',
  'INVALID_BODY',
  'BODY_TOO_LARGE',
  'BAD_SIGNATURE',
  'WRONG_CLIENT',
  'ROUTE_MISMATCH',
  'ASSIGNMENT_INVALID',
  'REPLAYED',
  'VOUCHER_INVALID',
  'DEADLINE_EXPIRED',
  'DEADLINE_TOO_FAR',
]);

/**
 * Refusals about the client's standing with that one provider (unpaid results, what
 * its escrow covers of what it owes that provider, its vouchers there), which the
 * gateway cannot check. They move on to the next provider without counting against
 * the one refusing, since a client could otherwise spoil an honest provider's record
 * at will; when every provider tried gives the same one, that is the answer.
 */
export const clientStandingCodes: ReadonlySet<ProtocolErrorCode> = new Set<ProtocolErrorCode>([
  'CREDIT_EXHAUSTED',
  'INSUFFICIENT_ESCROW',
  'VOUCHER_AMOUNT_WRONG',
]);

/** Refusals of a sealed input, which the gateway cannot judge: it passes them on, counted against nobody. */
export const sealedInputCodes: ReadonlySet<ProtocolErrorCode> = new Set<ProtocolErrorCode>(['SEALED_INPUT_INVALID', 'SEALING_KEY_UNKNOWN']);

/** Seconds within which a provider's clock may fairly see a deadline as passed. */
export const DEADLINE_SKEW_SECONDS = 2n;
/** An inference answer holds one output and a receipt: anything larger is garbage. */
export const MAX_INFER_ANSWER_BYTES = 256 * 1024;

export type RouterInit = {
  domain: ProtocolDomain;
  /** The gateway's routing key: requests name its address as their router, and it signs their assignments. */
  account: LocalAccount;
  table: NetworkTable;
  health: HealthMonitor;
  stats: StatsBook;
  logger: Logger;
  weights: RoutingWeights;
  maxAttempts: number;
  /** The longest one provider call may take; the request's deadline may leave less. */
  requestTimeoutMs: number;
  disagreementsPath: string;
  /** Where zk answers whose proof does not check out are kept as slash evidence (zk-failures.jsonl). */
  zkFailuresPath: string;
  /** Where the gateway finds models to check inputs with (the catalog's folder by default). */
  modelsDir?: string;
  /** What the escrow has paid on a channel; read only when a receipt's total matches nothing the gateway saw. */
  redeemed?: (client: Address, provider: Address, modelId: Hex) => Promise<bigint>;
};

type Attempt = { provider: ProviderRecord; rank: number };
/** A failure is the provider's `fault` unless it concerns the client's standing only. */
type CallOutcome<R = CheckedResult> = { ok: true; result: R } | { ok: false; error: ProtocolError; fault: boolean };
type ResultCheck<R> = (body: unknown, expected: Parameters<typeof checkInferResult>[1]) => Promise<R>;
type Failure = { provider: Address; error: ProtocolError; fault: boolean };
/** What the gateway established about a request before calling anyone. */
type Admitted = { parsed: ParsedInfer; raw: Record<string, unknown>; inputChecked: boolean; requestHash: Hex };

export type SingleAnswer = Omit<CheckedResult, 'receipt'> & { receipt: Wire<Receipt>; provider: Address; attempts: number };
export type SealedAnswer = Omit<CheckedSealedResult, 'receipt'> & { receipt: Wire<Receipt>; provider: Address; attempts: number };
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
  private readonly requests = new RequestMemory();
  private readonly vouchers: VoucherBook;
  private readonly inputs: InputChecker;
  private readonly zk: ZkAnswerChecker;

  constructor(private readonly init: RouterInit) {
    this.vouchers = new VoucherBook(init.domain);
    this.inputs = new InputChecker(init.modelsDir);
    this.zk = new ZkAnswerChecker((contentHash) => this.inputs.modelOf(contentHash), init.zkFailuresPath);
  }

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
        provesModel: state?.zkModels.has(modelId.toLowerCase() as Hex) ?? false,
        latencyMs: own.latencyMs,
        inFlight: own.inFlight + (state?.inFlight ?? 0),
        errorRate: own.errorRate,
      };
    });
  }

  /** Eligible providers, best first; NO_PROVIDER (naming why each was left out) when none. */
  route(request: InferenceRequest, needed = 1): Attempt[] {
    const zk = request.verification === ZK_VERIFICATION;
    const { ranked, excluded } = rankProviders(this.candidates(request.modelId), request.maxFee, this.init.weights, zk);
    if (ranked.length < needed) {
      throw new ProtocolError(
        'NO_PROVIDER',
        needed === 1
          ? zk
            ? `No provider can prove model ${request.modelId} (verification zk) now.`
            : `No provider can serve model ${request.modelId} now.`
          : `Only ${ranked.length} providers can serve model ${request.modelId} now; redundancy ${needed} needs ${needed}.`,
        {
          details: excluded.length === 0 ? ['no provider offers this model'] : excluded.map((e) => `${e.provider}: ${e.reason}`),
        },
      );
    }
    return ranked.map((r, rank) => ({ provider: this.init.table.providers.get(r.provider) as ProviderRecord, rank }));
  }

  async infer(parsed: ParsedInfer, raw: Record<string, unknown>): Promise<SingleAnswer> {
    const queue = this.route(parsed.request).slice(0, this.init.maxAttempts);
    return this.admitted(parsed, raw, async (admitted) => {
      const tried = new Set<Address>();
      try {
        const failures: Failure[] = [];
        let outOfTime = false;
        for (const [i, attempt] of queue.entries()) {
          const timeoutMs = this.attemptTimeout(parsed.request, attempt.provider, queue.length - i);
          if (timeoutMs === undefined) {
            outOfTime = true;
            break;
          }
          tried.add(attempt.provider.address);
          const outcome = await this.call(attempt.provider, admitted, timeoutMs, checkInferResult);
          if (outcome.ok) return { ...outcome.result, receipt: toWire(outcome.result.receipt), provider: attempt.provider.address, attempts: i + 1 };
          failures.push({ provider: attempt.provider.address, error: outcome.error, fault: outcome.fault });
        }
        throw failedAnswer(failures, `No provider delivered a valid result in ${failures.length} attempts.`, outOfTime);
      } finally {
        this.deliverRemainingVouchers(parsed, raw, tried);
      }
    });
  }

  async inferRedundant(parsed: ParsedInfer, raw: Record<string, unknown>, k: number): Promise<RedundantAnswer> {
    const ranked = this.route(parsed.request, k);
    return this.admitted(parsed, raw, async (admitted) => {
      // Each of the k lanes may move on to an unused provider when its own fails.
      const queue = ranked.slice(0, k + this.init.maxAttempts - 1);
      let next = 0;
      let outOfTime = false;
      const failures: Failure[] = [];
      const delivered: (Attempt & { result: CheckedResult })[] = [];
      const tried = new Set<Address>();
      const lane = async () => {
        while (next < queue.length) {
          // A lane's calls run one after another: at most maxAttempts minus the failures so far.
          const timeoutMs = this.attemptTimeout(parsed.request, (queue[next] as Attempt).provider, this.init.maxAttempts - failures.length);
          if (timeoutMs === undefined) {
            outOfTime = true;
            return;
          }
          const attempt = queue[next++] as Attempt;
          tried.add(attempt.provider.address);
          const outcome = await this.call(attempt.provider, admitted, timeoutMs, checkInferResult);
          if (outcome.ok) return void delivered.push({ ...attempt, result: outcome.result });
          failures.push({ provider: attempt.provider.address, error: outcome.error, fault: outcome.fault });
        }
      };
      await Promise.all(Array.from({ length: k }, lane)).finally(() => this.deliverRemainingVouchers(parsed, raw, tried));
      if (delivered.length < k)
        throw failedAnswer(failures, `Only ${delivered.length} of ${k} providers delivered a valid result in ${next} attempts.`, outOfTime);
      delivered.sort((a, b) => a.rank - b.rank);
      return this.compare(parsed.request, delivered, next);
    });
  }

  /**
   * A sealed input opens only with the key of the provider the client sealed it to, so
   * it goes to that provider, named in the body, or nowhere: NO_PROVIDER, with the
   * reason, when that provider is not routable now; no retry elsewhere.
   */
  async inferSealed(parsed: ParsedInfer & { provider: Address }, raw: Record<string, unknown>): Promise<SealedAnswer> {
    const { request, provider: named } = parsed;
    const { ranked, excluded } = rankProviders(this.candidates(request.modelId), request.maxFee, this.init.weights, false);
    const provider = ranked.some((r) => r.provider === named) ? this.init.table.providers.get(named) : undefined;
    if (!provider) {
      throw new ProtocolError('NO_PROVIDER', `Provider ${named}, which the input is sealed to, cannot serve model ${request.modelId} now.`, {
        details: [
          ...excluded.filter((e) => e.provider === named).map((e) => `${e.provider}: ${e.reason}`),
          ...(this.init.table.providers.has(named) ? [] : [`${named} is not a registered provider`]),
          'ask GET /v1/route for a provider that can, and seal to its key',
        ],
      });
    }
    return this.admitted(parsed, raw, async (admitted) => {
      try {
        const timeoutMs = this.attemptTimeout(request, provider, 1);
        if (timeoutMs === undefined) throw failedAnswer([], '', true);
        const outcome = await this.call(provider, admitted, timeoutMs, checkSealedInferResult);
        if (outcome.ok) return { ...outcome.result, receipt: toWire(outcome.result.receipt), provider: named, attempts: 1 };
        throw failedAnswer([{ provider: named, error: outcome.error, fault: outcome.fault }], `Provider ${named} delivered no valid result.`, false);
      } finally {
        this.deliverRemainingVouchers(parsed, raw, new Set([named]));
      }
    });
  }

  /** The provider a client should seal to for this model and fee: the best ranked, as for an input in the clear. */
  routeFor(modelId: Hex, maxFee: bigint): { provider: Address; endpoint: string; price: bigint } {
    const { ranked, excluded } = rankProviders(this.candidates(modelId), maxFee, this.init.weights, false);
    const best = ranked[0];
    if (!best) {
      throw new ProtocolError('NO_PROVIDER', `No provider can serve model ${modelId} now.`, {
        details: excluded.length === 0 ? ['no provider offers this model'] : excluded.map((e) => `${e.provider}: ${e.reason}`),
      });
    }
    const record = this.init.table.providers.get(best.provider) as ProviderRecord;
    return { provider: record.address, endpoint: record.endpoint, price: record.prices.get(modelId.toLowerCase() as Hex) ?? 0n };
  }

  /**
   * Runs the checks the gateway makes itself, then `work` under a claim on the request
   * hash: a request it is serving or delivered is REPLAYED here, and only here.
   */
  private async admitted<T>(parsed: ParsedInfer, raw: Record<string, unknown>, work: (admitted: Admitted) => Promise<T>): Promise<T> {
    const { request } = parsed;
    const model = this.init.table.models.get(request.modelId);
    // A sealed input is ciphertext here: only its provider checks it against the signed hash.
    const inputChecked = model && parsed.sealedInput === undefined ? this.inputs.check(model.contentHash, request, parsed.input) : false;
    await this.vouchers.verify(parsed.vouchers);
    const requestHash = hashRequest(this.init.domain, request);
    this.requests.claim(requestHash, nowSeconds());
    let delivered = false;
    try {
      const answer = await work({ parsed, raw, inputChecked, requestHash });
      delivered = true;
      return answer;
    } finally {
      this.requests.release(requestHash, delivered ? { deadline: request.deadline } : undefined);
    }
  }

  private attemptTimeout(request: InferenceRequest, provider: ProviderRecord, attemptsLeft: number): number | undefined {
    // A zk proof takes seconds: the provider proving it gets all the time left, and the
    // next one is tried only after a quick failure.
    const zk = request.verification === ZK_VERIFICATION;
    return attemptTimeoutMs({
      deadlineMs: Number(request.deadline) * 1000,
      nowMs: Date.now(),
      attemptsLeft: zk ? 1 : attemptsLeft,
      latencyMs: this.init.stats.get(provider.address).latencyMs,
      capMs: zk ? Number.POSITIVE_INFINITY : this.init.requestTimeoutMs,
    });
  }

  /** Stops accepting background work and waits for what is under way; ends the zk checker's curve. */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.background]);
    await this.zk.close();
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

  private async call<R extends { receipt: Receipt }>(
    provider: ProviderRecord,
    admitted: Admitted,
    timeoutMs: number,
    check: ResultCheck<R>,
  ): Promise<CallOutcome<R>> {
    const { stats, health, logger } = this.init;
    const { parsed, raw } = admitted;
    // Signed outside the provider's try: a gateway that cannot sign fails on its own account.
    const { assignment, signature } = await signAssignment(this.init.account, this.init.domain, {
      requestHash: admitted.requestHash,
      provider: provider.address,
    });
    const body = { ...forwardedBody(parsed, raw, provider.address, (v) => this.vouchers.held(v)), assignment: { ...assignment, signature } };
    const started = performance.now();
    stats.begin(provider.address);
    let outcome: CallOutcome<R>;
    try {
      const answer = await fetchJson(`${trimSlash(provider.endpoint)}/v1/infer`, { method: 'POST', body, timeoutMs, maxBytes: MAX_INFER_ANSWER_BYTES });
      outcome = await this.judge(provider.address, admitted, answer, check);
    } catch (error) {
      if (error instanceof ProviderCallError && error.code === 'PROVIDER_UNREACHABLE') health.markDown(provider.address, error.shortMessage);
      const code = error instanceof ProviderCallError && error.code === 'PROVIDER_GARBAGE' ? 'PROVIDER_BAD_RESPONSE' : 'PROVIDER_FAILED';
      outcome = {
        ok: false,
        fault: true,
        error: new ProtocolError(code, error instanceof ProviderCallError ? error.shortMessage : `Calling provider ${provider.address} failed.`),
      };
    }
    if (outcome.ok) this.vouchers.record(ownVouchers(parsed, provider.address));
    stats.end(provider.address, { fault: !outcome.ok && outcome.fault, latencyMs: outcome.ok ? performance.now() - started : undefined });
    if (!outcome.ok && outcome.fault) logger.warn('provider failed', { provider: provider.address, code: outcome.error.code });
    return outcome;
  }

  private async judge<R extends { receipt: Receipt }>(
    provider: Address,
    admitted: Admitted,
    answer: { status: number; body: unknown },
    check: ResultCheck<R>,
  ): Promise<CallOutcome<R>> {
    const { request } = admitted.parsed;
    if (answer.status === 200) {
      let result: R;
      try {
        result = await check(answer.body, {
          domain: this.init.domain,
          provider,
          request,
          requestHash: admitted.requestHash,
          paidBefore: (receipt) => this.paidBefore(admitted, provider, receipt),
        });
      } catch (error) {
        return {
          ok: false,
          fault: true,
          error: error instanceof ProtocolError ? error : new ProtocolError('PROVIDER_BAD_RESPONSE', `Provider ${provider} answered with a bad result.`),
        };
      }
      const zkProblems = await this.zkProblems(admitted, result);
      if (zkProblems.length === 0) return { ok: true, result };
      return {
        ok: false,
        fault: true,
        error: new ProtocolError(
          'PROVIDER_BAD_RESPONSE',
          `Provider ${provider} answered with a zk proof that does not check out; it is kept as slash evidence.`,
          {
            details: zkProblems,
          },
        ),
      };
    }
    const error = errorFromBody(answer.body, `Provider ${provider} answered HTTP ${answer.status} without an error body.`);
    const claim = new ProtocolError(error.code, error.shortMessage, { details: [...error.details, `from provider ${provider}`] });
    if (answer.status >= 500) return { ok: false, fault: true, error: claim };
    if (checkedByGatewayCodes.has(error.code) || (error.code === 'INVALID_INPUT' && admitted.inputChecked)) {
      // A deadline this close may have passed on the provider's clock: not a lie.
      if (error.code === 'DEADLINE_EXPIRED' && request.deadline <= nowSeconds() + DEADLINE_SKEW_SECONDS) return { ok: false, fault: false, error: claim };
      this.init.logger.warn('provider refused what the gateway checked', { provider, code: error.code });
      return {
        ok: false,
        fault: true,
        error: new ProtocolError('PROVIDER_BAD_RESPONSE', `Provider ${provider} answered ${error.code}, which this gateway had already ruled out.`, {
          details: [`${error.code}: ${error.shortMessage}`, ...error.details],
        }),
      };
    }
    // A sealed input the gateway cannot read: whether it opens is between the client and
    // its provider, so such a refusal is passed on without blaming either.
    if (clientStandingCodes.has(error.code) || sealedInputCodes.has(error.code) || error.code === 'INVALID_INPUT')
      return { ok: false, fault: false, error: claim };
    return { ok: false, fault: true, error: claim };
  }

  /**
   * What is wrong with the proof of a zk answer in the clear (recorded as evidence when
   * anything is); nothing for other modes. A check the gateway itself cannot run (e.g.
   * its verifier failing to load) blames no provider: the answer goes on to the client,
   * whose check is the one that decides payment.
   */
  private async zkProblems(admitted: Admitted, result: { receipt: Receipt }): Promise<string[]> {
    const { request, input } = admitted.parsed;
    if (request.verification !== ZK_VERIFICATION || input === undefined || !('output' in result)) return [];
    const contentHash = this.init.table.models.get(request.modelId)?.contentHash;
    try {
      return await this.zk.problems(contentHash, admitted.requestHash, input, result as unknown as ZkAnswer);
    } catch (error) {
      this.init.logger.warn('could not check a zk proof; passed on to the client', { reason: String(error).split('\n')[0] });
      return [];
    }
  }

  /**
   * What the client has paid this provider on the request's channel, when known. A
   * client attaching vouchers (as the SDK does: all of its latest on the model) states
   * its payments: the larger of the voucher attached for this provider (none: nothing
   * paid there), what this provider accepted through this gateway since (a voucher
   * signed while the request was on its way), and, when the receipt matches neither,
   * what the escrow has paid on the channel (vouchers that went another way). Undefined
   * for a client that attaches no vouchers at all: it may pay by another path, and only
   * the fee bounds the total.
   */
  private async paidBefore(admitted: Admitted, provider: Address, receipt: Receipt): Promise<bigint | undefined> {
    if (!Array.isArray(admitted.raw.vouchers)) return undefined;
    const { request } = admitted.parsed;
    let paid = this.vouchers.paidOn(request.client, provider, request.modelId) ?? 0n;
    for (const { voucher } of ownVouchers(admitted.parsed, provider)) {
      if (voucher.client === request.client && voucher.modelId === request.modelId && voucher.cumulativeAmount > paid) paid = voucher.cumulativeAmount;
    }
    if (receipt.channelTotal !== expectedChannelTotal(paid, receipt.fee) && this.init.redeemed) {
      const onChain = await this.init.redeemed(request.client, provider, request.modelId).catch(() => 0n);
      if (onChain > paid) paid = onChain;
    }
    return paid;
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
      if (!tried.has(v.voucher.provider) && !this.vouchers.held(v))
        byProvider.set(v.voucher.provider, [...(byProvider.get(v.voucher.provider) ?? []), rawVouchers[i]]);
    });
    for (const [provider, vouchers] of byProvider) {
      const record = this.init.table.providers.get(provider);
      if (!record) {
        this.init.logger.warn('voucher names an unknown provider; not delivered', { provider });
        continue;
      }
      const task = this.postVouchers(record, vouchers).catch((error: unknown) =>
        this.init.logger.warn('voucher delivery failed', { provider, reason: String(error).split('\n')[0] }),
      );
      this.background.add(task);
      void task.finally(() => this.background.delete(task));
    }
  }

  /** POSTs vouchers to one provider; returns its status and answer. The ones it accepts are recorded. */
  async postVouchers(provider: ProviderRecord, vouchers: unknown[]): Promise<{ status: number; body: unknown }> {
    const answer = await fetchJson(`${trimSlash(provider.endpoint)}/v1/vouchers`, {
      method: 'POST',
      body: { vouchers },
      timeoutMs: this.init.requestTimeoutMs,
    });
    if (answer.status === 200) {
      try {
        this.vouchers.record(parseVouchers({ path: 'vouchers', value: vouchers }, vouchers.length).filter((v) => v.voucher.provider === provider.address));
      } catch {
        // Unparsable vouchers were refused by the provider anyway; nothing to record.
      }
    }
    return answer;
  }
}

/** The body for one provider, its input (in the clear or sealed) as received: its own vouchers only, and none it already holds. */
function forwardedBody(parsed: ParsedInfer, raw: Record<string, unknown>, provider: Address, held: (v: SignedVoucher) => boolean): Record<string, unknown> {
  const rawVouchers = Array.isArray(raw.vouchers) ? (raw.vouchers as unknown[]) : [];
  const own = rawVouchers.filter((_, i) => {
    const parsedVoucher = parsed.vouchers[i];
    return parsedVoucher?.voucher.provider === provider && !held(parsedVoucher);
  });
  const body: Record<string, unknown> = {
    request: raw.request,
    signature: raw.signature,
    ...(parsed.sealedInput === undefined ? { input: raw.input } : { sealedInput: raw.sealedInput }),
  };
  if (own.length > 0) body.vouchers = own;
  return body;
}

/** The vouchers of the body that name this provider. */
const ownVouchers = (parsed: ParsedInfer, provider: Address) => parsed.vouchers.filter((v) => v.voucher.provider === provider);

const nowSeconds = () => BigInt(Math.floor(Date.now() / 1000));

const describeFailure = ({ provider, error }: Failure) =>
  `${provider}: ${error.code}: ${error.shortMessage}${error.details.length ? ` (${error.details.join('; ')})` : ''}`;

/**
 * The answer when no provider delivered: the client's own standing when every provider
 * tried refused for the same such reason, PROVIDER_FAILED otherwise, and
 * DEADLINE_EXPIRED when the deadline left no time to call anyone.
 */
function failedAnswer(failures: readonly Failure[], message: string, outOfTime: boolean): ProtocolError {
  if (failures.length === 0)
    return new ProtocolError('DEADLINE_EXPIRED', "The request's deadline leaves no time to call a provider.", {
      details: ['sign the request again with a later deadline'],
    });
  const details = [...failures.map(describeFailure), ...(outOfTime ? ['the deadline left no time for another attempt'] : [])];
  const first = failures[0] as Failure;
  if (failures.every((f) => !f.fault && f.error.code === first.error.code)) return new ProtocolError(first.error.code, first.error.shortMessage, { details });
  return new ProtocolError('PROVIDER_FAILED', message, { details });
}
