// Chain commands: `trellis up` runs the local network; `trellis deploy` deploys the
// contracts to any EVM endpoint with a key from the environment.
import type { Command } from 'commander';
import { formatUnits } from 'viem';
import { connectSigner } from '../../chain/connect.ts';
import { deployTrellis } from '../../chain/deploy.ts';
import { DEV_ACCOUNT_FUNDS, startLocalChain } from '../../chain/local-chain.ts';
import { checkManifestMatchesChain, readManifest, writeManifest } from '../../chain/manifest.ts';
import { TOKEN_DECIMALS, tokens } from '../../chain/parameters.ts';
import { PRIVATE_KEY_VARIABLE, readEnvironment } from '../../config.ts';
import { ChainError } from '../../chain/errors.ts';
import { progress } from '../progress.ts';
import { parseAmountOption, parseIntegerOption } from '../options.ts';

export function registerChainCommands(program: Command): void {
  program
    .command('up')
    .description('bring up the local network on 127.0.0.1 (chain state persists in the data folder)')
    .option('--data-dir <path>', 'where chain state and records live (default: $TRELLIS_DATA_DIR or .trellis)')
    .option('--port <port>', 'anvil JSON-RPC port', '8545')
    .option('--fresh', 'delete the data folder and start over')
    .action(async (options: { dataDir?: string; port: string; fresh?: boolean }) => {
      const env = readEnvironment();
      const chain = await startLocalChain({
        dataDir: options.dataDir ?? env.dataDir,
        port: parseIntegerOption('--port', options.port, 1, 65_535),
        fresh: options.fresh ?? false,
        onStep: progress(),
      });
      const { contracts } = chain.deployment;
      console.log(`\nTrellis local network ${chain.deployed ? 'deployed' : 'resumed'} (chain id ${chain.deployment.chainId})`);
      const row = (label: string, value: string) => console.log(`  ${label.padEnd(17)} ${value}`);
      row('RPC', chain.rpcUrl);
      row('manifest', chain.manifestPath);
      for (const [name, address] of Object.entries(contracts)) row(name, address);
      row('dev accounts', `${chain.accounts.length}, each funded with ${formatUnits(DEV_ACCOUNT_FUNDS, TOKEN_DECIMALS)} tUSD at deployment`);
      console.log('\nPress Ctrl-C to stop; the chain state is kept for the next start.');
      await untilSignal();
      process.stderr.write('trellis: stopping...\n');
      await chain.stop();
    });

  program
    .command('deploy')
    .description(`deploy the contracts to an EVM JSON-RPC endpoint; the key comes from $${PRIVATE_KEY_VARIABLE}`)
    .requiredOption('--rpc-url <url>', 'JSON-RPC endpoint (or $TRELLIS_RPC_URL)', readEnvironment().rpcUrl)
    .option('--chain-id <id>', 'refuse to deploy unless the endpoint reports this chain id')
    .option('--manifest <path>', 'where to write the deployment manifest', 'deployment.json')
    .option('--initial-supply <tokens>', 'payment tokens minted to the deployer', '0')
    .option('--faucet', 'enable the token faucet (only for test networks)')
    .action(async (options: { rpcUrl: string; chainId?: string; manifest: string; initialSupply: string; faucet?: boolean }) => {
      const step = progress();
      const existing = readManifest(options.manifest);
      if (existing) {
        throw new ChainError('MANIFEST_INVALID', `A deployment manifest already exists at ${options.manifest}.`, {
          details: [`it names chain ${existing.chainId}; choose another --manifest path to deploy again`],
        });
      }
      const expectedChainId = options.chainId === undefined ? undefined : parseIntegerOption('--chain-id', options.chainId, 1, Number.MAX_SAFE_INTEGER);
      step(`connecting to ${options.rpcUrl}`);
      const connection = await connectSigner({ rpcUrl: options.rpcUrl, expectedChainId, privateKey: readEnvironment().privateKey, keySource: PRIVATE_KEY_VARIABLE });
      const deployment = await deployTrellis(connection, {
        faucetChainId: options.faucet ? BigInt(connection.chain.id) : 0n,
        initialSupply: tokens(parseAmountOption('--initial-supply', options.initialSupply, TOKEN_DECIMALS)),
        onStep: step,
      });
      await checkManifestMatchesChain(options.manifest, deployment, connection.publicClient);
      writeManifest(options.manifest, deployment);
      console.log(JSON.stringify(deployment, null, 2));
    });
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}
