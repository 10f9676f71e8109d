// `trellis deploy`: deploys the contracts to any EVM endpoint with a key from the
// environment and writes the deployment manifest.
import type { Command } from 'commander';
import type { Address } from 'viem';
import { PRIVATE_KEY_VARIABLE, readEnvironment } from '../../config.ts';
import { ChainError } from '../../chain/errors.ts';
import { progress } from '../progress.ts';

export function registerChainCommands(program: Command): void {
  program
    .command('deploy')
    .description(`deploy the contracts to an EVM JSON-RPC endpoint; the key comes from $${PRIVATE_KEY_VARIABLE}`)
    .requiredOption('--rpc-url <url>', 'JSON-RPC endpoint (or $TRELLIS_RPC_URL)', readEnvironment().rpcUrl)
    .option('--chain-id <id>', 'refuse to deploy unless the endpoint reports this chain id')
    .option('--manifest <path>', 'where to write the deployment manifest', 'deployment.json')
    .option('--initial-supply <tokens>', 'payment tokens minted to the deployer', '0')
    .option('--faucet', 'enable the token faucet (only for test networks)')
    .option('--timelock-delay <seconds>', 'delay of the governance timelock that owns the parameters (default: 3600; production: 172800 or more)')
    .option('--governor <address>', 'account (e.g. a multisig) that proposes and executes governance operations instead of the deployer')
    .option('--model-publisher <address>', 'record this account in the manifest as the publisher whose models clients and providers trust by default')
    .action(
      async (options: {
        rpcUrl: string;
        chainId?: string;
        manifest: string;
        initialSupply: string;
        faucet?: boolean;
        timelockDelay?: string;
        governor?: string;
        modelPublisher?: string;
      }) => {
        const { readManifest, checkManifestMatchesChain, writeManifest } = await import('../../chain/manifest.ts');
        const { parseIntegerOption, parseAddressOption } = await import('../options.ts');
        const { defaultGovernanceParameters } = await import('../../chain/parameters.ts');
        const { connectSigner } = await import('../../chain/connect.ts');
        const { parseTokens } = await import('../amounts.ts');
        const step = progress();
        const existing = readManifest(options.manifest);
        if (existing) {
          throw new ChainError('MANIFEST_INVALID', `A deployment manifest already exists at ${options.manifest}.`, {
            details: [`it names chain ${existing.chainId}; choose another --manifest path to deploy again`],
          });
        }
        const minDelay = BigInt(parseIntegerOption('--timelock-delay', options.timelockDelay ?? String(defaultGovernanceParameters.minDelay), 0, 365 * 86_400));
        const governors: Address[] | undefined = options.governor === undefined ? undefined : [parseAddressOption('--governor', options.governor)];
        const modelPublisher = options.modelPublisher === undefined ? undefined : parseAddressOption('--model-publisher', options.modelPublisher);
        const expectedChainId = options.chainId === undefined ? undefined : parseIntegerOption('--chain-id', options.chainId, 1, Number.MAX_SAFE_INTEGER);
        step(`connecting to ${options.rpcUrl}`);
        const connection = await connectSigner({
          rpcUrl: options.rpcUrl,
          expectedChainId,
          privateKey: readEnvironment().privateKey,
          keySource: PRIVATE_KEY_VARIABLE,
        });
        const { deployTrellis } = await import('../../chain/deploy.ts');
        const deployed = await deployTrellis(connection, {
          faucetChainId: options.faucet ? BigInt(connection.chain.id) : 0n,
          initialSupply: parseTokens('--initial-supply', options.initialSupply),
          governance: { minDelay, proposers: governors },
          onStep: step,
        });
        const deployment = modelPublisher === undefined ? deployed : { ...deployed, modelPublisher };
        await checkManifestMatchesChain(options.manifest, deployment, connection.publicClient);
        writeManifest(options.manifest, deployment);
        console.log(JSON.stringify(deployment, null, 2));
      },
    );
}
