// A local network for dispute tests and the dispute benchmark: anvil, a full deployment,
// a staked provider, the default models published, funded challengers, and helpers that
// produce a provider-signed receipt over an honest or a tampered trace.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestClient, http, keccak256, toHex, type Address, type Hex } from 'viem';
import { startAnvil } from '../../chain/anvil.ts';
import { connectDevSigner, type SignerConnection } from '../../chain/connect.ts';
import { deployTrellis } from '../../chain/deploy.ts';
import type { Deployment } from '../../chain/manifest.ts';
import { defaultDisputeParameters, defaultParameters, tokens } from '../../chain/parameters.ts';
import { trellisTokenAbi } from '../../chain/generated/TrellisToken.ts';
import { run, type Engine } from '../../engine/engine.ts';
import { buildTrace, type Trace } from '../../engine/trace.ts';
import { listModelNames, loadModel, type CatalogModel } from '../../models/catalog.ts';
import { signReceipt, verificationModes, type Receipt } from '../../protocol/messages.ts';
import { publishModel, registerProvider } from '../../sdk/accounts.ts';
import { writeContract } from '../../chain/write.ts';

export type DisputeNetwork = {
  rpcUrl: string;
  deployment: Deployment;
  deployer: SignerConnection;
  client: SignerConnection;
  provider: SignerConnection;
  /** A watcher (not the client) and a second provider (redundant mode). */
  watcher: SignerConnection;
  rival: SignerConnection;
  models: { model: CatalogModel; modelId: Hex }[];
  /** Moves the chain's clock forward and mines a block. */
  advance(seconds: bigint): Promise<void>;
  stop(): Promise<void>;
};

export const PROVIDER_STAKE = tokens('2000');
export const RECEIPT_FEE = tokens('0.5');

export async function startDisputeNetwork(port: number): Promise<DisputeNetwork> {
  const dir = mkdtempSync(join(tmpdir(), 'trellis-disputes-'));
  const anvil = await startAnvil({ stateDir: dir, port });
  const stop = async () => {
    await anvil.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const signer = (index: number) => connectDevSigner(anvil.rpcUrl, index);
    const [deployer, client, provider, owner, watcher, rival] = await Promise.all([0, 1, 2, 3, 4, 5].map(signer));
    const deployment = await deployTrellis(deployer!, {
      faucetChainId: 31337n,
      initialSupply: 0n,
      parameters: { ...defaultParameters, dispute: defaultDisputeParameters },
    });
    for (const who of [provider!, watcher!, rival!, client!]) {
      const hash = await writeContract(who, {
        address: deployment.contracts.token,
        abi: trellisTokenAbi,
        functionName: 'faucet',
        args: [who.account.address, tokens('5000')],
      });
      await who.publicClient.waitForTransactionReceipt({ hash });
    }
    await registerProvider(provider!, deployment, 'http://127.0.0.1:9000', PROVIDER_STAKE);
    await registerProvider(rival!, deployment, 'http://127.0.0.1:9001', PROVIDER_STAKE);
    const models = [];
    for (const name of listModelNames()) {
      const model = loadModel(name);
      const modelId = await publishModel(owner!, deployment, {
        contentHash: model.contentHash,
        weightCommitment: model.weightCommitment,
        shape: model.shape,
        metadataURI: model.metadataURI,
        royaltyBps: 0,
      });
      models.push({ model, modelId });
    }
    const testClient = createTestClient({ mode: 'anvil', transport: http(anvil.rpcUrl) });
    const advance = async (seconds: bigint) => {
      await testClient.increaseTime({ seconds: Number(seconds) });
      await testClient.mine({ blocks: 1 });
    };
    return {
      rpcUrl: anvil.rpcUrl,
      deployment,
      deployer: deployer!,
      client: client!,
      provider: provider!,
      watcher: watcher!,
      rival: rival!,
      models,
      advance,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** A deterministic input inside the model's declared range, from a small integer seed. */
export function sampleInput(engine: Engine, seed: number): number[] {
  const { min, max } = engine.artifact.input.range;
  return Array.from({ length: engine.inputSize }, (_, i) => min + (((seed * 7919 + i * 104729) % 1000) / 1000) * (max - min));
}

/** The honest trace of one input. */
export function honestTrace(engine: Engine, input: readonly number[]): Trace {
  return run(engine, input, { trace: true }).traces![0]!;
}

/** The same trace with one element of tensor `layer` changed by `delta` (kept in int16). */
export function tamperTrace(trace: Trace, layer: number, index: number, delta = 1): Trace {
  const tensors = trace.tensors.map((t) => Int32Array.from(t));
  const t = tensors[layer]!;
  const v = t[index]! + delta;
  t[index] = v > 32767 ? t[index]! - delta : v;
  return buildTrace(tensors);
}

/** A receipt over `trace`, signed by `provider` under the deployment's inference domain. */
export async function signedReceipt(
  net: Pick<DisputeNetwork, 'deployment' | 'client'>,
  provider: SignerConnection,
  modelId: Hex,
  trace: Trace,
  nonce: number,
): Promise<{ receipt: Receipt; signature: Hex }> {
  const receipt: Receipt = {
    requestHash: keccak256(toHex(`request-${nonce}`)),
    client: net.client.account.address,
    provider: provider.account.address,
    modelId,
    inputHash: trace.layerRoots[0]!,
    outputHash: trace.layerRoots[trace.layerRoots.length - 1]!,
    traceRoot: trace.root,
    fee: RECEIPT_FEE,
    channelTotal: RECEIPT_FEE,
    // The chain's clock, not the machine's: tests travel in time on anvil.
    issuedAt: (await net.client.publicClient.getBlock()).timestamp,
    verification: verificationModes.indexOf('optimistic'),
  };
  const signature = await signReceipt(provider.account, { chainId: net.deployment.chainId, escrow: net.deployment.contracts.escrow }, receipt);
  return { receipt, signature };
}

export async function tokenBalance(net: Pick<DisputeNetwork, 'deployment' | 'deployer'>, account: Address): Promise<bigint> {
  return net.deployer.publicClient.readContract({ address: net.deployment.contracts.token, abi: trellisTokenAbi, functionName: 'balanceOf', args: [account] });
}
