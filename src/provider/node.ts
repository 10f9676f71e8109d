// A provider node: a long-running process that registers and stakes when needed,
// serves its models over HTTP, persists what it is owed, redeems it on chain in
// batches, and on stop finishes the requests in flight first.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Hono } from 'hono';
import type { FacilitatorClient } from '@x402/core/server';
import type { Address, Hex } from 'viem';
import { ChainProbe } from '../chain/chain-status.ts';
import type { SignerConnection } from '../chain/connect.ts';
import type { Deployment } from '../chain/manifest.ts';
import { FloatModel } from '../engine/float.ts';
import { TrellisError } from '../errors.ts';
import { silentLogger, type Logger } from '../log.ts';
import { loadModel, type CatalogModel } from '../models/catalog.ts';
import type { PackageSources } from '../models/package/travel.ts';
import { loadModelByCid, loadPublishedModel } from '../models/published.ts';
import { resolveModel, type ModelTrust } from '../models/registry.ts';
import { errorHandler, listen, readJson } from '../net/http.ts';
import { ProtocolError } from '../protocol/errors.ts';
import { parseInferBody, parseVouchers } from '../protocol/wire.ts';
import { BlockStore, parseCid, storeRoutes, type StoreSource } from '../store/index.ts';
import { Ledger } from './ledger.ts';
import { DisputeResponder } from './disputes.ts';
import { EscrowTracker, readEscrowAvailable, readEscrowRedeemed, type EscrowTrackerOptions } from './escrow-tracker.ts';
import { checkFaultOptions, lyingZkAnswer, signedTraceFor, type FaultOptions, type ZkFault, zkFaults } from './faults.ts';
import { holdsZkKey } from '../zk/artifacts.ts';
import { proofHoldsOnChain } from '../zk/chain.ts';
import { ZkProver } from '../zk/prover.ts';
import { ensureRegistered, publishSealingKey, rotateSealingKey } from './registration.ts';
import { SealingKeys } from './sealing-key.ts';
import { RequestServer, type ServedModel } from './serve.ts';
import { defaultSettlement, Settlement, type SettlementOptions } from './settlement.ts';
import { x402Routes } from './x402-routes.ts';

export type ProviderNodeOptions = {
  connection: SignerConnection;
  deployment: Deployment;
  /** Where receipts, vouchers and the block store (store/, served at /ipfs) are kept. */
  dataDir: string;
  /**
   * Each model by its model id or package CID (fetched, verified and held to its
   * publication), or by name from the models folder.
   */
  models: readonly ServedModelChoice[];
  modelsDir?: string;
  /** Where packages missing from this node's store are fetched: the gateway, other providers, stores. */
  storeSources?: readonly StoreSource[];
  /**
   * Which publication of each model to serve (default: the deployment's model
   * publisher). A publication whose weight commitment is not the one computed from the
   * local artifact is refused at start.
   */
  trust?: ModelTrust;
  host?: string;
  port: number;
  /** The URL announced on chain; defaults to the listening address. */
  publicUrl?: string;
  stake: bigint;
  maxUnpaid?: number;
  /** How long an unpaid result blocks its channel before it is written off (default 60 s). */
  unpaidGraceMs?: number;
  /**
   * How long a client has to pay for a result before its next request on the channel
   * writes the result off as never delivered, once per grace period (default 10 s).
   */
  paymentWindowMs?: number;
  settlement?: Partial<SettlementOptions>;
  /**
   * Cheat on this share of fixed-point requests (src/provider/faults.ts): for tests and
   * demonstrations of the dispute game only. Off unless given.
   */
  fault?: FaultOptions;
  /**
   * Lie on every zk request in this way (src/provider/faults.ts): for tests and
   * demonstrations of the zk checks and the slash path only. Off unless given.
   */
  zkFault?: ZkFault;
  /** Milliseconds between polls of the dispute game (default 1000). */
  disputePollMs?: number;
  /**
   * Serve paid calls over x402 (POST /x402/v1/infer/<modelId>, docs/x402.md), verified
   * and settled by this facilitator: one in this process (src/x402/facilitator.ts) or a
   * remote one (x402's HTTPFacilitatorClient, e.g. on a gateway's /x402). Off unless given.
   */
  x402?: { facilitator: FacilitatorClient };
  /**
   * How long a sealing key keeps opening inputs after a rotation replaced it
   * (default DEFAULT_SEALING_KEY_GRACE_MS, twice the longest a request stays valid).
   */
  sealingKeyGraceMs?: number;
  /**
   * Follow clients' escrows from the Escrow's events (src/provider/escrow-tracker.ts) rather
   * than read them for every request; on unless `false`.
   */
  escrowTracking?: boolean | Pick<EscrowTrackerOptions, 'pollMs' | 'maxLagMs' | 'maxLagBlocks' | 'maxEntryAgeMs'>;
  log?: Logger;
};

export type ServedModelChoice = { price: bigint } & ({ modelId: Hex } | { cid: string } | { name: string });

export type ProviderNode = {
  url: string;
  address: Address;
  models: readonly { name: string; modelId: Hex; price: bigint }[];
  /** Redeems every voucher it holds now, whatever the batch policy says. */
  redeemNow(): Promise<void>;
  /** Publishes a new sealing key; returns its registry version. The previous key opens inputs for the grace only. */
  rotateSealingKey(): Promise<number>;
  /** What follows the clients' escrows, with its counts of chain reads; none when tracking is off. */
  escrowTracker?: EscrowTracker;
  stop(): Promise<void>;
};

export async function startProviderNode(options: ProviderNodeOptions): Promise<ProviderNode> {
  const { connection, deployment } = options;
  const log = options.log ?? silentLogger;
  const store = await BlockStore.open(join(options.dataDir, 'store'));
  const packages: PackageSources = { store, sources: options.storeSources ?? [], cacheDir: join(options.dataDir, 'packages'), log };
  const served = new Map<Hex, ServedModel>();
  for (const choice of options.models) {
    const { model, modelId } = await chooseModel(options, choice, packages);
    // zk is served only for a model whose committed proving key this node holds.
    served.set(modelId, { model, modelId, price: choice.price, float: await FloatModel.load(model.onnx), zk: holdsZkKey(model.name, model.engine.artifact) });
  }
  const zkServed = [...served.values()].filter((m) => m.zk);
  if (options.zkFault !== undefined && !zkFaults.includes(options.zkFault)) {
    throw new TrellisError('INVALID_OPTION', `zkFault must be one of ${zkFaults.join(', ')}.`, { details: [`got ${String(options.zkFault)}`] });
  }
  const zkFault = options.zkFault;
  if (zkFault) log.warn('FAULTY PROVIDER: signing wrong zk results on purpose', { fault: zkFault });
  const prover = zkServed.length > 0 ? new ZkProver() : undefined;
  const zkRegistry = deployment.zk?.zkRegistry;

  const fault = options.fault ? checkFaultOptions(options.fault) : undefined;
  if (fault) log.warn('FAULTY PROVIDER: signing wrong results on purpose', { rate: fault.rate, seed: fault.seed });
  mkdirSync(options.dataDir, { recursive: true });
  const ledger = new Ledger(options.dataDir);
  const sealingKeys = await SealingKeys.open(options.dataDir, { graceMs: options.sealingKeyGraceMs });
  const escrow = deployment.contracts.escrow;
  const tracking = options.escrowTracking ?? true;
  const escrowTracker =
    tracking === false
      ? undefined
      : new EscrowTracker({
          publicClient: connection.publicClient,
          escrow,
          ...(tracking === true ? {} : tracking),
          // A client leaving while it owes this node: redeem now rather than at the batch's time.
          onWithdrawalRequested: (client) => {
            if (ledger.redeemable().some((s) => s.voucher.client.toLowerCase() === client.toLowerCase())) void settlement.redeem(true);
          },
          log: log.child('escrow'),
        });
  /** What a client's escrow can still pay, from the tracker when it runs: one check for every way of paying. */
  const escrowAvailable = (client: Address) => escrowTracker?.available(client) ?? readEscrowAvailable(connection.publicClient, escrow, client);
  /** What the escrow has paid on a channel, from the same tracker: a batched payment's check reads no chain either. */
  const escrowRedeemed = (client: Address, provider: Address, modelId: Hex) =>
    escrowTracker?.redeemed(client, provider, modelId) ?? readEscrowRedeemed(connection.publicClient, escrow, { client, provider, modelId });
  const requests = new RequestServer({
    account: connection.account,
    domain: { chainId: deployment.chainId, escrow },
    ledger,
    models: served,
    maxUnpaid: options.maxUnpaid ?? 1,
    unpaidGraceMs: options.unpaidGraceMs ?? 60_000,
    paymentWindowMs: options.paymentWindowMs ?? 10_000,
    now: () => BigInt(Math.floor(Date.now() / 1000)),
    signedTrace: fault
      ? (requestHash, honest) => {
          const signed = signedTraceFor(fault, requestHash, honest);
          if (signed !== honest) log.warn('faulty provider: signing a tampered trace', { requestHash });
          return signed;
        }
      : undefined,
    prover,
    checkZkOnChain: zkRegistry
      ? async (modelId, proved) => {
          if (!(await proofHoldsOnChain(connection, zkRegistry, modelId, proved))) {
            throw new ProtocolError('ZK_PROOF_INVALID', "The model's verifier on chain refuses this node's proof; it was not signed.", {
              details: [`model id: ${modelId}`, `ZkRegistry: ${zkRegistry}`, "the registered verifier or commitment is not the one of this node's key"],
            });
          }
        }
      : undefined,
    signedZk: zkFault ? (_requestHash, honest, quantized) => lyingZkAnswer(zkFault, honest, quantized) : undefined,
    sealingKeys,
    escrowAvailable,
  });

  let draining = false;
  const app = new Hono();
  app.onError(errorHandler(log));
  app.use(async (_c, next) => {
    if (draining) throw new ProtocolError('SHUTTING_DOWN', 'This provider is shutting down.', { details: ['retry on another provider'] });
    await next();
  });
  // A node that cannot see its chain cannot check a client's escrow nor answer disputes:
  // it says so, and gateways take it out of rotation until the chain answers again.
  const chainProbe = new ChainProbe(connection);
  app.get('/v1/health', async (c) => {
    const chain = await chainProbe.status();
    const ok = chain.reachable && chain.chainId === deployment.chainId;
    return c.json(
      {
        status: ok ? 'ok' : 'degraded',
        provider: connection.account.address,
        chainId: deployment.chainId,
        chain: {
          reachable: chain.reachable,
          chainId: chain.chainId,
          latestBlock: chain.latestBlock?.toString() ?? null,
          ...(chain.reason === undefined ? {} : { reason: chain.reason }),
        },
        // `zk`: this node proves the model (it holds its proving key), so gateways route zk requests to it.
        models: [...served.values()].map((m) => ({ modelId: m.modelId, name: m.model.name, price: m.price.toString(), zk: m.zk === true })),
        inFlight: requests.inFlightCount,
      },
      ok ? 200 : 503,
    );
  });
  // The packages this node serves, so that clients and other nodes can fetch them from it.
  app.route('/', storeRoutes(store));
  app.post('/v1/infer', async (c) => c.json(await requests.serve(parseInferBody(await readJson(c)))));
  app.post('/v1/vouchers', async (c) => {
    const body = await readJson(c);
    const vouchers = parseVouchers({ path: 'vouchers', value: (body as { vouchers?: unknown } | null)?.vouchers ?? null });
    return c.json({ accepted: await requests.acceptVouchers(vouchers) });
  });
  app.get('/v1/receipts/:requestHash', (c) => {
    const stored = ledger.result(c.req.param('requestHash').toLowerCase() as Hex);
    if (!stored)
      throw new ProtocolError('UNKNOWN_RECEIPT', 'No receipt for this request hash here.', { details: [`request hash: ${c.req.param('requestHash')}`] });
    return c.json(stored);
  });
  if (options.x402) {
    app.route(
      '/',
      x402Routes({
        chainId: deployment.chainId,
        token: deployment.contracts.token,
        provider: connection.account.address,
        models: served,
        requests,
        ledger,
        facilitator: options.x402.facilitator,
        log: log.child('x402'),
        // The batched scheme over this node's escrow channel, beside exact.
        // Its escrow check is the signed requests' one; a deposit it submits is followed at once.
        batched: { connection, escrow, dataDir: options.dataDir, escrowAvailable, escrowRedeemed, afterDeposit: async () => escrowTracker?.sync() },
      }),
    );
  }
  app.notFound(() => {
    throw new ProtocolError('NOT_FOUND', 'No such route.', {
      details: [
        `routes: GET /v1/health, POST /v1/infer, POST /v1/vouchers, GET /v1/receipts/:requestHash, GET /ipfs/:cid${options.x402 ? ', POST /x402/v1/infer/:modelId' : ''}`,
      ],
    });
  });

  const server = await listen(app, options.host ?? '127.0.0.1', options.port);
  const disputes = new DisputeResponder({
    connection,
    game: deployment.contracts.disputeGame,
    ledger,
    engines: new Map([...served].map(([id, m]) => [id.toLowerCase() as Hex, m.model.engine])),
    fault,
    dataDir: options.dataDir,
    intervalMs: options.disputePollMs ?? 1_000,
    log: log.child('disputes'),
  });
  const settlement = new Settlement(connection, escrow, ledger, { ...defaultSettlement, ...options.settlement }, log.child('settlement'), () =>
    escrowTracker ? escrowTracker.sync() : Promise.resolve(),
  );
  try {
    await ensureRegistered(
      connection,
      deployment,
      { endpoint: options.publicUrl ?? server.url, stake: options.stake, prices: new Map([...served].map(([id, m]) => [id, m.price])) },
      log,
    );
    await publishSealingKey(connection, deployment, sealingKeys, log);
    await settlement.syncFromChain();
    await disputes.start();
    await escrowTracker?.start();
  } catch (error) {
    await server.close();
    await escrowTracker?.stop();
    await prover?.close();
    ledger.close();
    throw error;
  }
  settlement.start();
  log.info('provider serving', { url: server.url, address: connection.account.address, models: served.size, zk: zkServed.map((m) => m.model.name).join(', ') });

  return {
    url: server.url,
    address: connection.account.address,
    models: [...served.values()].map((m) => ({ name: m.model.name, modelId: m.modelId, price: m.price })),
    redeemNow: () => settlement.redeem(true),
    rotateSealingKey: () => rotateSealingKey(connection, deployment, sealingKeys, log),
    escrowTracker,
    async stop() {
      draining = true;
      await server.close();
      await escrowTracker?.stop();
      await settlement.stop();
      await disputes.stop();
      await settlement.redeem(true);
      await prover?.close();
      ledger.close();
      log.info('provider stopped');
    },
  };
}

async function chooseModel(options: ProviderNodeOptions, choice: ServedModelChoice, packages: PackageSources): Promise<{ model: CatalogModel; modelId: Hex }> {
  const { connection, deployment } = options;
  if ('modelId' in choice) return loadPublishedModel(connection, deployment, choice.modelId, packages);
  if ('cid' in choice) return loadModelByCid(connection, deployment, parseCid(choice.cid), packages, options.trust);
  const model = loadModel(choice.name, options.modelsDir);
  return { model, modelId: await resolveModel(connection, deployment, model, options.trust) };
}
