// One inference of breast-cancer-mlp proved with the committed key and verified on anvil
// through ZkRegistry: the honest proof is recorded, a tampered one is refused by name and
// records nothing.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { BaseError, ContractFunctionRevertedError, keccak256, toHex } from 'viem';
import { parseArtifact } from '../src/engine/index.ts';
import { commitmentShape } from '../src/engine/weights.ts';
import { publishModel } from '../src/sdk/accounts.ts';
import { REPO_ROOT } from '../src/zk/artifacts.ts';
import { deployBreastCancerMlpVerifier, deployZkRegistry, isVerifiedOnChain, registerZkVerifier, verifyAndRecord } from '../src/zk/chain.ts';
import { poseidonWeightCommitment } from '../src/zk/commitment.ts';
import { proveInference, releaseProver, verifyInference } from '../src/zk/prove.ts';
import { startTestChain, type TestChain } from './support/indexer.ts';

const MODEL = 'breast-cancer-mlp';
const artifact = parseArtifact(readFileSync(join(REPO_ROOT, 'models', `${MODEL}.artifact.json`), 'utf8'));
let chain: TestChain;

before(async () => {
  chain = await startTestChain();
});
after(async () => {
  await releaseProver();
  await chain?.dispose();
});

function revertName(error: unknown): string | undefined {
  if (!(error instanceof BaseError)) return undefined;
  const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError);
  return reverted instanceof ContractFunctionRevertedError ? reverted.data?.errorName : undefined;
}

test('a proof made from the committed key verifies on chain; a tampered one is refused', async () => {
  const owner = await chain.signer(9);
  const submitter = await chain.signer(1);
  const modelId = await publishModel(owner, chain.deployment, {
    contentHash: keccak256(toHex(`${MODEL}-zk-test`)),
    weightCommitment: artifact.weightCommitment,
    shape: commitmentShape(artifact),
    metadataURI: 'ipfs://zk-test',
    royaltyBps: 100,
  });
  const zk = await deployZkRegistry(owner, chain.deployment.contracts.modelRegistry);
  const verifier = await deployBreastCancerMlpVerifier(owner);
  // Only the owner registers.
  await assert.rejects(registerZkVerifier(submitter, zk, modelId, verifier, poseidonWeightCommitment(artifact)));
  await registerZkVerifier(owner, zk, modelId, verifier, poseidonWeightCommitment(artifact));

  const input = Array.from({ length: 30 }, (_, i) => ((i * 37) % 17) / 2 - 3);
  const proved = await proveInference(MODEL, artifact, input);
  assert.equal(await verifyInference(MODEL, proved.proof, proved.publicSignals), true, 'verifies locally');

  // Tampered: the claimed I/O hash of another output.
  const lying = { proof: proved.proof, publicSignals: [proved.publicSignals[0]!, (BigInt(proved.publicSignals[1]!) ^ 1n).toString()] };
  assert.equal(await verifyInference(MODEL, lying.proof, lying.publicSignals), false, 'refused locally');
  await assert.rejects(verifyAndRecord(submitter, zk, modelId, lying), (e) => revertName(e) === 'ZkProofRejected');
  assert.equal(await isVerifiedOnChain(submitter, zk, modelId, lying.publicSignals), false);

  const receipt = await verifyAndRecord(submitter, zk, modelId, proved);
  assert.equal(receipt.status, 'success');
  assert.equal(await isVerifiedOnChain(submitter, zk, modelId, proved.publicSignals), true, 'recorded');
});
