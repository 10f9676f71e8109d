// `trellis up` brings up the whole local network; `providers` and `models` list what
// the gateway knows from chain events.
import type { Command } from 'commander';
import { DEFAULT_DATA_DIR, GATEWAY_KEY_VARIABLE, readEnvironment, X402_FACILITATOR_URL_VARIABLE } from '../../config.ts';
import { localRoles } from '../../network/roles.ts';
import { recordDataDir } from '../data-dir.ts';
import { TrellisError } from '../../errors.ts';
import { listModels, listProviders, modelDisplayName } from '../../sdk/gateway.ts';
import { addNetworkOptions, readContext, type NetworkOptions, type ReadContext } from '../context.ts';
import { registerRoleCommand } from './role.ts';
import { parseRateOption } from './watch.ts';
import { progress } from '../progress.ts';
import { untilStopSignal } from '../stop-signal.ts';

export function registerNetworkCommands(program: Command): void {
  registerRoleCommand(program);
  program
    .command('up')
    .description(
      `bring up the local network on 127.0.0.1: chain, contracts, default models, three providers, a gateway (routing key: $${GATEWAY_KEY_VARIABLE}, or dev key ${localRoles.gateway})`,
    )
    .option('--data-dir <path>', 'where all state lives (default: $TRELLIS_DATA_DIR or .trellis)')
    .option(
      '--port <port>',
      'chain RPC port; the gateway uses port+5, providers port+6..port+8, the dashboard port+10 (0: free ports the system picks)',
      '8545',
    )
    .option('--fresh', 'delete the data folder and start over')
    .option('--adopt-chain', 'take over the anvil an earlier, killed run left running on this data folder (refused otherwise)')
    .option('--quiet', 'do not print the component logs')
    .option('--faulty', 'also start a deliberately faulty provider (port+9) and a watcher that catches it (docs/disputes.md)')
    .option('--fault-rate <rate>', 'with --faulty: share of requests the faulty provider answers wrongly, 0..1', '0.5')
    .action(
      async (options: { dataDir?: string; port: string; fresh?: boolean; adoptChain?: boolean; quiet?: boolean; faulty?: boolean; faultRate: string }) => {
        const { lineLogger } = await import('../../log.ts');
        const { parseIntegerOption } = await import('../options.ts');
        const dataDir = resolveUpDataDir(options.dataDir);
        const { startLocalNetwork } = await import('../../network/local-network.ts');
        const { gatewayKey, x402FacilitatorUrl } = readEnvironment();
        const { accountFromKey, parsePrivateKey } = await import('../../chain/connect.ts');
        const gatewayAccount = gatewayKey === undefined ? undefined : accountFromKey(gatewayKey, GATEWAY_KEY_VARIABLE);
        const writeLine = (line: string) => process.stderr.write(`${line}\n`);
        const log = options.quiet ? lineLogger(() => {}) : lineLogger(writeLine);
        // The gateway and each provider run in a process of their own; this one
        // supervises them, forwards their log lines and hosts the dashboard.
        const network = await startLocalNetwork({
          processes: true,
          onLogLine: options.quiet ? undefined : writeLine,
          gatewayKey: gatewayKey === undefined ? undefined : parsePrivateKey(gatewayKey, GATEWAY_KEY_VARIABLE),
          dataDir,
          port: parseIntegerOption('--port', options.port, 0, 65_525),
          fresh: options.fresh ?? false,
          adoptChain: options.adoptChain ?? false,
          log,
          onStep: progress(),
          onStopped: (component) => process.stderr.write(`trellis: stopped ${component}\n`),
          faulty: options.faulty ? { rate: parseRateOption('--fault-rate', options.faultRate) } : undefined,
          gatewayAccount,
          x402FacilitatorUrl,
          dashboard: true,
        });
        const { chain } = network;
        if (chain.adopted) console.log(`\ntook over the anvil left running by an earlier run (${chain.rpcUrl})`);
        console.log(`\nTrellis local network ${chain.deployed ? 'started' : 'resumed'} (chain id ${chain.deployment.chainId}, data in ${dataDir})`);
        const row = (label: string, value: string) => console.log(`  ${label.padEnd(18)} ${value}`);
        row('chain RPC', chain.rpcUrl);
        if (network.dashboardUrl) row('dashboard', `${network.dashboardUrl}  (index API: ${network.dashboardUrl}/openapi.json)`);
        row('gateway', `${network.gatewayUrl}  ${network.gatewayAddress}  (API: ${network.gatewayUrl}/openapi.json)`);
        for (const [i, p] of network.providers.entries()) row(`provider ${i + 1}`, `${p.url}  ${p.address}`);
        if (network.faultyProvider) row('FAULTY provider', `${network.faultyProvider.url}  ${network.faultyProvider.address}  (cheats on purpose)`);
        row(
          'x402 facilitator',
          network.x402Facilitator
            ? `${network.gatewayUrl}/x402  settles with ${network.x402Facilitator.address} (dev account 7)`
            : `${x402FacilitatorUrl} (${X402_FACILITATOR_URL_VARIABLE})`,
        );
        if (network.watcher) row('watcher', `${network.watcher.address}  (in the gateway process; watch its log lines)`);
        for (const [name, address] of Object.entries(chain.deployment.contracts)) row(name, address);
        recordDataDir(dataDir);
        console.log('\nTry, in another terminal:');
        for (const example of exampleCommands(dataDir)) console.log(`  ${example}`);
        if (dataDir !== DEFAULT_DATA_DIR)
          console.log(`  (from this folder, commands find ${dataDir} without --data-dir: ${DEFAULT_DATA_DIR}/data-dir points to it)`);
        console.log(`  curl -s ${network.gatewayUrl}/v1/providers`);
        console.log(`  curl -si -X POST ${network.gatewayUrl}/x402/v1/infer/<modelId> -d '{"input":[...]}'   (402: pay with any x402 client, README.md)`);
        console.log('\nPress Ctrl-C to stop; everything resumes on the next start.');
        const died = await Promise.race([untilStopSignal().then(() => undefined), network.failure]);
        if (died) {
          // The supervisor has stopped the rest already, in order; the error says which role and why.
          process.exitCode = 1;
          throw died;
        }
        process.stderr.write(
          'trellis: stopping in order: indexer and dashboard, gateway, providers (finishing requests, redeeming vouchers), then the chain...\n',
        );
        await network.stop();
      },
    );

  addNetworkOptions(
    program.command('providers').description('providers the gateway discovered on chain: prices, stake, health').option('--json', 'print JSON'),
  ).action(async (options: NetworkOptions & { json?: boolean }) => {
    const { formatTokens } = await import('../amounts.ts');
    const { formatDate, formatDuration } = await import('../../chain/human-units.ts');
    const context = await readContext(options);
    const gateway = gatewayOf(context);
    const [providers, models] = await Promise.all([listProviders(gateway), listModels(gateway)]);
    if (options.json) return console.log(JSON.stringify(providers, null, 2));
    const { providerStanding } = await import('../../sdk/provider-status.ts');
    const names = new Map(await Promise.all(models.map(async (m) => [m.modelId.toLowerCase(), await modelDisplayName(gateway, m.metadataURI)] as const)));
    for (const p of providers) {
      const standing = await providerStanding(context.connection, context.deployment, p.address);
      const prices = p.models.map((m) => `${names.get(m.modelId.toLowerCase()) ?? `${m.modelId.slice(0, 10)}…`} ${formatTokens(BigInt(m.price))}`).join(', ');
      console.log(`${p.address}  ${standingWord(p.healthy, standing)}  stake ${formatTokens(BigInt(p.activeStake))}  ${p.endpoint}`);
      console.log(`  prices per request: ${prices || 'none'}`);
      if (standing.slashes > 0)
        console.log(`  slashed ${standing.slashes} time(s), ${formatTokens(standing.slashed)} in all, for wrong answers proven on chain`);
      if (standing.jailed)
        console.log(
          `  jailed until ${formatDate(standing.jailedUntil)} (${formatDuration(standing.jailedUntil - standing.now)} left): the gateway sends it no requests`,
        );
      if (standing.openDisputes > 0n) console.log(`  ${standing.openDisputes} open dispute(s) against it`);
      if (!p.healthy && p.healthReason) console.log(`  unhealthy: ${p.healthReason}`);
    }
    console.log(`${providers.length} provider(s)`);
  });

  addNetworkOptions(program.command('models').description('models published on chain, with the providers serving them').option('--json', 'print JSON')).action(
    async (options: NetworkOptions & { json?: boolean }) => {
      const gateway = gatewayOf(await readContext(options));
      const models = await listModels(gateway);
      if (options.json) return console.log(JSON.stringify(models, null, 2));
      for (const m of models) {
        console.log(
          `${(await modelDisplayName(gateway, m.metadataURI)).padEnd(18)}  royalty ${m.royaltyBps / 100} % to ${m.owner}  served by ${m.providers.length} provider(s)`,
        );
        console.log(`  id ${m.modelId}`);
      }
      console.log(`${models.length} model(s)`);
    },
  );
}

/** `trellis up`'s folder: --data-dir, else $TRELLIS_DATA_DIR, else .trellis (never the pointer: starting is explicit). */
function resolveUpDataDir(option: string | undefined): string {
  return option ?? readEnvironment().dataDir;
}

/**
 * The commands `trellis up` suggests, exactly as they run from this folder. A data
 * folder other than the default is spelled out, so that they also work elsewhere.
 */
export function exampleCommands(dataDir: string): string[] {
  const flag = dataDir === DEFAULT_DATA_DIR || dataDir === `./${DEFAULT_DATA_DIR}` ? '' : ` --data-dir ${shellQuote(dataDir)}`;
  return [
    `npx trellis infer --model digits-mlp --image examples/digit-3.pgm${flag}`,
    `npx trellis infer --model breast-cancer-mlp --csv examples/breast-cancer.csv --verification redundant${flag}`,
    `npx trellis receipts${flag}`,
    `npx trellis balances${flag}`,
  ];
}

const shellQuote = (value: string) => (/^[\w./:@%+=-]+$/.test(value) ? value : `'${value.replaceAll("'", "'\\''")}'`);

/** Standing in one word: what a user needs before health, a jail from a lost dispute. */
function standingWord(healthy: boolean, standing: { jailed: boolean; slashes: number }): string {
  if (standing.jailed) return 'JAILED   ';
  if (standing.slashes > 0) return healthy ? 'slashed  ' : 'slashed, unhealthy';
  return healthy ? 'healthy  ' : 'unhealthy';
}

function gatewayOf(context: ReadContext): string {
  if (!context.gatewayUrl) throw new TrellisError('NO_ENDPOINT', 'No gateway known: start the local network (npm start) or pass --gateway.');
  return context.gatewayUrl;
}
