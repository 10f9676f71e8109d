// The gateway service: discovery from chain events, health checks, and the HTTP API
// (docs/gateway.md). It holds no funds and no client keys, only its routing key: it
// forwards the client's signed request unchanged, with its signed assignment of it to
// the provider called, and checks what comes back. A sealed input it cannot read: it
// forwards it to the provider the client sealed it to (GET /v1/route names one), keeps
// nothing of it, and hands watchers nothing to re-execute.
import { join } from 'node:path';
import { Hono } from 'hono';
import type { FacilitatorClient } from '@x402/core/server';
import { getAddress, isHex, type Address, type Hex, type LocalAccount } from 'viem';
import { ChainProbe } from '../chain/chain-status.ts';
import type { Connection } from '../chain/connect.ts';
import type { Deployment } from '../chain/manifest.ts';
import { escrowAbi } from '../chain/generated/Escrow.ts';
import { silentLogger, type Logger } from '../log.ts';
import { asProtocolError, chainUnreachable, errorHandler, listen, MAX_BODY_BYTES, readJson } from '../net/http.ts';
import { errorFromBody, ProtocolError, type ProtocolErrorCode } from '../protocol/errors.ts';
import { hashRequest, MAX_REQUEST_TTL_SECONDS, recoverRequestSigner, verificationModes, type ProtocolDomain } from '../protocol/messages.ts';
import { checkSealable } from '../protocol/sealed-input.ts';
import { parseInferBody, parseReceipt, parseVouchers } from '../protocol/wire.ts';
import { appendDisagreementInput, DISAGREEMENT_INPUTS_FILE } from '../verify/disagreement-inputs.ts';
import type { ObservedResult } from '../verify/observed-result.ts';
import { BlockStore } from '../store/index.ts';
import { Discovery } from './discovery.ts';
import { GatewayError } from './errors.ts';
import { HealthMonitor } from './health.ts';
import { openApiDocument } from './openapi.ts';
import { packageRoutes } from './package-routes.ts';
import { InferRouter, type ParsedInfer } from './router.ts';
import { ZK_FAILURES_FILE } from './zk-check.ts';
import { defaultRoutingWeights, type RoutingWeights } from './routing.ts';
import { logRequests, RequestLog, requestLogRoutes } from './request-log.ts';
import { StatsBook } from './stats.ts';
import { x402ProxyRoutes } from './x402-proxy.ts';
import { facilitatorRoutes } from '../x402/facilitator-routes.ts';

export type GatewayOptions = {
  connection: Connection;
  /**
   * The routing key. Clients sign requests naming its address as their router (read
   * from GET /v1/health), and providers serve them only with its assignment: it holds
   * no funds and never goes on chain.
   */
  account: LocalAccount;
  deployment: Deployment;
  /** Folder for the gateway's files (the disagreements log, the zk failures kept as slash evidence, the package store in store/). */
  dataDir: string;
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  log?: Logger;
  /** Milliseconds between polls for new chain events (default 1000). */
  pollIntervalMs?: number;
  /** Milliseconds between health rounds (default 5000). */
  healthIntervalMs?: number;
  healthTimeoutMs?: number;
  /** Milliseconds a provider has to answer one inference (default 30000). */
  requestTimeoutMs?: number;
  /** Providers tried for one request at most (default 3). */
  maxAttempts?: number;
  /** Largest k accepted in redundant mode (default 5). */
  maxRedundancy?: number;
  maxBodyBytes?: number;
  weights?: Partial<RoutingWeights>;
  /**
   * Called with every result delivered to a client (for a watcher: src/verify/watcher.ts).
   * It must return at once; an exception is logged and never affects the answer.
   */
  onResult?: (result: ObservedResult) => void;
  /**
   * An x402 facilitator to serve at /x402/verify, /x402/settle and /x402/supported
   * (src/x402/facilitator.ts), for providers and any other x402 server. The paid route
   * POST /x402/v1/infer/<modelId> needs none: providers settle their own payments.
   */
  x402Facilitator?: FacilitatorClient;
};

export type Gateway = {
  url: string;
  /** Reads new chain events and checks every provider's health now. */
  refresh(): Promise<void>;
  stop(): Promise<void>;
};

export const DEFAULT_REDUNDANCY = 2;
export const DISAGREEMENTS_FILE = 'disagreements.jsonl';

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const settings = checkOptions(options);
  const store = await BlockStore.open(join(options.dataDir, 'store'));
  const log = (options.log ?? silentLogger).child('gateway');
  const domain: ProtocolDomain = { chainId: options.deployment.chainId, escrow: options.deployment.contracts.escrow };
  const discovery = new Discovery({ connection: options.connection, deployment: options.deployment, logger: log, pollIntervalMs: options.pollIntervalMs });
  const stats = new StatsBook();
  const health = new HealthMonitor({
    chainId: options.deployment.chainId,
    logger: log,
    intervalMs: options.healthIntervalMs,
    timeoutMs: options.healthTimeoutMs,
    providers: () => discovery.table.providers.values(),
    onPassed: (provider) => stats.passedHealthCheck(provider),
  });
  const router = new InferRouter({
    domain,
    account: options.account,
    table: discovery.table,
    health,
    stats,
    logger: log,
    weights: { ...defaultRoutingWeights, ...options.weights },
    maxAttempts: settings.maxAttempts,
    requestTimeoutMs: settings.requestTimeoutMs,
    disagreementsPath: join(options.dataDir, DISAGREEMENTS_FILE),
    zkFailuresPath: join(options.dataDir, ZK_FAILURES_FILE),
    redeemed: (client, provider, modelId) =>
      options.connection.publicClient.readContract({
        address: options.deployment.contracts.escrow,
        abi: escrowAbi,
        functionName: 'redeemed',
        args: [client, provider, modelId],
      }),
  });

  await discovery.start();
  try {
    await health.start();
  } catch (error) {
    await discovery.stop();
    throw error;
  }
  const chain = new ChainProbe(options.connection, options.healthTimeoutMs);
  const app = createApp({
    store,
    discovery,
    health,
    chain,
    stats,
    router,
    domain,
    address: options.account.address,
    log,
    settings,
    onResult: options.onResult,
    x402Facilitator: options.x402Facilitator,
    disagreementInputsPath: join(options.dataDir, DISAGREEMENT_INPUTS_FILE),
  });
  let server: Awaited<ReturnType<typeof listen>>;
  try {
    server = await listen(app, options.host ?? '127.0.0.1', options.port ?? 0);
  } catch (error) {
    await Promise.all([discovery.stop(), health.stop()]);
    throw error;
  }
  log.info('listening', { url: server.url, providers: discovery.table.providers.size });
  let stopping: Promise<void> | undefined;
  return {
    url: server.url,
    refresh: async () => {
      await discovery.sync();
      await health.checkAll();
    },
    stop: () =>
      (stopping ??= (async () => {
        await Promise.all([discovery.stop(), health.stop()]);
        await server.close();
        await router.drain();
        log.info('stopped');
      })()),
  };
}

type Settings = { maxAttempts: number; maxRedundancy: number; maxBodyBytes: number; requestTimeoutMs: number };

function checkOptions(options: GatewayOptions): Settings {
  const settings = {
    maxAttempts: options.maxAttempts ?? 3,
    maxRedundancy: options.maxRedundancy ?? 5,
    maxBodyBytes: options.maxBodyBytes ?? MAX_BODY_BYTES,
    requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
  };
  for (const [name, value, least] of [
    ['maxAttempts', settings.maxAttempts, 1],
    ['maxRedundancy', settings.maxRedundancy, DEFAULT_REDUNDANCY],
    ['maxBodyBytes', settings.maxBodyBytes, 1],
    ['requestTimeoutMs', settings.requestTimeoutMs, 1],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < least) {
      throw new GatewayError('GATEWAY_OPTIONS_INVALID', `The gateway option ${name} must be an integer of at least ${least}.`, {
        details: [`got ${String(value)}`],
      });
    }
  }
  return Object.freeze(settings);
}

/** Failures that a dead chain node explains (providers refuse or fail, nothing routes). */
const chainDependentCodes: ReadonlySet<ProtocolErrorCode> = new Set<ProtocolErrorCode>(['INTERNAL', 'NO_PROVIDER', 'PROVIDER_FAILED']);

type AppParts = {
  discovery: Discovery;
  health: HealthMonitor;
  chain: ChainProbe;
  stats: StatsBook;
  router: InferRouter;
  domain: ProtocolDomain;
  /** The routing key's address: the router every request sent here must name. */
  address: Address;
  log: Logger;
  settings: Settings;
  onResult: GatewayOptions['onResult'];
  x402Facilitator: GatewayOptions['x402Facilitator'];
  disagreementInputsPath: string;
  store: BlockStore;
};

function createApp(parts: AppParts): Hono {
  const { discovery, health, stats, router, domain, log, settings } = parts;
  const table = discovery.table;
  const notify = (result: ObservedResult) => {
    try {
      parts.onResult?.(result);
    } catch (error) {
      log.warn('onResult hook failed', { reason: error instanceof Error ? error.message.split('\n')[0] : String(error) });
    }
  };
  const app = new Hono();
  // Recent routing decisions, read by the indexer (request-log.ts).
  const requests = new RequestLog();
  app.use('/v1/infer', logRequests(requests));
  app.route('/', requestLogRoutes(requests));
  const handleError = errorHandler(log);
  // With the chain node down, providers cannot check escrow and every request fails
  // one way or another: say that, rather than "no provider" or an internal error.
  app.onError(async (error, c) => {
    const known = asProtocolError(error);
    if (chainDependentCodes.has(known.code) && !(await parts.chain.status()).reachable) {
      return handleError(chainUnreachable([`the request failed with ${known.code}: ${known.shortMessage}`]), c);
    }
    return handleError(error, c);
  });
  app.route('/', packageRoutes(parts.store, table, log));
  app.route(
    '/',
    x402ProxyRoutes({ domain, table, router, maxBodyBytes: settings.maxBodyBytes, requestTimeoutMs: settings.requestTimeoutMs, log, onResult: notify }),
  );
  if (parts.x402Facilitator) app.route('/', facilitatorRoutes(parts.x402Facilitator));
  app.notFound((c) => c.json(new ProtocolError('NOT_FOUND', `No route ${c.req.method} ${c.req.path}.`, { details: ['see GET /openapi.json'] }).toJSON(), 404));

  app.post('/v1/infer', async (c) => {
    const raw = await readJson(c, settings.maxBodyBytes);
    const parsed = parseInferBody(raw);
    const body = raw as Record<string, unknown>;
    if (parsed.sealedInput) {
      checkSealable(parsed.request.verification);
      if (body.redundancy !== undefined) throw new ProtocolError('INVALID_BODY', 'redundancy: not offered with sealedInput (one seal opens at one provider).');
      const provider = parsed.provider;
      if (!provider) {
        throw new ProtocolError('INVALID_BODY', 'provider: expected the address of the provider the input is sealed to.', {
          details: ['a sealed input opens at one provider only; GET /v1/route names one, ProviderRegistry.encryptionKeyOf its key'],
        });
      }
      await checkRequest(parsed, domain, table, parts.address);
      // Not passed to watchers: without the input they cannot re-execute it (docs/privacy.md).
      return c.json(await router.inferSealed({ ...parsed, provider }, body));
    }
    const redundancy = redundancyOf(body.redundancy, parsed, settings.maxRedundancy);
    await checkRequest(parsed, domain, table, parts.address);
    const { request, input } = parsed;
    if (redundancy !== undefined) {
      const answer = await router.inferRedundant(parsed, body, redundancy);
      // disagreements.jsonl lacks the input a dispute needs; keep it beside, for watchers.
      if (!answer.agreement) appendDisagreementInput(parts.disagreementInputsPath, { requestHash: hashRequest(domain, request), input });
      for (const r of answer.receipts)
        notify({ request, input, receipt: parseReceipt({ path: 'receipt', value: r.receipt }), signature: r.signature, disagreement: !answer.agreement });
      return c.json(answer);
    }
    const answer = await router.infer(parsed, body);
    notify({ request, input, receipt: parseReceipt({ path: 'receipt', value: answer.receipt }), signature: answer.signature, output: answer.output });
    return c.json(answer);
  });

  app.post('/v1/vouchers', async (c) => {
    const raw = await readJson(c, settings.maxBodyBytes);
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ProtocolError('INVALID_BODY', 'The body must be an object { vouchers }.');
    const rawVouchers = (raw as { vouchers?: unknown }).vouchers;
    const vouchers = parseVouchers({ path: 'vouchers', value: rawVouchers });
    if (vouchers.length === 0) throw new ProtocolError('INVALID_BODY', 'vouchers: expected at least one voucher.', { details: ['got nothing'] });
    const byProvider = new Map<Address, unknown[]>();
    vouchers.forEach((v, i) => {
      byProvider.set(v.voucher.provider, [...(byProvider.get(v.voucher.provider) ?? []), (rawVouchers as unknown[])[i]]);
    });
    const results = await Promise.all(
      [...byProvider].map(async ([provider, list]) => {
        const record = table.providers.get(provider);
        if (!record) return { provider, ok: false, error: new ProtocolError('NOT_FOUND', `Provider ${provider} is not registered.`).toJSON().error };
        try {
          const answer = await router.postVouchers(record, list);
          if (answer.status === 200) return { provider, ok: true, answer: answer.body };
          return { provider, ok: false, error: errorFromBody(answer.body, `Provider ${provider} answered HTTP ${answer.status}.`).toJSON().error };
        } catch (error) {
          return {
            provider,
            ok: false,
            error: new ProtocolError('PROVIDER_FAILED', error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error)).toJSON().error,
          };
        }
      }),
    );
    return c.json({ results });
  });

  app.get('/v1/providers', (c) =>
    c.json({
      providers: [...table.providers.values()].map((p) => {
        const state = health.state(p.address);
        const own = stats.get(p.address);
        return {
          address: p.address,
          endpoint: p.endpoint,
          activeStake: p.activeStake.toString(),
          unbondingStake: p.unbondingStake.toString(),
          jailedUntil: p.jailedUntil.toString(),
          active: p.active,
          healthy: state?.healthy ?? false,
          healthReason: state?.reason ?? 'not checked yet',
          models: [...p.prices].map(([modelId, price]) => ({
            modelId,
            price: price.toString(),
            served: state?.models.has(modelId) ?? false,
            zk: state?.zkModels.has(modelId) ?? false,
          })),
          inFlight: own.inFlight,
          latencyMs: own.latencyMs ?? null,
          errorRate: own.errorRate,
        };
      }),
    }),
  );

  // The route step of a sealed request: the provider a client should seal its input to.
  app.get('/v1/route', (c) => {
    const modelId = c.req.query('model') ?? '';
    const maxFee = c.req.query('maxFee') ?? '1000000';
    if (!isHex(modelId) || modelId.length !== 66)
      throw new ProtocolError('INVALID_BODY', 'model: expected a model id (0x and 64 hex digits).', {
        details: [`got ${JSON.stringify(modelId.slice(0, 80))}`],
      });
    if (!/^\d{1,78}$/.test(maxFee))
      throw new ProtocolError('INVALID_BODY', 'maxFee: expected a whole number of token base units.', {
        details: [`got ${JSON.stringify(maxFee.slice(0, 80))}`],
      });
    const model = table.models.get(modelId.toLowerCase() as Hex);
    if (!model || model.deprecated) throw new ProtocolError('UNKNOWN_MODEL', `No model ${modelId} is registered.`, { details: ['see GET /v1/models'] });
    const route = router.routeFor(modelId.toLowerCase() as Hex, BigInt(maxFee));
    return c.json({ modelId: modelId.toLowerCase(), provider: route.provider, endpoint: route.endpoint, price: route.price.toString() });
  });

  app.get('/v1/models', (c) =>
    c.json({
      models: [...table.models.values()]
        .filter((m) => !m.deprecated)
        .map((m) => ({
          ...m,
          providers: [...table.providers.values()]
            .filter((p) => p.active && p.prices.has(m.modelId) && health.state(p.address)?.healthy === true)
            .map((p) => p.address),
        })),
    }),
  );

  app.get('/v1/health', async (c) => {
    const providers = [...table.providers.values()];
    const chain = await parts.chain.status();
    const wrongChain = chain.reachable && chain.chainId !== domain.chainId;
    const ok = chain.reachable && !wrongChain;
    const reason = wrongChain ? `the node reports chain ${chain.chainId}, not ${domain.chainId}` : chain.reason;
    return c.json(
      {
        status: ok ? 'ok' : 'degraded',
        gateway: parts.address,
        chainId: domain.chainId,
        chain: {
          reachable: chain.reachable,
          chainId: chain.chainId,
          latestBlock: chain.latestBlock?.toString() ?? null,
          ...(reason === undefined ? {} : { reason }),
        },
        syncedBlock: (discovery.cursor - 1n).toString(),
        providers: providers.length,
        healthyProviders: providers.filter((p) => p.active && health.state(p.address)?.healthy === true).length,
        models: [...table.models.values()].filter((m) => !m.deprecated).length,
      },
      ok ? 200 : 503,
    );
  });

  app.get('/openapi.json', (c) => c.json(openApiDocument));
  return app;
}

/** `redundancy` k for verification "redundant" (default 2); refused with any other mode. */
function redundancyOf(value: unknown, parsed: ParsedInfer, max: number): number | undefined {
  const redundant = parsed.request.verification === verificationModes.indexOf('redundant');
  if (value === undefined) return redundant ? DEFAULT_REDUNDANCY : undefined;
  if (!redundant) {
    throw new ProtocolError('INVALID_BODY', 'redundancy: only allowed with verification 1 (redundant).', {
      details: [`got verification ${parsed.request.verification}`],
    });
  }
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 2 || value > max) {
    throw new ProtocolError('INVALID_BODY', `redundancy: expected an integer from 2 to ${max}.`, { details: [`got ${JSON.stringify(value)}`] });
  }
  return value;
}

/** What the gateway can refuse itself, before bothering any provider. */
async function checkRequest(parsed: ParsedInfer, domain: ProtocolDomain, table: Discovery['table'], self: Address): Promise<void> {
  const { request, signature } = parsed;
  // A request routed elsewhere is one no provider would take from this gateway.
  if (getAddress(request.router) !== getAddress(self)) {
    throw new ProtocolError('ROUTE_MISMATCH', 'The request names another router than this gateway.', {
      details: [`request router: ${request.router}`, `this gateway: ${self}`, 'sign it again naming this gateway (GET /v1/health, field gateway)'],
    });
  }
  if (request.verification >= verificationModes.length) {
    throw new ProtocolError('INVALID_BODY', `request.verification: expected 0 to ${verificationModes.length - 1} (${verificationModes.join(', ')}).`, {
      details: [`got ${request.verification}`],
    });
  }
  const model = table.models.get(request.modelId);
  if (!model) throw new ProtocolError('UNKNOWN_MODEL', `No model ${request.modelId} is registered.`, { details: ['see GET /v1/models'] });
  if (model.deprecated) throw new ProtocolError('UNKNOWN_MODEL', `Model ${request.modelId} is deprecated.`, { details: ['see GET /v1/models'] });
  const now = BigInt(Math.floor(Date.now() / 1000));
  if (request.deadline < now)
    throw new ProtocolError('DEADLINE_EXPIRED', 'The request deadline has passed.', { details: [`deadline: ${request.deadline}`, `now: ${now}`] });
  if (request.deadline > now + MAX_REQUEST_TTL_SECONDS) {
    throw new ProtocolError('DEADLINE_TOO_FAR', `The request deadline is more than ${MAX_REQUEST_TTL_SECONDS} seconds ahead.`, {
      details: [`deadline: ${request.deadline}`, `now: ${now}`, `latest accepted: ${now + MAX_REQUEST_TTL_SECONDS}`],
    });
  }
  let signer: Address | undefined;
  try {
    signer = getAddress(await recoverRequestSigner(domain, request, signature));
  } catch {
    signer = undefined;
  }
  if (signer !== request.client) {
    throw new ProtocolError('BAD_SIGNATURE', "The request signature is not the client's.", {
      details: [`client: ${request.client}`, `recovered: ${signer ?? 'nothing'}`],
    });
  }
}
