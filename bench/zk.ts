// `npm run bench -- zk`: one Groth16 proof of breast-cancer-mlp from the committed key
// (models/zk/), verified locally, as the gateway checks a zk answer, and on a fresh anvil
// through ZkRegistry; then a receipt that puts another output under that valid proof is
// slashed through ZkReceiptSlasher. Gas is read from the transaction receipts, not estimated.
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { keccak256, toHex } from 'viem';
import { createEngine, parseArtifact, quantizeInput, run, tensorRoot } from '../src/engine/index.ts';
import { commitmentShape } from '../src/engine/weights.ts';
import { ZkAnswerChecker } from '../src/gateway/zk-check.ts';
import { silentLogger } from '../src/log.ts';
import { fixedOutputHash } from '../src/protocol/commitments.ts';
import { signReceipt, type Receipt } from '../src/protocol/messages.ts';
import { ensureRegistered } from '../src/provider/registration.ts';
import { publishModel } from '../src/sdk/accounts.ts';
import { REPO_ROOT, readZkMeta, requireZkArtifacts } from '../src/zk/artifacts.ts';
import { deployBreastCancerMlpVerifier, registerZkVerifier, slashZkReceipt, verifyAndRecord } from '../src/zk/chain.ts';
import { poseidonWeightCommitment } from '../src/zk/commitment.ts';
import { zkProofBinding } from '../src/zk/proof-format.ts';
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
  // The gateway's check of a zk answer (src/gateway/zk-check.ts): the first starts the
  // curve it keeps (the prover's, still up here, is released first), the next reuses it.
  await releaseProver();
  const commitment = poseidonWeightCommitment(artifact);
  const checker = new ZkAnswerChecker(() => ({ name: MODEL, engine }), join(tmpdir(), 'trellis-zk-bench-failures.jsonl'));
  const answer = { receipt: {} as Receipt, signature: '0x' as const, output: proved.output, zk: proved };
  const check = async () => {
    const started = performance.now();
    const problems = await checker.problems(keccak256(toHex(MODEL)), keccak256(toHex('zk-bench request')), input, answer);
    if (problems.length > 0) throw new Error(`the gateway check refuses the honest proof: ${problems.join('; ')}`);
    return performance.now() - started;
  };
  const gatewayFirstCheckMs = await check();
  const gatewayCheckMs = await check();
  await checker.close();

  const chain = await startTestChain();
  let gas: bigint;
  let slashGas: bigint;
  try {
    const owner = await chain.signer(9);
    const modelId = await publishModel(owner, chain.deployment, {
      contentHash: keccak256(toHex(`${MODEL}-zk-bench`)),
      weightCommitment: artifact.weightCommitment,
      shape: commitmentShape(artifact),
      metadataURI: 'ipfs://zk-bench',
      royaltyBps: 100,
    });
    const { zkRegistry, zkReceiptSlasher } = chain.deployment.zk!;
    await registerZkVerifier(owner, zkRegistry, modelId, await deployBreastCancerMlpVerifier(owner), commitment);
    gas = (await verifyAndRecord(owner, zkRegistry, modelId, proved)).gasUsed;

    // A provider signs the valid proof under a receipt for another output: slashed.
    const provider = await chain.signer(2);
    await ensureRegistered(
      provider,
      chain.deployment,
      { endpoint: 'http://127.0.0.1:1', stake: 100_000_000n, prices: new Map([[modelId, 1_000n]]) },
      silentLogger,
    );
    const output = proved.output.map((v, i) => (i === 0 ? v + 1 : v));
    const receipt: Receipt = {
      requestHash: keccak256(toHex('zk-bench request')),
      client: (await chain.signer(1)).account.address,
      provider: provider.account.address,
      modelId,
      inputHash: tensorRoot(Int32Array.from(proved.quantizedInput)),
      outputHash: fixedOutputHash(output),
      traceRoot: zkProofBinding(proved),
      fee: 1_000n,
      channelTotal: 1_000n,
      issuedAt: (await owner.publicClient.getBlock()).timestamp,
      verification: 3,
    };
    const signature = await signReceipt(provider.account, { chainId: chain.deployment.chainId, escrow: chain.deployment.contracts.escrow }, receipt);
    slashGas = (await slashZkReceipt(owner, zkReceiptSlasher, receipt, signature, proved, { input: proved.quantizedInput, output })).gasUsed;
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
    { figure: 'zk_gateway_first_check_ms', value: gatewayFirstCheckMs, unit: 'ms', label: "the gateway's first zk check (starts the curve)" },
    { figure: 'zk_gateway_check_ms', value: gatewayCheckMs, unit: 'ms', label: "the gateway's check of a zk answer" },
    { figure: 'zk_slash_gas', value: Number(slashGas), unit: 'gas', label: 'slash of a valid proof under another output (receipt)' },
  ];
  report('zk', figures);
}
