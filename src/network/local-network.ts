// The whole local network behind `npm start`: the embedded chain with the contracts,
// the default models published, three providers with different prices, a gateway and
// a funded client, all on 127.0.0.1. Every part keeps its state under one data folder,
// so a second start resumes: chain state, receipts and unredeemed vouchers.
import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Address, LocalAccount } from 'viem';
import { accountOfKey } from '../protocol/signatures.ts';
import { connect, connectDevSigner, type SignerConnection } from '../chain/connect.ts';
import { devAccount } from '../chain/dev-accounts.ts';
import { startLocalChain, type LocalChain } from '../chain/local-chain.ts';
import { writeManifest } from '../chain/manifest.ts';
import { tokens } from '../chain/parameters.ts';
import { DISAGREEMENTS_FILE, startGateway } from '../gateway/server.ts';
import type { Logger } from '../log.ts';
import { listModelNames, loadModel } from '../models/catalog.ts';
import { isPublishedBy, modelIdOf } from '../models/registry.ts';
import { startProviderNode, type ProviderNode } from '../provider/node.ts';
import type { SettlementOptions } from '../provider/settlement.ts';
import { balances, deposit, publishModel } from '../sdk/accounts.ts';
import { DISAGREEMENT_INPUTS_FILE } from '../verify/disagreement-inputs.ts';
import { deployBreastCancerMlpVerifier, registeredVerifier, registerZkVerifier } from '../zk/chain.ts';
import { poseidonWeightCommitment } from '../zk/commitment.ts';
import { startWatcher, type Watcher } from '../verify/watcher.ts';
import { LocalFacilitator } from '../x402/facilitator.ts';
import { HTTPFacilitatorClient, type FacilitatorClient } from '@x402/core/server';

import { localRoles } from './roles.ts';

export { localRoles };

/** Three providers with different prices per request, in token base units (6 decimals). */
const providerPrices = [tokens('0.010'), tokens('0.012'), tokens('0.015')];
const PROVIDER_STAKE = tokens('500');
/** The faulty provider undercuts the others, so that routing sends it traffic. */
const FAULTY_PRICE = tokens('0.008');
const DEFAULT_FAULT_RATE = 0.5;
const ROYALTY_BPS = 500; // 5 % to the model owner
const CLIENT_DEPOSIT = tokens('100');

/** The gateway's routing key: it signs assignments off chain and holds no funds. */
export const localGatewayAccount = accountOfKey(devAccount(localRoles.gateway).privateKey);

export type LocalNetworkOptions = {
  dataDir: string;
  /**
   * The chain listens here; the gateway on port + 5, providers on port + 6, + 7, + 8
   * (the documented layout of `trellis up`). With 0, every part binds a free port of
   * the system's choosing and reports it: what tests use, so that no two runs race
   * for a port.
   */
  port: number;
  fresh?: boolean;
  /** Take over the chain of an earlier run whose anvil outlived it (see src/chain/anvil-ownership.ts). */
  adoptChain?: boolean;
  log: Logger;
  onStep?: (step: string) => void;
  /** Called once per component as the network stops, in the order they stop. */
  onStopped?: (component: string) => void;
  /** The gateway's routing key (default: localGatewayAccount). */
  gatewayAccount?: LocalAccount;
  /** When providers redeem; tests hold redemption back to settle at a known moment. */
  settlement?: Partial<SettlementOptions>;
  /**
   * Also start a deliberately faulty provider (dev account 5, the cheapest, on port + 9 or a free port)
   * and a watcher inside the gateway (dev account 8) that catches it (docs/disputes.md).
   */
  faulty?: { rate?: number; seed?: number; watcherIntervalMs?: number; disputePollMs?: number };
  /** Settle x402 payments with this external facilitator (its base URL) instead of one in the process (dev account 7). */
  x402FacilitatorUrl?: string;
  /** Also index the chain and serve the dashboard (docs/dashboard.md) on port + 10, or a free port. */
  dashboard?: boolean;
};

export type LocalNetwork = {
  chain: LocalChain;
  gatewayUrl: string;
  /** The gateway's routing address: the router its clients' requests name. */
  gatewayAddress: Address;
  providers: ProviderNode[];
  /** With `faulty`: the faulty provider and the gateway's watcher. */
  faultyProvider?: ProviderNode;
  watcher?: Watcher;
  /** Settles the providers' x402 payments and is served at the gateway's /x402; none with x402FacilitatorUrl. */
  x402Facilitator: LocalFacilitator | undefined;
  /** With `dashboard`: where the dashboard and the index API answer. */
  dashboardUrl?: string;
  stop(): Promise<void>;
};

/** What `trellis` commands read to find the running local network. */
export type NetworkFile = { rpcUrl: string; gatewayUrl: string; manifest: string; providers: { address: string; url: string }[] };

export async function startLocalNetwork(options: LocalNetworkOptions): Promise<LocalNetwork> {
  const step = options.onStep ?? (() => {});
  const portAt = (offset: number) => (options.port === 0 ? 0 : options.port + offset);
  const started = await startLocalChain({ dataDir: options.dataDir, port: options.port, fresh: options.fresh, adoptChain: options.adoptChain, onStep: step });
  let chain = started;
  // Stopped in reverse order of starting, which is the order of dependence: the
  // gateway first (no new requests), then the watcher and the providers (finish the
  // requests in flight, redeem their vouchers), and the chain they all write to last.
  const stops: { name: string; stop: () => Promise<void> }[] = [{ name: 'the chain (state saved)', stop: () => started.stop() }];
  const stopAll = async () => {
    for (const { name, stop } of stops.reverse()) {
      await stop().then(
        () => options.onStopped?.(name),
        (error: unknown) => options.log.warn('stop failed', { component: name, reason: String(error) }),
      );
    }
  };
  try {
    const signer = (index: number) => connectDevSigner(chain.rpcUrl, index, chain.deployment.chainId);
    const owner = await signer(localRoles.modelOwner);
    step('publishing the default models');
    const names = listModelNames();
    for (const name of names) await ensurePublished(owner, chain, name);
    chain = recordModelPublisher(chain, owner.account.address);
    await ensureZkVerifier(owner, chain, step);

    // One x402 facilitator for the whole local network, unless an external one is named:
    // the providers settle their paid calls through it, and the gateway serves it at /x402.
    let x402Facilitator: LocalFacilitator | undefined;
    let facilitator: FacilitatorClient;
    if (options.x402FacilitatorUrl === undefined) {
      const local = new LocalFacilitator({
        connection: await connect({ rpcUrl: chain.rpcUrl, expectedChainId: chain.deployment.chainId }),
        deployment: chain.deployment,
        privateKey: devAccount(localRoles.x402Facilitator).privateKey,
        dataDir: join(options.dataDir, 'facilitator'),
        log: options.log,
      });
      stops.push({ name: 'the x402 facilitator (nonce journal closed)', stop: async () => local.close() });
      x402Facilitator = local;
      facilitator = local;
    } else {
      facilitator = new HTTPFacilitatorClient({ url: options.x402FacilitatorUrl });
    }

    const providers: ProviderNode[] = [];
    for (const [i, index] of localRoles.providers.entries()) {
      step(`starting provider ${i + 1} of ${localRoles.providers.length}`);
      const node = await startProviderNode({
        connection: await signer(index),
        deployment: chain.deployment,
        dataDir: join(options.dataDir, 'providers', String(i + 1)),
        models: names.map((name) => ({ name, price: providerPrices[i]! })),
        port: portAt(6 + i),
        stake: PROVIDER_STAKE,
        settlement: { batchSize: 20, maxAgeMs: 15_000, ...options.settlement },
        disputePollMs: options.faulty?.disputePollMs,
        x402: { facilitator },
        log: options.log.child(`provider-${i + 1}`),
      });
      providers.push(node);
      stops.push({ name: `provider ${i + 1} (requests finished, vouchers redeemed)`, stop: () => node.stop() });
    }

    let faultyProvider: ProviderNode | undefined;
    let watcher: Watcher | undefined;
    if (options.faulty) {
      step('starting the faulty provider');
      const fault = { rate: options.faulty.rate ?? DEFAULT_FAULT_RATE, seed: options.faulty.seed ?? 1 };
      const node = await startProviderNode({
        connection: await signer(localRoles.faultyProvider),
        deployment: chain.deployment,
        dataDir: join(options.dataDir, 'providers', 'faulty'),
        models: names.map((name) => ({ name, price: FAULTY_PRICE })),
        port: portAt(9),
        stake: PROVIDER_STAKE,
        settlement: { batchSize: 20, maxAgeMs: 15_000, ...options.settlement },
        fault,
        disputePollMs: options.faulty.disputePollMs,
        log: options.log.child('provider-faulty'),
      });
      faultyProvider = node;
      stops.push({ name: 'the faulty provider', stop: () => node.stop() });
      step('starting the watcher');
      const running = startWatcher({
        connection: await signer(localRoles.watcher),
        deployment: chain.deployment,
        dataDir: join(options.dataDir, 'watcher'),
        sampleRate: 1,
        intervalMs: options.faulty.watcherIntervalMs,
        disagreements: { file: join(options.dataDir, 'gateway', DISAGREEMENTS_FILE), inputsFile: join(options.dataDir, 'gateway', DISAGREEMENT_INPUTS_FILE) },
        log: options.log.child('watcher'),
      });
      watcher = running;
      stops.push({ name: 'the watcher (disputes resume on the next start)', stop: () => running.stop() });
    }

    step('starting the gateway');
    // The gateway holds no funds: a read-only connection and its routing key are all it gets.
    const gatewayAccount = options.gatewayAccount ?? localGatewayAccount;
    const gateway = await startGateway({
      connection: await connect({ rpcUrl: chain.rpcUrl, expectedChainId: chain.deployment.chainId }),
      account: gatewayAccount,
      deployment: chain.deployment,
      dataDir: join(options.dataDir, 'gateway'),
      host: '127.0.0.1',
      port: portAt(5),
      log: options.log,
      onResult: watcher ? (result) => watcher.observe(result) : undefined,
      x402Facilitator,
    });
    stops.push({ name: 'the gateway (no new requests)', stop: () => gateway.stop() });

    let dashboardUrl: string | undefined;
    if (options.dashboard) {
      step('starting the indexer and the dashboard');
      const { startNetworkDashboard } = await import('../indexer/network-dashboard.ts');
      const running = await startNetworkDashboard({
        rpcUrl: chain.rpcUrl,
        deployment: chain.deployment,
        dataDir: options.dataDir,
        host: '127.0.0.1',
        port: portAt(10),
        log: options.log,
        gatewayUrl: gateway.url,
      });
      stops.push({ name: 'the indexer and the dashboard (index saved)', stop: () => running.stop() });
      dashboardUrl = running.url;
    }

    const client = await signer(localRoles.client);
    if ((await balances(client, chain.deployment, client.account.address)).escrow === 0n) {
      step('depositing into escrow for the dev client');
      await deposit(client, chain.deployment, CLIENT_DEPOSIT);
    }
    const file: NetworkFile = {
      rpcUrl: chain.rpcUrl,
      gatewayUrl: gateway.url,
      // Relative to the data folder, so commands run from any directory find it.
      manifest: relative(options.dataDir, chain.manifestPath),
      providers: [...providers, ...(faultyProvider ? [faultyProvider] : [])].map((p) => ({ address: p.address, url: p.url })),
    };
    writeFileSync(join(options.dataDir, 'network.json'), `${JSON.stringify(file, null, 2)}\n`);
    return {
      chain,
      gatewayUrl: gateway.url,
      gatewayAddress: gatewayAccount.address,
      providers,
      faultyProvider,
      watcher,
      x402Facilitator,
      dashboardUrl,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

async function ensurePublished(owner: SignerConnection, chain: LocalChain, name: string): Promise<void> {
  const model = loadModel(name);
  if (await isPublishedBy(owner, chain.deployment, owner.account.address, model.contentHash)) return;
  await publishModel(owner, chain.deployment, {
    contentHash: model.contentHash,
    weightCommitment: model.weightCommitment,
    shape: model.shape,
    metadataURI: model.metadataURI,
    royaltyBps: ROYALTY_BPS,
  });
}

/**
 * Registers the committed zk verifier of breast-cancer-mlp, the one default model with
 * zk keys (models/zk/), with its Poseidon weight commitment, so that `--verification zk`
 * works on a fresh network. The model's owner does it, as the registry requires.
 */
async function ensureZkVerifier(owner: SignerConnection, chain: LocalChain, step: (what: string) => void): Promise<void> {
  const zk = chain.deployment.zk;
  if (!zk) return;
  const model = loadModel('breast-cancer-mlp');
  const modelId = await modelIdOf(owner, chain.deployment, owner.account.address, model.contentHash);
  const commitment = poseidonWeightCommitment(model.engine.artifact);
  if ((await registeredVerifier(owner, zk.zkRegistry, modelId)).commitment === commitment) return;
  step('registering the zk verifier of breast-cancer-mlp');
  await registerZkVerifier(owner, zk.zkRegistry, modelId, await deployBreastCancerMlpVerifier(owner), commitment);
}

/**
 * Names the default models' owner in the manifest as the publisher every client and
 * provider of this deployment trusts by default; a manifest written before the field
 * existed gets it on its next start.
 */
function recordModelPublisher(chain: LocalChain, publisher: Address): LocalChain {
  if (chain.deployment.modelPublisher === publisher) return chain;
  const deployment = { ...chain.deployment, modelPublisher: publisher };
  writeManifest(chain.manifestPath, deployment);
  return { ...chain, deployment };
}
