// verification zk end to end on a real local network (anvil, gateway, providers): the
// client asks for zk, the gateway routes it to a provider holding the proving key, the
// provider proves in its prover process (a real Groth16 proof), the client verifies it
// locally against the committed key and the on-chain commitment before it pays, and
// records it on chain. A lying provider is refused before payment and then slashed, once;
// a proof of something else is refused; a model without a key finds no zk provider.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { BaseError, ContractFunctionRevertedError, type Hex } from 'viem';
import { providerRegistryAbi } from '../src/chain/generated/ProviderRegistry.ts';
import { quantizeInput } from '../src/engine/index.ts';
import { applyPreprocess } from '../src/train/preprocess.ts';
import { silentLogger } from '../src/log.ts';
import { loadModel } from '../src/models/catalog.ts';
import { startProviderNode, type ProviderNode } from '../src/provider/node.ts';
import { TrellisClient } from '../src/sdk/client.ts';
import { verifyZkResult, ZkProofRefusedError, type ZkEvidence } from '../src/sdk/zk.ts';
import { deployBreastCancerMlpVerifier, isVerifiedOnChain, registerZkVerifier } from '../src/zk/chain.ts';
import { poseidonWeightCommitment, tensorHash } from '../src/zk/commitment.ts';
import { postJson, signedBody, startTestNetwork, type TestNetwork } from './support/network.ts';

const MODEL = 'breast-cancer-mlp';
const model = loadModel(MODEL);
// The first row of examples/breast-cancer.csv: a raw patient record.
const row = [
  17.99, 10.38, 122.8, 1001, 0.1184, 0.2776, 0.3001, 0.1471, 0.2419, 0.07871, 1.095, 0.9053, 8.589, 153.4, 0.006399, 0.04904, 0.05373, 0.01587, 0.03003,
  0.006193, 25.38, 17.33, 184.6, 2019, 0.1622, 0.6656, 0.7119, 0.2654, 0.4601, 0.1189,
];
let network: TestNetwork;
let client: TrellisClient;
let liar: ProviderNode;

function revertName(error: unknown): string | undefined {
  if (!(error instanceof BaseError)) return undefined;
  const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError);
  return reverted instanceof ContractFunctionRevertedError ? reverted.data?.errorName : undefined;
}

before(async () => {
  network = await startTestNetwork();
  const { deployment } = network.chain;
  // The model's owner registers its verifier and Poseidon weight commitment.
  const owner = await network.signer(9);
  const modelId = network.providers[0]!.models.find((m) => m.name === MODEL)!.modelId;
  const verifier = await deployBreastCancerMlpVerifier(owner);
  await registerZkVerifier(owner, deployment.zk!.zkRegistry, modelId, verifier, poseidonWeightCommitment(model.engine.artifact));
  // A provider that lies on every zk request: a wrong output with a proof that fails.
  liar = await startProviderNode({
    connection: await network.signer(5),
    deployment,
    dataDir: join(network.dataDir, 'providers', 'liar'),
    models: [{ name: MODEL, price: 1_000n }],
    port: 0,
    stake: 500_000_000n,
    zkFault: 'tampered-proof',
    log: silentLogger,
  });
  client = new TrellisClient({ connection: await network.signer(1), deployment, gatewayUrl: network.gatewayUrl, dataDir: join(network.dataDir, 'client') });
});

after(async () => {
  client?.close();
  await liar?.stop();
  await network?.dispose();
});

let honestProof: { modelId: Hex; output: number[]; zk: NonNullable<Awaited<ReturnType<TrellisClient['infer']>>['zk']> } | undefined;

test('a zk request through the gateway is proved, verified before payment, paid and recorded on chain', async () => {
  const result = await client.infer({ model: MODEL, input: row, verification: 'zk' });
  assert.ok(result.zk, 'the answer carries its proof');
  const { receipt } = result.receipts[0]!;
  assert.equal(receipt.verification, 3);
  assert.ok(
    network.providers.some((p) => p.address === receipt.provider),
    'served by a provider of the network',
  );
  // Paid: a voucher for exactly the fee went to that provider.
  const paid = client.vouchers().filter((v) => v.voucher.provider === receipt.provider);
  assert.equal(paid.length, 1, 'one voucher for the provider');
  const tx = await client.recordZkOnChain(receipt.modelId, result.zk);
  assert.equal(tx.status, 'success');
  assert.equal(await isVerifiedOnChain(await network.signer(1), network.chain.deployment.zk!.zkRegistry, receipt.modelId, result.zk.publicSignals), true);
  const output = result.values.map((v) => Math.round(v * 2 ** model.engine.artifact.output.frac));
  honestProof = { modelId: receipt.modelId, output, zk: result.zk };
});

test('a lying provider is refused before payment, then slashed once', async () => {
  const stakeOf = async () =>
    (
      await (
        await network.signer(1)
      ).publicClient.readContract({
        address: network.chain.deployment.contracts.providerRegistry,
        abi: providerRegistryAbi,
        functionName: 'getProvider',
        args: [liar.address],
      })
    ).activeStake;
  const before = await stakeOf();
  let evidence: ZkEvidence | undefined;
  await assert.rejects(client.infer({ model: MODEL, input: row, verification: 'zk', providerUrl: liar.url }), (error: unknown) => {
    assert.ok(error instanceof ZkProofRefusedError, String(error));
    assert.ok(
      error.details.some((d) => d.startsWith('proof: does not verify')),
      error.message,
    );
    evidence = error.evidence;
    return true;
  });
  assert.ok(evidence, 'the refusal keeps the signed receipt and its proof');
  assert.equal(client.vouchers().filter((v) => v.voucher.provider === liar.address).length, 0, 'no voucher signed for a failed proof');
  assert.equal(client.receipts().filter((r) => r.receipt.provider === liar.address).length, 0, 'nothing kept as paid');

  const tx = await client.slashZkReceipt(evidence!);
  assert.equal(tx.status, 'success');
  assert.equal(await stakeOf(), before - 50_000_000n, 'slashed the dispute slash amount');
  await assert.rejects(client.slashZkReceipt(evidence!), (e) => revertName(e) === 'ZkSlashAlreadySlashed');
  assert.equal(await stakeOf(), before - 50_000_000n, 'slashed once');
});

test('a valid proof of something else is refused; a valid proof cannot be slashed', async () => {
  assert.ok(honestProof, 'the honest request ran');
  const { output, zk } = honestProof;
  const recordHash = tensorHash(quantizeInput(model.engine, applyPreprocess(model.preprocess, row), { batch: 1 }).data);
  const commitment = poseidonWeightCommitment(model.engine.artifact);
  // The insurer's view: record hash, model and decision suffice to accept the honest claim...
  await verifyZkResult({ model: MODEL, recordHash, output, commitment, zk });
  // ...and to refuse another decision with that proof, or that proof for another record.
  const otherDecision = [output[0]! + 1, ...output.slice(1)];
  await assert.rejects(verifyZkResult({ model: MODEL, recordHash, output: otherDecision, commitment, zk }), ZkProofRefusedError);
  await assert.rejects(verifyZkResult({ model: MODEL, recordHash: recordHash + 1n, output, commitment, zk }), ZkProofRefusedError);
});

test('zk for a model no provider holds a proving key of is refused by name, before anything is paid', async () => {
  // Providers announce zk for the model whose key they hold, and only it.
  const health = await fetch(`${network.providers[0]!.url}/v1/health`).then((r) => r.json() as Promise<{ models: { name: string; zk: boolean }[] }>);
  assert.deepEqual(
    health.models.filter((m) => m.zk).map((m) => m.name),
    [MODEL],
  );
  // The SDK refuses before sending: no committed key to verify with.
  await assert.rejects(client.infer({ model: 'digits-mlp', input: new Array(64).fill(0), verification: 'zk' }), /no committed zk proving artifacts/);
  // The gateway finds no provider to route it to, and says why.
  const signer = await network.signer(1);
  const { body } = await signedBody(signer, network, { model: 'digits-mlp', input: new Array(64).fill(0), router: network.gatewayAddress, verification: 'zk' });
  const answer = await postJson(`${network.gatewayUrl}/v1/infer`, body);
  assert.equal(answer.status, 503);
  assert.equal(answer.json.error?.code, 'NO_PROVIDER');
  assert.match(answer.json.error?.message ?? '', /verification zk/);
  assert.ok(answer.json.error?.details.some((d) => d.endsWith('no zk proving key for the model')));
  // A provider asked directly names what it lacks, and charges nothing.
  const direct = await signedBody(signer, network, {
    model: 'digits-mlp',
    input: new Array(64).fill(0),
    router: network.providers[0]!.address,
    verification: 'zk',
  });
  const refused = await postJson(`${network.providers[0]!.url}/v1/infer`, direct.body);
  assert.equal(refused.json.error?.code, 'ZK_NOT_SERVED');
});
