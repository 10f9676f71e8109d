// The whole local network behind `npm start`: the embedded chain with the contracts,
// the default models published, three providers with different prices, a gateway and
// a funded client, all on 127.0.0.1. Every part keeps its state under one data folder,
// so a second start resumes: chain state, receipts and unredeemed vouchers.
import { join } from 'node:path';
import type { Address, Hex, LocalAccount } from 'viem';
import { accountOfKey } from '../protocol/signatures.ts';
import { connect, connectDevSigner } from '../chain/connect.ts';
import { devAccount } from '../chain/dev-accounts.ts';
import type { LocalChain } from '../chain/local-chain.ts';
import { DISAGREEMENTS_FILE, startGateway } from '../gateway/server.ts';
import type { Logger } from '../log.ts';
import { startProviderNode, type ProviderNode } from '../provider/node.ts';
import type { SettlementOptions } from '../provider/settlement.ts';
import { DISAGREEMENT_INPUTS_FILE } from '../verify/disagreement-inputs.ts';
import { startWatcher, type Watcher } from '../verify/watcher.ts';
import { LocalFacilitator } from '../x402/facilitator.ts';
import { HTTPFacilitatorClient, type FacilitatorClient } from '@x402/core/server';
import type { ProcessNetwork } from './process-network.ts';
import { localRoles } from './roles.ts';
import { announceNetwork, DEFAULT_FAULT_RATE, FAULTY_PRICE, localSettlement, prepareChain, PROVIDER_STAKE, providerPrices, startDashboard } from './setup.ts';

export { localRoles };
export type { NetworkFile } from './setup.ts';
export type { ProcessNetwork } from './process-network.ts';

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
  /** The same key as a hex private key, which a gateway in its own process needs (`processes`). */
  gatewayKey?: Hex;
  /** When providers redeem; tests hold redemption back to settle at a known moment. */
  settlement?: Partial<SettlementOptions>;
  /**
   * Also start a deliberately faulty provider (dev account 5, the cheapest, on port + 9 or a free port)
   * and a watcher inside the gateway (dev account 8) that catches it (docs/disputes.md).
   */
  faulty?: { rate?: number; seed?: number; watcherIntervalMs?: number; disputePollMs?: number };
  /** Settle x402 payments with this external facilitator (its base URL) instead of one in the process (dev account 7). */
  x402FacilitatorUrl?: string;
  /** How long the gateway waits for a provider's health answer (its default: 2 s). */
  healthTimeoutMs?: number;
  /** Also index the chain and serve the dashboard (docs/dashboard.md) on port + 10, or a free port. */
  dashboard?: boolean;
  /**
   * Run the gateway and each provider in its own process of the compiled CLI
   * (src/network/process-network.ts), as `trellis up` and the network benchmark do.
   * Without it everything but the chain runs in this process, which tests use to reach
   * the provider objects.
   */
  processes?: boolean;
  /** With `processes`: each log line of a role process, as it wrote it (to forward them). */
  onLogLine?: (line: string) => void;
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

export function startLocalNetwork(options: LocalNetworkOptions & { processes: true }): Promise<ProcessNetwork>;
export function startLocalNetwork(options: LocalNetworkOptions & { processes?: false }): Promise<LocalNetwork>;
export async function startLocalNetwork(options: LocalNetworkOptions): Promise<LocalNetwork | ProcessNetwork> {
  if (options.processes) return (await import('./process-network.ts')).startProcessNetwork(options);
  const step = options.onStep ?? (() => {});
  const portAt = (offset: number) => (options.port === 0 ? 0 : options.port + offset);
  // Stopped in reverse order of starting, which is the order of dependence: the
  // gateway first (no new requests), then the watcher and the providers (finish the
  // requests in flight, redeem their vouchers), and the chain they all write to last.
  const stops: { name: string; stop: () => Promise<void> }[] = [];
  const stopAll = async () => {
    for (const { name, stop } of stops.reverse()) {
      await stop().then(
        () => options.onStopped?.(name),
        (error: unknown) => options.log.warn('stop failed', { component: name, reason: String(error) }),
      );
    }
  };
  try {
    const { chain, modelNames: names } = await prepareChain({
      ...options,
      step,
      started: (started) => stops.push({ name: 'the chain (state saved)', stop: () => started.stop() }),
    });
    const signer = (index: number) => connectDevSigner(chain.rpcUrl, index, chain.deployment.chainId);

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
        settlement: { ...localSettlement, ...options.settlement },
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
        settlement: { ...localSettlement, ...options.settlement },
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
      healthTimeoutMs: options.healthTimeoutMs,
    });
    stops.push({ name: 'the gateway (no new requests)', stop: () => gateway.stop() });

    let dashboardUrl: string | undefined;
    if (options.dashboard) {
      const running = await startDashboard(chain, { dataDir: options.dataDir, port: portAt(10), log: options.log, gatewayUrl: gateway.url }, step);
      stops.push({ name: 'the indexer and the dashboard (index saved)', stop: () => running.stop() });
      dashboardUrl = running.url;
    }

    await announceNetwork(chain, options.dataDir, gateway.url, [...providers, ...(faultyProvider ? [faultyProvider] : [])], step);
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
