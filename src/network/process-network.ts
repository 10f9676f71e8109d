// The local network with one process per role, as `trellis up` and the network
// benchmark run it: the chain (anvil, its own process), one process for the gateway
// with the watcher and the x402 facilitator it serves, one per provider, and in this
// process only the supervision, the indexer and the dashboard. The same ports, data
// folders and log lines as the in-process network (src/network/local-network.ts), so
// either resumes what the other left.
//
// The gateway starts first here: the providers settle their x402 calls through the
// facilitator it serves at /x402, so they need its URL; it discovers them from their
// registrations on chain, and is told to look again once they are all up.
import { join } from 'node:path';
import type { Address, Hex } from 'viem';
import { devAccount } from '../chain/dev-accounts.ts';
import type { LocalChain } from '../chain/local-chain.ts';
import { NetworkError } from './errors.ts';
import { accountOfKey } from '../protocol/signatures.ts';
import type { LocalNetworkOptions } from './local-network.ts';
import type { ChainAccess, ProviderRoleSpec, RoleKey } from './role-messages.ts';
import { localRoles } from './roles.ts';
import { announceNetwork, DEFAULT_FAULT_RATE, FAULTY_PRICE, localSettlement, prepareChain, PROVIDER_STAKE, providerPrices, startDashboard } from './setup.ts';
import { compiledCli, describeExit, type RoleExit, type RoleProcess, startRole } from './supervisor.ts';

/** A provider in its own process: what the in-process ProviderNode offers, through IPC. */
export type ProviderProcess = {
  name: string;
  pid: number;
  url: string;
  address: Address;
  statsUrl: string;
  models: readonly { name: string; modelId: Hex; price: bigint }[];
  /** Redeems every voucher it holds now, whatever the batch policy says. */
  redeemNow(): Promise<void>;
};

export type ProcessNetwork = {
  chain: LocalChain;
  gatewayUrl: string;
  gatewayAddress: Address;
  /** The gateway's process (it also runs the watcher and the x402 facilitator). */
  gateway: { name: string; pid: number; statsUrl: string; refresh(): Promise<void> };
  providers: ProviderProcess[];
  faultyProvider?: ProviderProcess;
  /** With `faulty`: the watcher, in the gateway's process. */
  watcher?: { address: Address };
  /** Served at the gateway's /x402; none with x402FacilitatorUrl. */
  x402Facilitator: { address: Address } | undefined;
  dashboardUrl?: string;
  /**
   * Settles if a role process exits on its own: by then the others are stopped, in
   * order, and the error names the role, how it ended and its last log lines.
   */
  failure: Promise<NetworkError>;
  /** Stops every part in the documented order; the same promise when called again. */
  stop(): Promise<void>;
};

export async function startProcessNetwork(options: LocalNetworkOptions): Promise<ProcessNetwork> {
  const step = options.onStep ?? (() => {});
  const portAt = (offset: number) => (options.port === 0 ? 0 : options.port + offset);
  const onStopped = options.onStopped ?? (() => {});
  let chain: LocalChain | undefined;
  let dashboard: { stop(): Promise<void> } | undefined;
  const roles: RoleProcess[] = [];
  const requested: string[] = [];
  let reportFailure: (error: NetworkError) => void = () => {};
  const failure = new Promise<NetworkError>((resolve) => {
    reportFailure = resolve;
  });

  // Stopped in the order of dependence: the dashboard, the gateway (no new requests),
  // the providers (requests finished, vouchers redeemed), the chain they write to last.
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      const warn = (component: string, error: unknown) => options.log.warn('stop failed', { component, reason: String(error) });
      if (dashboard)
        await dashboard.stop().then(
          () => onStopped('the indexer and the dashboard (index saved)'),
          (e: unknown) => warn('dashboard', e),
        );
      // The providers start together and come up in any order; they stop in the
      // reverse of the order they were asked for, after the gateway.
      const asked = (role: RoleProcess) => requested.indexOf(role.name);
      const providers = roles.filter((r) => r.role !== 'gateway').sort((a, b) => asked(b) - asked(a));
      const order = [...roles.filter((r) => r.role === 'gateway'), ...providers];
      for (const role of order) await role.stop(onStopped).catch((e: unknown) => warn(role.name, e));
      if (chain)
        await chain.stop().then(
          () => onStopped('the chain (state saved)'),
          (e: unknown) => warn('chain', e),
        );
    })();
    return stopping;
  };
  const onExit = (exit: RoleExit) => {
    if (stopping) return;
    const error = new NetworkError('ROLE_DIED', `${exit.role} stopped on its own (${describeExit(exit)}); the rest of the network is stopped.`, {
      details: [
        ...(exit.lastLines.length > 0 ? ['its last log lines:', ...exit.lastLines.map((line) => `  ${line}`)] : ['it logged nothing']),
        'everything is kept in the data folder: the next `trellis up` resumes',
      ],
    });
    options.log.error('role process died', { role: exit.role, code: exit.code ?? undefined, signal: exit.signal ?? undefined });
    void stop().then(() => reportFailure(error));
  };

  try {
    const cli = await compiledCli();
    const prepared = await prepareChain({
      ...options,
      step,
      started: (started) => {
        chain = started;
      },
    });
    const ready = prepared.chain;
    const access: ChainAccess = { rpcUrl: ready.rpcUrl, chainId: ready.deployment.chainId, manifestPath: ready.manifestPath };
    const start = (spec: Parameters<typeof startRole>[1]['spec']) => {
      requested.push(spec.name);
      return startRole(cli, { spec, onLogLine: options.onLogLine, onExit }).then(remember);
    };
    const remember = (role: RoleProcess) => {
      roles.push(role);
      // One that came up after the network began to stop (another died meanwhile) stops too.
      if (stopping) void role.stop(onStopped).catch(() => {});
      return role;
    };

    step('starting the gateway');
    const routingKey = routingKeyOf(options);
    const gateway = await start({
      role: 'gateway',
      name: 'the gateway',
      chain: access,
      routingKey,
      dataDir: options.dataDir,
      port: portAt(5),
      healthTimeoutMs: options.healthTimeoutMs,
      facilitatorKey: options.x402FacilitatorUrl === undefined ? devKey(localRoles.x402Facilitator) : undefined,
      watcher: options.faulty ? { key: devKey(localRoles.watcher), intervalMs: options.faulty.watcherIntervalMs } : undefined,
    });
    const facilitatorUrl = options.x402FacilitatorUrl ?? `${gateway.url}/x402`;

    const providerSpec = (i: number, fields: Pick<ProviderRoleSpec, 'name' | 'scope' | 'stoppedAs' | 'key' | 'dataDir'>, price: bigint) => ({
      role: 'provider' as const,
      ...fields,
      chain: access,
      models: prepared.modelNames.map((name) => ({ name, price: price.toString() })),
      port: portAt(i),
      stake: PROVIDER_STAKE.toString(),
      settlement: { ...localSettlement, ...options.settlement },
      disputePollMs: options.faulty?.disputePollMs,
    });
    // The providers have nothing to wait for from each other: they start together.
    const specs: Parameters<typeof startRole>[1]['spec'][] = localRoles.providers.map((index, i) => ({
      ...providerSpec(
        6 + i,
        {
          name: `provider ${i + 1}`,
          scope: `provider-${i + 1}`,
          stoppedAs: `provider ${i + 1} (requests finished, vouchers redeemed)`,
          key: devKey(index),
          dataDir: join(options.dataDir, 'providers', String(i + 1)),
        },
        providerPrices[i]!,
      ),
      x402FacilitatorUrl: facilitatorUrl,
    }));
    if (options.faulty) {
      const fields = {
        name: 'the faulty provider',
        scope: 'provider-faulty',
        stoppedAs: 'the faulty provider',
        key: devKey(localRoles.faultyProvider),
        dataDir: join(options.dataDir, 'providers', 'faulty'),
      };
      specs.push({ ...providerSpec(9, fields, FAULTY_PRICE), fault: { rate: options.faulty.rate ?? DEFAULT_FAULT_RATE, seed: options.faulty.seed ?? 1 } });
    }
    step(`starting ${localRoles.providers.length} providers${options.faulty ? ' and the faulty provider' : ''}`);
    const started = await Promise.allSettled(specs.map(start));
    const refused = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (refused) throw refused.reason;
    const all = started.map((s) => providerOf((s as PromiseFulfilledResult<RoleProcess>).value));
    const providers = all.slice(0, localRoles.providers.length);
    const faultyProvider = options.faulty ? all[localRoles.providers.length] : undefined;
    // The gateway started before them: it reads their registrations and checks their health now, not at its next round.
    await gateway.call('refresh');

    let dashboardUrl: string | undefined;
    if (options.dashboard) {
      const running = await startDashboard(ready, { dataDir: options.dataDir, port: portAt(10), log: options.log, gatewayUrl: gateway.url }, step);
      dashboard = running;
      dashboardUrl = running.url;
    }

    await announceNetwork(ready, options.dataDir, gateway.url, [...providers, ...(faultyProvider ? [faultyProvider] : [])], step);
    return {
      chain: ready,
      gatewayUrl: gateway.url,
      gatewayAddress: gateway.address,
      gateway: { name: gateway.name, pid: gateway.pid, statsUrl: gateway.statsUrl, refresh: () => gateway.call('refresh') },
      providers,
      faultyProvider,
      watcher: gateway.watcherAddress ? { address: gateway.watcherAddress } : undefined,
      x402Facilitator: gateway.facilitatorAddress ? { address: gateway.facilitatorAddress } : undefined,
      dashboardUrl,
      failure,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

const devKey = (index: number): RoleKey => ({ privateKey: devAccount(index).privateKey, source: `dev account ${index}` });

function providerOf(role: RoleProcess): ProviderProcess {
  return {
    name: role.name,
    pid: role.pid,
    url: role.url,
    address: role.address,
    statsUrl: role.statsUrl,
    models: role.models.map((m) => ({ name: m.name, modelId: m.modelId, price: BigInt(m.price) })),
    redeemNow: () => role.call('redeemNow'),
  };
}

/** The routing key the gateway process signs with: the one given, else dev key 10. */
function routingKeyOf(options: LocalNetworkOptions): Hex {
  if (options.gatewayKey === undefined) {
    if (options.gatewayAccount) {
      throw new NetworkError('ROLE_START_FAILED', 'A gateway in its own process needs its routing key, not only its account.', {
        details: ['pass gatewayKey (the account is derived from it)'],
      });
    }
    return devAccount(localRoles.gateway).privateKey;
  }
  const address = accountOfKey(options.gatewayKey).address;
  if (options.gatewayAccount && options.gatewayAccount.address !== address) {
    throw new NetworkError('ROLE_START_FAILED', 'gatewayKey is not the key of gatewayAccount.', {
      details: [`gatewayAccount: ${options.gatewayAccount.address}`, `gatewayKey's account: ${address}`],
    });
  }
  return options.gatewayKey;
}
