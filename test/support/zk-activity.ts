// A zk request through the SDK on the dashboard's chain, as it happens on a real network:
// breast-cancer-mlp published and its committed verifier registered with the Poseidon
// weight commitment, a provider holding its proving key, a gateway routing the request to
// it, and a client asking for verification zk, which verifies the proof before it pays.
// The gateway's request log is what the indexer then follows (src/indexer/gateway-follower.ts).
import { getAddress, type Address, type Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { connect } from '../../src/chain/connect.ts';
import { tokens } from '../../src/chain/parameters.ts';
import { startGateway, type Gateway } from '../../src/gateway/server.ts';
import { silentLogger } from '../../src/log.ts';
import { loadModel } from '../../src/models/catalog.ts';
import { startProviderNode, type ProviderNode } from '../../src/provider/node.ts';
import { publishModel } from '../../src/sdk/accounts.ts';
import { TrellisClient } from '../../src/sdk/client.ts';
import { deployBreastCancerMlpVerifier, registerZkVerifier } from '../../src/zk/chain.ts';
import { poseidonWeightCommitment } from '../../src/zk/commitment.ts';
import { type DisputeAutomationNetwork, until } from './dispute-automation.ts';

export const ZK_MODEL = 'breast-cancer-mlp';
// The first row of examples/breast-cancer.csv: a raw patient record.
const RECORD = [
  17.99, 10.38, 122.8, 1001, 0.1184, 0.2776, 0.3001, 0.1471, 0.2419, 0.07871, 1.095, 0.9053, 8.589, 153.4, 0.006399, 0.04904, 0.05373, 0.01587, 0.03003,
  0.006193, 25.38, 17.33, 184.6, 2019, 0.1622, 0.6656, 0.7119, 0.2654, 0.4601, 0.1189,
];

export type ZkActivity = {
  modelId: Hex;
  verifier: Address;
  commitment: bigint;
  provider: Address;
  /** The zk request's hash, as the gateway logged it. */
  requestHash: Hex;
  gatewayUrl: string;
  /** Stops the gateway, once the indexer read its log. */
  stopGateway(): Promise<void>;
  /** Stops the gateway and the proving provider, which then redeems its voucher: after the index is closed. */
  stop(): Promise<void>;
};

export async function zkActivity(net: DisputeAutomationNetwork, accounts: { owner: number; provider: number; client: number }): Promise<ZkActivity> {
  const { deployment } = net.chain;
  const zk = deployment.zk?.zkRegistry;
  if (!zk) throw new Error('the deployment has no zk registry');
  const model = loadModel(ZK_MODEL);
  const owner = await net.signer(accounts.owner);
  const trust = { publisher: owner.account.address };
  const modelId = await publishModel(owner, deployment, {
    contentHash: model.contentHash,
    weightCommitment: model.weightCommitment,
    shape: model.shape,
    metadataURI: model.metadataURI,
    royaltyBps: 0,
  });
  const verifier = getAddress(await deployBreastCancerMlpVerifier(owner));
  const commitment = poseidonWeightCommitment(model.engine.artifact);
  await registerZkVerifier(owner, zk, modelId, verifier, commitment);

  let node: ProviderNode | undefined;
  let gateway: Gateway | undefined;
  let gatewayStopped: Promise<void> | undefined;
  const stopGateway = () => {
    gatewayStopped ??= gateway?.stop() ?? Promise.resolve();
    return gatewayStopped;
  };
  const stop = async () => {
    await stopGateway();
    await node?.stop();
  };
  try {
    node = await startProviderNode({
      connection: await net.signer(accounts.provider),
      deployment,
      dataDir: `${net.dataDir}/zk-provider`,
      models: [{ name: ZK_MODEL, price: tokens('0.01') }],
      trust,
      port: 0,
      stake: tokens('500'),
      // Redeemed only when told: the dashboard's payments stay the ones its tests expect.
      settlement: { batchSize: 1_000_000, maxAgeMs: 3_600_000 },
      log: silentLogger,
    });
    gateway = await startGateway({
      connection: await connect({ rpcUrl: net.chain.rpcUrl, expectedChainId: deployment.chainId }),
      account: privateKeyToAccount(generatePrivateKey()),
      deployment,
      dataDir: `${net.dataDir}/gateway`,
      port: 0,
      pollIntervalMs: 100,
      healthIntervalMs: 200,
      log: silentLogger,
    });
    const provider = node.address;
    const gatewayUrl = gateway.url;
    // The gateway routes zk only to a provider whose health says it proves the model.
    await until('the gateway to see the proving provider', async () => {
      const body = (await (await fetch(`${gatewayUrl}/v1/providers`)).json()) as { providers: { address: string; healthy: boolean }[] };
      return body.providers.some((p) => p.address === provider && p.healthy);
    });
    const client = new TrellisClient({ connection: await net.signer(accounts.client), deployment, gatewayUrl, dataDir: `${net.dataDir}/zk-client`, trust });
    try {
      const result = await client.infer({ model: ZK_MODEL, input: RECORD, verification: 'zk' });
      if (!result.zk) throw new Error('the zk answer came without its proof');
      return { modelId, verifier, commitment, provider, requestHash: result.receipts[0]!.receipt.requestHash, gatewayUrl, stopGateway, stop };
    } finally {
      client.close();
    }
  } catch (error) {
    await stop();
    throw error;
  }
}
