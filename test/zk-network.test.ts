// verification zk end to end on a real local network (anvil, gateway, providers): the
// client asks for zk, the gateway routes it to a provider holding the proving key, the
// provider proves in its prover process (a real Groth16 proof), the gateway and then the
// client verify it against the committed key and the on-chain commitment before the client
// pays, and the client records it on chain. A provider lying with a valid proof of another
// output is refused by the SDK before payment, and by the gateway, which retries the next
// provider and keeps the bad receipt as evidence; both receipts are slashed, each once; an
// honest one cannot be; a model without a key finds no zk provider.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { BaseError, ContractFunctionRevertedError, type Hex } from 'viem';
import { providerRegistryAbi } from '../src/chain/generated/ProviderRegistry.ts';
import { quantizeInput } from '../src/engine/index.ts';
import { ZK_FAILURES_FILE, readZkFailures } from '../src/gateway/zk-check.ts';
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
const quantized = Array.from(quantizeInput(model.engine, applyPreprocess(model.preprocess, row), { batch: 1 }).data);
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
  // The model's owner registers its verifier and Poseidon weight commitment, while a
  // provider that lies on every zk request starts: a wrong output with the valid proof of
  // the right one. It is the cheapest, so the gateway tries it first.
  const owner = await network.signer(9);
  const modelId = network.providers[0]!.models.find((m) => m.name === MODEL)!.modelId;
  const registered = (async () => {
    const verifier = await deployBreastCancerMlpVerifier(owner);
    await registerZkVerifier(owner, deployment.zk!.zkRegistry, modelId, verifier, poseidonWeightCommitment(model.engine.artifact));
  })();
  liar = await startProviderNode({
    connection: await network.signer(5),
    deployment,
    dataDir: join(network.dataDir, 'providers', 'liar'),
    models: [{ name: MODEL, price: 1_000n }],
    port: 0,
    stake: 500_000_000n,
    zkFault: 'other-output',
    // Nobody pays a lie: the liar keeps serving the client it was never paid by.
    maxUnpaid: 4,
    log: silentLogger,
  });
  await registered;
  // A request's deadline must leave room for two proofs (the liar's, then an honest one's),
  // which take far longer than usual on a loaded machine.
  client = new TrellisClient({
    connection: await network.signer(1),
    deployment,
    gatewayUrl: network.gatewayUrl,
    dataDir: join(network.dataDir, 'client'),
    requestTtlSeconds: 240,
  });
});

after(async () => {
  client?.close();
  await liar?.stop();
  await network?.dispose();
});

const stakeOf = async (provider: Hex) =>
  (
    await (
      await network.signer(1)
    ).publicClient.readContract({
      address: network.chain.deployment.contracts.providerRegistry,
      abi: providerRegistryAbi,
      functionName: 'getProvider',
      args: [provider],
    })
  ).activeStake;

let honestProof: { modelId: Hex; output: number[]; zk: NonNullable<Awaited<ReturnType<TrellisClient['infer']>>['zk']>; evidence: ZkEvidence } | undefined;
let clientEvidence: ZkEvidence | undefined;

test('the gateway refuses the liar first in its order, retries an honest prover: the client gets a verified result and pays only that one', async () => {
  // The liar is the cheapest provider that proves the model once the gateway has seen its health.
  for (;;) {
    const { providers } = (await fetch(`${network.gatewayUrl}/v1/providers`).then((r) => r.json())) as {
      providers: { address: string; healthy: boolean; models: { zk: boolean }[] }[];
    };
    if (providers.some((p) => p.address === liar.address && p.healthy && p.models.some((m) => m.zk))) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const result = await client.infer({ model: MODEL, input: row, verification: 'zk' });
  assert.ok(result.zk, 'the answer carries its proof');
  const { receipt, signature } = result.receipts[0]!;
  assert.equal(receipt.verification, 3);
  assert.ok(
    network.providers.some((p) => p.address === receipt.provider),
    'served by an honest provider of the network',
  );
  // Paid: a voucher for exactly the fee went to that provider, none to the liar.
  const paid = client.vouchers().filter((v) => v.voucher.provider === receipt.provider);
  assert.equal(paid.length, 1, 'one voucher for the provider');
  assert.equal(paid[0]!.voucher.cumulativeAmount, receipt.fee);
  assert.equal(client.vouchers().filter((v) => v.voucher.provider === liar.address).length, 0, 'nothing for the failed attempt');
  const tx = await client.recordZkOnChain(receipt.modelId, result.zk);
  assert.equal(tx.status, 'success');
  assert.equal(await isVerifiedOnChain(await network.signer(1), network.chain.deployment.zk!.zkRegistry, receipt.modelId, result.zk.publicSignals), true);
  const output = result.values.map((v) => Math.round(v * 2 ** model.engine.artifact.output.frac));
  honestProof = { modelId: receipt.modelId, output, zk: result.zk, evidence: { receipt, signature, zk: result.zk, input: quantized, output } };

  // The gateway kept the liar's answer to this very request as slash evidence.
  const failures = readZkFailures(join(network.dataDir, 'gateway', ZK_FAILURES_FILE));
  const view = async () => JSON.stringify(await fetch(`${network.gatewayUrl}/v1/providers`).then((r) => r.json()));
  assert.equal(failures.length, 1, `one failed zk attempt recorded; the gateway's view: ${await view()}`);
  const [failure] = failures;
  assert.equal(failure!.provider, liar.address);
  assert.equal(failure!.requestHash, receipt.requestHash, 'the same request');
  assert.ok(
    failure!.problems.some((p) => p.startsWith('publicSignals[1]')),
    failure!.problems.join('; '),
  );
  assert.deepEqual(failure!.evidence.input, quantized);
  assert.notDeepEqual(failure!.evidence.output, output, 'the liar returned another output');
});

test('a valid proof of another output, asked of the liar directly, is refused by the SDK before payment', async () => {
  await assert.rejects(client.infer({ model: MODEL, input: row, verification: 'zk', providerUrl: liar.url }), (error: unknown) => {
    assert.ok(error instanceof ZkProofRefusedError, String(error));
    assert.ok(
      error.details.some((d) => d.startsWith("publicSignals[1]: the proof's I/O hash is not that of this input")),
      error.message,
    );
    clientEvidence = error.evidence;
    return true;
  });
  assert.ok(clientEvidence, 'the refusal keeps the signed receipt, its proof, the input and the output');
  assert.deepEqual(clientEvidence.input, quantized);
  assert.equal(client.vouchers().filter((v) => v.voucher.provider === liar.address).length, 0, 'no voucher signed for a failed proof');
  assert.equal(client.receipts().filter((r) => r.receipt.provider === liar.address).length, 0, 'nothing kept as paid');
});

test('a valid proof of another output is slashed once, from the evidence the client or the gateway kept; an honest receipt is not', async () => {
  assert.ok(clientEvidence && honestProof, 'the earlier tests ran');
  const before = await stakeOf(liar.address);
  const tx = await client.slashZkReceipt(clientEvidence);
  assert.equal(tx.status, 'success');
  assert.equal(await stakeOf(liar.address), before - 50_000_000n, 'slashed the dispute slash amount');
  await assert.rejects(client.slashZkReceipt(clientEvidence), (e) => revertName(e) === 'ZkSlashAlreadySlashed');
  // The gateway's record of the retried attempt is another signed receipt: slashable too.
  const [failure] = readZkFailures(join(network.dataDir, 'gateway', ZK_FAILURES_FILE));
  await client.slashZkReceipt(failure!.evidence);
  assert.equal(await stakeOf(liar.address), before - 100_000_000n, 'each lying receipt slashed once');
  // The honest provider's receipt, with its input and output: its proof holds for them.
  const honest = honestProof.evidence.receipt.provider;
  const honestStake = await stakeOf(honest);
  await assert.rejects(client.slashZkReceipt(honestProof.evidence), (e) => revertName(e) === 'ZkSlashProofValid');
  // The honest receipt with the liar's output: the opening is not what it commits to.
  await assert.rejects(client.slashZkReceipt({ ...honestProof.evidence, output: failure!.output }), (e) => revertName(e) === 'ZkSlashOutputNotReceipt');
  assert.equal(await stakeOf(honest), honestStake, 'the honest provider keeps its stake');
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
