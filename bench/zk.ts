// `npm run bench -- zk`: one Groth16 proof of breast-cancer-mlp from the committed key
// (models/zk/), verified locally and on a fresh anvil through ZkRegistry. Gas is read from
// the transaction receipt, not estimated.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { keccak256, toHex } from 'viem';
import { createEngine, parseArtifact, quantizeInput, run } from '../src/engine/index.ts';
import { commitmentShape } from '../src/engine/weights.ts';
import { publishModel } from '../src/sdk/accounts.ts';
import { REPO_ROOT, readZkMeta, requireZkArtifacts } from '../src/zk/artifacts.ts';
import { deployBreastCancerMlpVerifier, deployZkRegistry, registerZkVerifier, verifyAndRecord } from '../src/zk/chain.ts';
import { poseidonWeightCommitment } from '../src/zk/commitment.ts';
import { proveInference, releaseProver, verifyInference } from '../src/zk/prove.ts';
import { loadWitnessCalculator } from '../src/zk/witness.ts';
import { circuitInput } from '../src/zk/witness-input.ts';
import { startTestChain } from '../test/support/indexer.ts';
import { type Figure, report } from './report.ts';

const MODEL = 'breast-cancer-mlp';

export async function main(): Promise<void> {
  const artifact = parseArtifact(readFileSync(join(REPO_ROOT, 'models', `${MODEL}.artifact.json`), 'utf8'));
  const paths = requireZkArtifacts(MODEL);
  const engine = createEngine(artifact);
  const input = Array.from({ length: 30 }, (_, i) => ((i * 37) % 17) / 2 - 3);

  let t = performance.now();
  const runs = 200;
  for (let i = 0; i < runs; i++) run(engine, input);
  const inferenceMs = (performance.now() - t) / runs;

  const calculate = await loadWitnessCalculator(paths.wasm);
  const ci = circuitInput(artifact, Array.from(quantizeInput(engine, input).data));
  await calculate(ci);
  t = performance.now();
  await calculate(ci);
  const witnessMs = performance.now() - t;

  await proveInference(MODEL, artifact, input); // warms the curve's worker threads
  t = performance.now();
  const proved = await proveInference(MODEL, artifact, input);
  const proveMs = performance.now() - t;
  t = performance.now();
  if (!(await verifyInference(MODEL, proved.proof, proved.publicSignals))) throw new Error('the proof does not verify');
  const verifyMs = performance.now() - t;

  const chain = await startTestChain();
  let gas: bigint;
  try {
    const owner = await chain.signer(9);
    const modelId = await publishModel(owner, chain.deployment, {
      contentHash: keccak256(toHex(`${MODEL}-zk-bench`)),
      weightCommitment: artifact.weightCommitment,
      shape: commitmentShape(artifact),
      metadataURI: 'ipfs://zk-bench',
      royaltyBps: 100,
    });
    const zk = await deployZkRegistry(owner, chain.deployment.contracts.modelRegistry);
    await registerZkVerifier(owner, zk, modelId, await deployBreastCancerMlpVerifier(owner), poseidonWeightCommitment(artifact));
    gas = (await verifyAndRecord(owner, zk, modelId, proved)).gasUsed;
  } finally {
    await chain.dispose();
    await releaseProver();
  }

  const figures: Figure[] = [
    { figure: 'zk_constraints_breast_cancer_mlp', value: readZkMeta(MODEL).constraints, unit: 'constraints', label: 'R1CS constraints' },
    { figure: 'zk_witness_ms_breast_cancer_mlp', value: witnessMs, unit: 'ms', label: 'witness computation' },
    { figure: 'zk_prove_ms_breast_cancer_mlp', value: proveMs, unit: 'ms', label: 'Groth16 prove (witness included)' },
    { figure: 'zk_prove_vs_inference_ratio', value: proveMs / inferenceMs, unit: 'x', label: 'prove time / plain inference time' },
    { figure: 'zk_verify_local_ms', value: verifyMs, unit: 'ms', label: 'local verification (snarkjs)' },
    { figure: 'zk_proof_bytes', value: 8 * 32, unit: 'bytes', label: 'proof size (8 words)' },
    { figure: 'zk_verify_gas', value: Number(gas), unit: 'gas', label: 'verifyAndRecord gas (receipt)' },
  ];
  report('zk', figures);
}
