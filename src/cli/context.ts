// Where CLI commands find the network: the data folder's network.json (written by
// `trellis up`) and deployment manifest, overridden by options or the environment,
// and the key from TRELLIS_PRIVATE_KEY — or, on the local chain only, a dev account.
// The chain modules load when a context is read, not when a command file registers
// its options, so that `trellis --help` loads none of them.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Connection, SignerConnection } from '../chain/connect.ts';
import { ChainError } from '../chain/errors.ts';
import type { Deployment } from '../chain/manifest.ts';
import { DATA_DIR_VARIABLE, PRIVATE_KEY_VARIABLE, readEnvironment } from '../config.ts';
import { dataDirHint, resolveDataDir } from './data-dir.ts';
import type { NetworkFile } from '../network/local-network.ts';
import { localRoles } from '../network/roles.ts';

export type NetworkOptions = { dataDir?: string; rpcUrl?: string; manifest?: string; gateway?: string };

export type ReadContext = { connection: Connection; deployment: Deployment; gatewayUrl: string | undefined; dataDir: string };
export type SignerContext = ReadContext & { connection: SignerConnection };

export function addNetworkOptions<T extends { option(flags: string, description: string): T }>(command: T): T {
  return command
    .option('--data-dir <path>', 'the local network folder (default: $TRELLIS_DATA_DIR, else the folder the last `trellis up` here used, else .trellis)')
    .option('--rpc-url <url>', 'JSON-RPC endpoint (default: the local network, or $TRELLIS_RPC_URL)')
    .option('--manifest <path>', 'deployment manifest (default: <data-dir>/deployment.json)')
    .option('--gateway <url>', 'gateway URL (default: the local network gateway)');
}

export async function readContext(options: NetworkOptions): Promise<ReadContext> {
  const [{ connect }, { checkManifestMatchesChain, readManifest }] = await Promise.all([import('../chain/connect.ts'), import('../chain/manifest.ts')]);
  const env = readEnvironment();
  const { dataDir, source } = resolveDataDir(options.dataDir);
  const networkPath = join(dataDir, 'network.json');
  const network = existsSync(networkPath) ? (JSON.parse(readFileSync(networkPath, 'utf8')) as Partial<NetworkFile>) : {};
  const manifestPath = options.manifest ?? (network.manifest === undefined ? join(dataDir, 'deployment.json') : resolve(dataDir, network.manifest));
  const deployment = readManifest(manifestPath);
  if (!deployment) {
    const from = {
      option: 'from --data-dir',
      environment: `from $${DATA_DIR_VARIABLE}`,
      pointer: 'recorded by the last `trellis up` here',
      default: 'the default folder',
    }[source];
    throw new ChainError('MANIFEST_INVALID', `No deployment manifest at ${manifestPath}.`, {
      details: [`data folder: ${dataDir} (${from})`, `start the local network with \`npm start\`; if it runs elsewhere, ${dataDirHint}; or pass --manifest`],
    });
  }
  const rpcUrl = options.rpcUrl ?? env.rpcUrl ?? network.rpcUrl ?? 'http://127.0.0.1:8545';
  const connection = await connect({ rpcUrl, expectedChainId: deployment.chainId });
  await checkManifestMatchesChain(manifestPath, deployment, connection.publicClient);
  return { connection, deployment, gatewayUrl: options.gateway ?? network.gatewayUrl, dataDir };
}

/** What a dev account is on the local network, e.g. " (provider 1)", so that no one wonders whose money moved. */
function roleOf(index: number): string {
  if (index === localRoles.client) return ', the funded client';
  const provider = (localRoles.providers as readonly number[]).indexOf(index);
  if (provider >= 0) return `, provider ${provider + 1}`;
  if (index === localRoles.modelOwner) return ', the owner of the default models';
  if (index === localRoles.deployer) return ', the deployer and treasury';
  return '';
}

/** The signer: $TRELLIS_PRIVATE_KEY, or on the local chain dev account `devIndex`. */
export async function signerContext(options: NetworkOptions, devIndex: number): Promise<SignerContext> {
  const context = await readContext(options);
  const [{ connectSigner }, { devAccount }] = await Promise.all([import('../chain/connect.ts'), import('../chain/dev-accounts.ts')]);
  const env = readEnvironment();
  let key = env.privateKey;
  const { LOCAL_CHAIN_ID } = await import('../chain/local-chain.ts');
  if (key === undefined && context.deployment.chainId === LOCAL_CHAIN_ID) {
    key = devAccount(devIndex).privateKey;
    process.stderr.write(`trellis: no ${PRIVATE_KEY_VARIABLE} set; using local dev account ${devIndex}${roleOf(devIndex)} (${devAccount(devIndex).address})\n`);
  }
  const connection = await connectSigner({
    rpcUrl: context.connection.rpcUrl,
    expectedChainId: context.deployment.chainId,
    privateKey: key,
    keySource: PRIVATE_KEY_VARIABLE,
  });
  return { ...context, connection };
}
