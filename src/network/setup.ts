// What every local network does around its servers, whether they run in one process or
// one per role: the chain with the default models published and the zk verifier
// registered before any server starts, and once they answer, the dev client's deposit
// and network.json, which `trellis` commands read to find the network.
import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Address } from 'viem';
import { connectDevSigner, type SignerConnection } from '../chain/connect.ts';
import { startLocalChain, type LocalChain } from '../chain/local-chain.ts';
import { writeManifest } from '../chain/manifest.ts';
import { tokens } from '../chain/parameters.ts';
import { listModelNames, loadModel } from '../models/catalog.ts';
import { isPublishedBy, modelIdOf } from '../models/registry.ts';
import { balances, deposit, publishModel } from '../sdk/accounts.ts';
import { deployBreastCancerMlpVerifier, registeredVerifier, registerZkVerifier } from '../zk/chain.ts';
import { poseidonWeightCommitment } from '../zk/commitment.ts';
import type { Logger } from '../log.ts';
import { localRoles } from './roles.ts';

/** Three providers with different prices per request, in token base units (6 decimals). */
export const providerPrices = [tokens('0.010'), tokens('0.012'), tokens('0.015')];
export const PROVIDER_STAKE = tokens('500');
/** The faulty provider undercuts the others, so that routing sends it traffic. */
export const FAULTY_PRICE = tokens('0.008');
export const DEFAULT_FAULT_RATE = 0.5;
/** Providers of `trellis up` redeem after 20 channels or 15 s, unless told otherwise. */
export const localSettlement = { batchSize: 20, maxAgeMs: 15_000 };
const ROYALTY_BPS = 500; // 5 % to the model owner
const CLIENT_DEPOSIT = tokens('100');

/** What `trellis` commands read to find the running local network. */
export type NetworkFile = { rpcUrl: string; gatewayUrl: string; manifest: string; providers: { address: string; url: string }[] };

export type PreparedChain = { chain: LocalChain; modelNames: string[] };

/** Starts (or resumes) the chain and publishes what the servers need; the caller stops the chain. */
export async function prepareChain(options: {
  dataDir: string;
  port: number;
  fresh?: boolean;
  adoptChain?: boolean;
  step: (what: string) => void;
  /** Receives the chain as soon as it runs, so that a failure further on still stops it. */
  started: (chain: LocalChain) => void;
}): Promise<PreparedChain> {
  const started = await startLocalChain({
    dataDir: options.dataDir,
    port: options.port,
    fresh: options.fresh,
    adoptChain: options.adoptChain,
    onStep: options.step,
  });
  options.started(started);
  const owner = await connectDevSigner(started.rpcUrl, localRoles.modelOwner, started.deployment.chainId);
  options.step('publishing the default models');
  const modelNames = listModelNames();
  for (const name of modelNames) await ensurePublished(owner, started, name);
  const chain = recordModelPublisher(started, owner.account.address);
  await ensureZkVerifier(owner, chain, options.step);
  return { chain, modelNames };
}

/** The indexer and the dashboard (docs/dashboard.md), in the process that runs the network, in either mode. */
export async function startDashboard(
  chain: LocalChain,
  options: { dataDir: string; port: number; log: Logger; gatewayUrl: string },
  step: (what: string) => void,
): Promise<{ url: string; stop(): Promise<void> }> {
  step('starting the indexer and the dashboard');
  const { startNetworkDashboard } = await import('../indexer/network-dashboard.ts');
  return startNetworkDashboard({ rpcUrl: chain.rpcUrl, deployment: chain.deployment, host: '127.0.0.1', ...options });
}

/** Deposits for the dev client on a new network, and writes network.json. */
export async function announceNetwork(
  chain: LocalChain,
  dataDir: string,
  gatewayUrl: string,
  providers: readonly { address: string; url: string }[],
  step: (what: string) => void,
): Promise<void> {
  const client = await connectDevSigner(chain.rpcUrl, localRoles.client, chain.deployment.chainId);
  if ((await balances(client, chain.deployment, client.account.address)).escrow === 0n) {
    step('depositing into escrow for the dev client');
    await deposit(client, chain.deployment, CLIENT_DEPOSIT);
  }
  const file: NetworkFile = {
    rpcUrl: chain.rpcUrl,
    gatewayUrl,
    // Relative to the data folder, so commands run from any directory find it.
    manifest: relative(dataDir, chain.manifestPath),
    providers: providers.map((p) => ({ address: p.address, url: p.url })),
  };
  writeFileSync(join(dataDir, 'network.json'), `${JSON.stringify(file, null, 2)}\n`);
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
