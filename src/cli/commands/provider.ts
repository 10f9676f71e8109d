// Provider and model-owner commands: run a provider node from a config file, manage
// stake and earnings, import, publish and stake on a model and set its royalty.
import { registerModelStakeCommands } from './model-stake.ts';
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { Hex } from 'viem';
import { readEnvironment } from '../../config.ts';
import { TrellisError } from '../../errors.ts';
import type { ModelTrust } from '../../models/registry.ts';
import { localRoles } from '../../network/roles.ts';
import { addNetworkOptions, signerContext, type NetworkOptions } from '../context.ts';
import { progress } from '../progress.ts';
import { registerModelImportCommand } from './model-import.ts';
import { registerModelPublishCommand } from './model-publish.ts';
import { untilStopSignal } from '../stop-signal.ts';

/** The provider config file: which models at which price, where to listen, how much to stake. */
type ProviderConfig = {
  dataDir: string;
  port: number;
  publicUrl?: string;
  stake: string;
  /** Serve the publications of this account (default: the deployment's model publisher). */
  publisher?: string;
  /**
   * Each model by model id or package CID (fetched and verified), or by name from the
   * models folder; a name with a model id serves that publication of the local files.
   */
  models: { name?: string; price: string; modelId?: string; cid?: string }[];
  /** Trellis stores or IPFS gateways to fetch packages from (other providers, stores); the gateway is tried after them. */
  storeSources?: string[];
  /** Redeem when this many channels are due, or when the oldest voucher is this old. */
  settlement?: { batchSize?: number; maxAgeMs?: number };
  /**
   * The x402 facilitator that verifies and settles paid calls (POST /x402/v1/infer/<modelId>):
   * its base URL. Default: $TRELLIS_X402_FACILITATOR_URL, else the local gateway's /x402; none, no paid calls.
   */
  x402Facilitator?: string;
};

function readProviderConfig(file: string): ProviderConfig {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new TrellisError('INVALID_CONFIG', `${file} is not a readable JSON file.`, { cause });
  }
  const config = value as Partial<ProviderConfig>;
  const problem = (field: string, expected: string) =>
    new TrellisError('INVALID_CONFIG', `${file}: ${field}: expected ${expected}.`, {
      details: [`got ${JSON.stringify((config as Record<string, unknown>)[field.split(/[.[]/)[0]!])}`],
    });
  if (typeof config.dataDir !== 'string') throw problem('dataDir', 'a folder path');
  if (!Number.isInteger(config.port)) throw problem('port', 'an integer');
  if (typeof config.stake !== 'string') throw problem('stake', 'an amount in tUSD as a string, e.g. "500"');
  if (!Array.isArray(config.models) || config.models.length === 0) throw problem('models', 'a non-empty array of { "name", "price" }');
  const settlement = config.settlement as Record<string, unknown> | undefined;
  if (
    settlement !== undefined &&
    (typeof settlement !== 'object' ||
      ['batchSize', 'maxAgeMs'].some((k) => settlement[k] !== undefined && !(Number.isInteger(settlement[k]) && (settlement[k] as number) > 0)))
  ) {
    throw problem('settlement', '{ "batchSize"?: positive integer, "maxAgeMs"?: positive integer }');
  }
  config.models.forEach((m, i) => {
    const optional = (v: unknown) => v === undefined || typeof v === 'string';
    const named = [m?.name, m?.modelId, m?.cid].some((v) => typeof v === 'string');
    if (
      !named ||
      typeof m.price !== 'string' ||
      !optional(m.name) ||
      !optional(m.modelId) ||
      !optional(m.cid) ||
      (m.cid !== undefined && m.modelId !== undefined)
    )
      throw problem(`models[${i}]`, '{ "modelId": "0x…" } or { "cid": "bafy…" } or { "name": string }, with "price": "0.01"');
  });
  if (config.storeSources !== undefined && !(Array.isArray(config.storeSources) && config.storeSources.every((u) => typeof u === 'string')))
    throw problem('storeSources', 'an array of store or gateway URLs');
  if (config.publisher !== undefined && typeof config.publisher !== 'string') throw problem('publisher', 'an address');
  if (config.x402Facilitator !== undefined && typeof config.x402Facilitator !== 'string') throw problem('x402Facilitator', 'a URL');
  return config as ProviderConfig;
}

/** The config's publisher and model ids, the command line's --publisher first. */
async function providerTrust(config: ProviderConfig, publisher: string | undefined): Promise<ModelTrust> {
  const { parseModelIdOption, parseAddressOption } = await import('../options.ts');
  const chosen = publisher ?? config.publisher;
  const modelIds = Object.fromEntries(
    config.models.flatMap((m, i) => (m.modelId === undefined || m.name === undefined ? [] : [[m.name, parseModelIdOption(`models[${i}].modelId`, m.modelId)]])),
  );
  return {
    ...(chosen === undefined ? {} : { publisher: parseAddressOption(publisher === undefined ? 'publisher' : '--publisher', chosen) }),
    ...(Object.keys(modelIds).length === 0 ? {} : { modelIds }),
  };
}

// Loaded when a command runs, not when the CLI starts: it needs the contract bindings.
const accounts = () => import('../../sdk/accounts.ts');

/** The facilitator a provider settles paid calls with: the config's, the environment's, or the local gateway's. */
async function x402Facilitator(config: ProviderConfig, gatewayUrl: string | undefined) {
  const { parseUrlOption } = await import('../options.ts');
  const configured = config.x402Facilitator ?? readEnvironment().x402FacilitatorUrl;
  const url = configured !== undefined ? parseUrlOption('x402Facilitator', configured) : gatewayUrl && `${gatewayUrl.replace(/\/+$/, '')}/x402`;
  if (!url) return undefined;
  const { HTTPFacilitatorClient } = await import('@x402/core/server');
  return { facilitator: new HTTPFacilitatorClient({ url }) };
}

export function registerProviderCommands(program: Command): void {
  const provider = program.command('provider').description('run and manage a provider node');

  addNetworkOptions(
    provider
      .command('start')
      .description('run a provider node (registers and stakes when needed)')
      .requiredOption('--config <file.json>', 'provider config: { dataDir, port, stake, publisher?, storeSources?, models: [{ modelId | cid | name, price }] }')
      .option('--publisher <address>', "serve the models as published by this account (overrides the config; default: the deployment's model publisher)"),
  ).action(async (options: NetworkOptions & { config: string; publisher?: string }) => {
    const { parseTokens } = await import('../amounts.ts');
    const { parseModelIdOption, parseUrlOption } = await import('../options.ts');
    const { lineLogger } = await import('../../log.ts');
    const config = readProviderConfig(options.config);
    const trust = await providerTrust(config, options.publisher);
    const context = await signerContext(options, localRoles.providers[0]);
    progress()('starting the provider node');
    const { startProviderNode } = await import('../../provider/node.ts');
    const node = await startProviderNode({
      connection: context.connection,
      deployment: context.deployment,
      dataDir: config.dataDir,
      port: config.port,
      publicUrl: config.publicUrl,
      stake: parseTokens('stake', config.stake),
      models: config.models.map((m, i) => {
        const price = parseTokens(`models[${i}].price`, m.price);
        if (m.name !== undefined) return { name: m.name, price };
        if (m.cid !== undefined) return { cid: m.cid, price };
        return { modelId: parseModelIdOption(`models[${i}].modelId`, m.modelId!), price };
      }),
      // The gateway last: it fetches from providers, so the config's own stores come first.
      storeSources: [
        ...(config.storeSources ?? []).map((url, i) => parseUrlOption(`storeSources[${i}]`, url)),
        ...(context.gatewayUrl ? [context.gatewayUrl] : []),
      ].map((url) => ({ kind: 'gateway' as const, url })),
      trust,
      settlement: config.settlement,
      x402: await x402Facilitator(config, context.gatewayUrl),
      log: lineLogger((line) => process.stderr.write(`${line}\n`)),
    });
    console.log(`provider ${node.address} serving ${node.models.map((m) => m.name).join(', ')} at ${node.url}; Ctrl-C to stop`);
    await untilStopSignal();
    process.stderr.write('trellis: stopping (finishing requests in flight, redeeming vouchers)...\n');
    await node.stop();
  });

  const stakeAction = (
    name: string,
    description: string,
    done: string,
    run: (ctx: Awaited<ReturnType<typeof signerContext>>, value: bigint) => Promise<unknown>,
  ) =>
    addNetworkOptions(provider.command(`${name} <amount>`).description(description)).action(async (value: string, options: NetworkOptions) => {
      const { parseTokens, formatTokens } = await import('../amounts.ts');
      const context = await signerContext(options, localRoles.providers[0]);
      const amount = parseTokens('amount', value);
      await run(context, amount);
      console.log(`${done.replace('AMOUNT', formatTokens(amount))} for ${context.connection.account.address}`);
    });
  stakeAction('stake', 'add stake (tUSD)', 'added AMOUNT of stake', async (c, v) => (await accounts()).addStake(c.connection, c.deployment, v));
  stakeAction(
    'unbond',
    'start unbonding stake (tUSD); withdraw after the unbonding delay',
    'started unbonding AMOUNT; `trellis provider withdraw` takes it after the unbonding delay',
    async (c, v) => (await accounts()).startUnbonding(c.connection, c.deployment, v),
  );
  addNetworkOptions(
    provider
      .command('rotate-key')
      .description('publish a new sealing key (ProviderRegistry.setEncryptionKey); the previous one opens inputs for the grace only')
      .requiredOption('--config <file.json>', 'the provider config whose dataDir holds the key file (sealing-keys.json)'),
  ).action(async (options: NetworkOptions & { config: string }) => {
    const config = readProviderConfig(options.config);
    const context = await signerContext(options, localRoles.providers[0]);
    const [{ SealingKeys, DEFAULT_SEALING_KEY_GRACE_MS }, { rotateSealingKey }, { lineLogger }] = await Promise.all([
      import('../../provider/sealing-key.ts'),
      import('../../provider/registration.ts'),
      import('../../log.ts'),
    ]);
    // A running node reads the file again when a request names the new version.
    const keys = await SealingKeys.open(config.dataDir);
    const version = await rotateSealingKey(
      context.connection,
      context.deployment,
      keys,
      lineLogger((line) => process.stderr.write(`${line}\n`)),
    );
    console.log(
      `sealing key of ${context.connection.account.address} is now version ${version} (${keys.current.publicKey}); the previous one opens inputs for ${DEFAULT_SEALING_KEY_GRACE_MS / 1000} s more`,
    );
  });
  addNetworkOptions(provider.command('withdraw').description('withdraw stake whose unbonding delay has passed')).action(async (options: NetworkOptions) => {
    const context = await signerContext(options, localRoles.providers[0]);
    await (await accounts()).withdrawStake(context.connection, context.deployment);
    console.log(`withdrew the unbonded stake of ${context.connection.account.address} to its wallet`);
  });
  addNetworkOptions(
    program
      .command('claim')
      .description("move your earnings (provider share, royalties, fees) and dispute payouts to your wallet (local chain default: provider 1's dev account)"),
  ).action(async (options: NetworkOptions) => {
    const { formatTokens } = await import('../amounts.ts');
    const context = await signerContext(options, localRoles.providers[0]);
    const [{ claimEarnings, claimDisputePayouts }, { claimable, treasuryOf }] = await Promise.all([accounts(), import('../../sdk/account-status.ts')]);
    const account = context.connection.account.address;
    const due = await claimable(context.connection, context.deployment, account);
    console.log(`claiming for ${account}`);
    if (due.earnings > 0n) {
      await claimEarnings(context.connection, context.deployment);
      console.log(
        `  earnings         ${formatTokens(due.earnings)} moved from escrow to your wallet (provider share, royalties and fees of redeemed vouchers)`,
      );
    }
    if (due.disputePayouts > 0n) {
      await claimDisputePayouts(context.connection, context.deployment);
      console.log(`  dispute payouts  ${formatTokens(due.disputePayouts)} moved from the dispute game to your wallet (bonds back, rewards, refunds)`);
    }
    if (due.earnings === 0n && due.disputePayouts === 0n) {
      const treasury = await treasuryOf(context.connection, context.deployment);
      console.log('  nothing to claim: no earnings in escrow and no dispute payouts.');
      console.log('  earnings arrive when providers redeem vouchers: the provider share to the provider,');
      console.log(
        `  royalties to each model's owner${context.deployment.modelPublisher ? ` (the default models: ${context.deployment.modelPublisher})` : ''}, the protocol fee to the treasury (${treasury}).`,
      );
      console.log("  providers redeem in batches; `trellis balances ACCOUNT` shows any account's earnings.");
    } else {
      console.log(`claimed ${formatTokens(due.earnings + due.disputePayouts)} in all`);
    }
  });

  const model = program.command('model').description('import, publish, manage and stake on models');
  registerModelImportCommand(model);
  registerModelStakeCommands(model);
  registerModelPublishCommand(model);
  addNetworkOptions(model.command('royalty <modelId> <bps>').description("set a model's royalty in basis points")).action(
    async (modelId: string, bps: string, options: NetworkOptions) => {
      const { isHex } = await import('viem');
      const { parseIntegerOption } = await import('../options.ts');
      if (!isHex(modelId) || modelId.length !== 66) throw new TrellisError('INVALID_OPTION', `"${modelId}" is not a model id (0x and 64 hex digits).`);
      const context = await signerContext(options, localRoles.modelOwner);
      await (await accounts()).setRoyalty(context.connection, context.deployment, modelId as Hex, parseIntegerOption('bps', bps, 0, 10_000));
      console.log('royalty: set');
    },
  );
}
