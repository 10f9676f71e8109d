// Inside a role process (`trellis role`, forked by src/network/supervisor.ts): waits for
// its spec from the parent, brings up its part of the local network, says it is ready
// with its URL, answers the parent's calls, and stops its parts in order when the
// parent says so, when it receives SIGTERM, or when the parent is gone (the IPC channel
// closes), so that nothing it owes is lost when the parent dies. Ctrl-C reaches every
// process of the terminal's group at once; a role ignores it and waits for the parent,
// which stops the roles in the documented order.
import { join } from 'node:path';
import type { Hex } from 'viem';
import { connect, connectSigner } from '../chain/connect.ts';
import { readManifest } from '../chain/manifest.ts';
import type { Deployment } from '../chain/manifest.ts';
import { lineLogger, type Logger } from '../log.ts';
import { accountOfKey } from '../protocol/signatures.ts';
import { NetworkError } from './errors.ts';
import type { ChainAccess, ChildMessage, GatewayRoleSpec, ParentMessage, ProviderRoleSpec, RoleCall, RoleKey, RoleReady, RoleSpec } from './role-messages.ts';
import { holdIdleConnections } from './idle-connections.ts';
import { startStatsServer } from './role-stats.ts';

type RunningRole = {
  ready: Omit<RoleReady, 'statsUrl'>;
  calls: Partial<Record<RoleCall, () => Promise<void>>>;
  /** Stops in order; each part named as the in-process network names it. */
  parts: { name: string; stop: () => Promise<void> }[];
};

/** Runs this process as a role until it is told to stop; never returns before. */
export async function runRoleProcess(): Promise<void> {
  const send = process.send?.bind(process);
  if (!send) {
    throw new NetworkError('ROLE_WITHOUT_PARENT', '`trellis role` runs only inside `trellis up`, which starts it.', {
      details: ['start the network with `trellis up` (or `npm start`)'],
    });
  }
  // Resolves once the message is handed to the channel, so that the last ones before
  // an exit are not lost; a parent that is gone hears nothing.
  const tell = (message: ChildMessage) =>
    new Promise<void>((resolve) => {
      if (!process.connected) return resolve();
      send(message, undefined, {}, () => resolve());
    });
  process.on('SIGINT', () => {});
  holdIdleConnections();
  const log = lineLogger((line) => process.stderr.write(`${line}\n`));
  const spec = await new Promise<RoleSpec>((resolve) => {
    const onMessage = (message: ParentMessage) => {
      if (message.type !== 'start') return;
      process.off('message', onMessage);
      resolve(message.spec);
    };
    process.on('message', onMessage);
  });

  let running: RunningRole | undefined;
  let closeStats: (() => Promise<void>) | undefined;
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      for (const part of running?.parts.slice().reverse() ?? []) {
        await part.stop().then(
          () => tell({ type: 'stopped', part: part.name }),
          (error: unknown) => log.warn('stop failed', { component: part.name, reason: String(error) }),
        );
      }
      await closeStats?.();
      process.exit(0);
    })();
    return stopping;
  };
  process.on('SIGTERM', () => void stop());
  process.on('disconnect', () => void stop());
  process.on('message', (message: ParentMessage) => {
    if (message.type === 'stop') void stop();
    if (message.type === 'call') {
      const call = running?.calls[message.call];
      const answer = (error?: unknown) => void tell({ type: 'answer', id: message.id, ...(error === undefined ? {} : { error: String(error) }) });
      if (!call) answer(`this role has no ${message.call}`);
      else call().then(() => answer(), answer);
    }
  });

  try {
    const stats = await startStatsServer(spec.name);
    closeStats = () => stats.close();
    running = spec.role === 'provider' ? await startProviderRole(spec, log) : await startGatewayRole(spec, log);
    await tell({ type: 'ready', ...running.ready, statsUrl: stats.url });
  } catch (error) {
    const { formatError } = await import('../cli/format-error.ts');
    await tell({ type: 'start-failed', message: formatError(error) });
    await stop();
  }
}

const signerOf = (chain: ChainAccess, key: RoleKey) =>
  connectSigner({ rpcUrl: chain.rpcUrl, expectedChainId: chain.chainId, privateKey: key.privateKey, keySource: key.source });

function deploymentOf(chain: ChainAccess): Deployment {
  const deployment = readManifest(chain.manifestPath);
  if (!deployment) {
    throw new NetworkError('ROLE_START_FAILED', 'The deployment manifest the network wrote is missing.', { details: [`path: ${chain.manifestPath}`] });
  }
  return deployment;
}

async function startProviderRole(spec: ProviderRoleSpec, log: Logger): Promise<RunningRole> {
  const { startProviderNode } = await import('../provider/node.ts');
  const { HTTPFacilitatorClient } = await import('@x402/core/server');
  const node = await startProviderNode({
    connection: await signerOf(spec.chain, spec.key),
    deployment: deploymentOf(spec.chain),
    dataDir: spec.dataDir,
    models: spec.models.map((m) => ({ name: m.name, price: BigInt(m.price) })),
    port: spec.port,
    stake: BigInt(spec.stake),
    settlement: spec.settlement,
    fault: spec.fault,
    disputePollMs: spec.disputePollMs,
    x402: spec.x402FacilitatorUrl === undefined ? undefined : { facilitator: new HTTPFacilitatorClient({ url: spec.x402FacilitatorUrl }) },
    log: log.child(spec.scope),
  });
  return {
    ready: { url: node.url, address: node.address, models: node.models.map((m) => ({ name: m.name, modelId: m.modelId, price: m.price.toString() })) },
    calls: { redeemNow: () => node.redeemNow() },
    parts: [{ name: spec.stoppedAs, stop: () => node.stop() }],
  };
}

/**
 * The gateway with what belongs beside it: the watcher, which observes the results the
 * gateway delivers through its onResult callback, and the x402 facilitator it serves at
 * /x402. Parts stop in reverse: the gateway first (no new requests), then the watcher
 * (its disputes resume on the next start), then the facilitator.
 */
async function startGatewayRole(spec: GatewayRoleSpec, log: Logger): Promise<RunningRole> {
  const { startGateway } = await import('../gateway/server.ts');
  const { DISAGREEMENTS_FILE } = await import('../gateway/server.ts');
  const { DISAGREEMENT_INPUTS_FILE } = await import('../verify/disagreement-inputs.ts');
  const deployment = deploymentOf(spec.chain);
  const readOnly = () => connect({ rpcUrl: spec.chain.rpcUrl, expectedChainId: spec.chain.chainId });
  const parts: RunningRole['parts'] = [];
  try {
    let facilitatorAddress: Hex | undefined;
    let facilitator: import('../x402/facilitator.ts').LocalFacilitator | undefined;
    if (spec.facilitatorKey !== undefined) {
      const { LocalFacilitator } = await import('../x402/facilitator.ts');
      const local = new LocalFacilitator({
        connection: await readOnly(),
        deployment,
        privateKey: spec.facilitatorKey.privateKey,
        dataDir: join(spec.dataDir, 'facilitator'),
        log,
      });
      parts.push({ name: 'the x402 facilitator (nonce journal closed)', stop: async () => local.close() });
      facilitator = local;
      facilitatorAddress = local.address;
    }
    let watcher: import('../verify/watcher.ts').Watcher | undefined;
    if (spec.watcher) {
      const { startWatcher } = await import('../verify/watcher.ts');
      const running = startWatcher({
        connection: await signerOf(spec.chain, spec.watcher.key),
        deployment,
        dataDir: join(spec.dataDir, 'watcher'),
        sampleRate: 1,
        intervalMs: spec.watcher.intervalMs,
        disagreements: { file: join(spec.dataDir, 'gateway', DISAGREEMENTS_FILE), inputsFile: join(spec.dataDir, 'gateway', DISAGREEMENT_INPUTS_FILE) },
        log: log.child('watcher'),
      });
      parts.push({ name: 'the watcher (disputes resume on the next start)', stop: () => running.stop() });
      watcher = running;
    }
    const account = accountOfKey(spec.routingKey);
    const gateway = await startGateway({
      connection: await readOnly(),
      account,
      deployment,
      dataDir: join(spec.dataDir, 'gateway'),
      host: '127.0.0.1',
      port: spec.port,
      log,
      onResult: watcher ? (result) => watcher.observe(result) : undefined,
      x402Facilitator: facilitator,
      healthTimeoutMs: spec.healthTimeoutMs,
    });
    parts.push({ name: 'the gateway (no new requests)', stop: () => gateway.stop() });
    return {
      ready: { url: gateway.url, address: account.address, models: [], watcherAddress: watcher?.address, facilitatorAddress },
      calls: { refresh: () => gateway.refresh() },
      parts,
    };
  } catch (error) {
    for (const part of parts.reverse()) await part.stop().catch(() => {});
    throw error;
  }
}
