// Proving one inference: the engine computes the output, the committed witness calculator
// and proving key of the model produce a Groth16 proof that the committed weights map this
// (quantized) input to this output. Nothing is downloaded: wasm and zkey are files in
// models/zk/<model>/.
import { groth16 } from 'snarkjs';
import { type Artifact, createEngine, quantizeInput, type RunInput, run } from '../engine/index.ts';
import { readVerificationKey, requireZkArtifacts } from './artifacts.ts';
import { ioHash, poseidonWeightCommitment } from './commitment.ts';
import { ZkProofInvalidError } from './errors.ts';
import type { Groth16Proof } from './proof-format.ts';
import { circuitInput } from './witness-input.ts';

export type InferenceProof = {
  proof: Groth16Proof;
  /** [weightHash, ioHash] as decimal strings. */
  publicSignals: string[];
  quantizedInput: number[];
  output: number[];
};

/** `root`: where the model's key folder is (default: models/zk). */
export async function proveInference(model: string, artifact: Artifact, input: RunInput, root?: string): Promise<InferenceProof> {
  const paths = requireZkArtifacts(model, root);
  const engine = createEngine(artifact);
  const quantized = Array.from(quantizeInput(engine, input).data);
  const output = Array.from(run(engine, input).output);
  const { proof, publicSignals } = await groth16.fullProve(circuitInput(artifact, quantized), paths.wasm, paths.zkey);
  // The circuit and the engine agree by construction; a disagreement means the committed
  // artifacts belong to other weights, and such a proof is worthless to a verifier.
  const expected = [poseidonWeightCommitment(artifact).toString(), ioHash(quantized, output).toString()];
  if (publicSignals[0] !== expected[0] || publicSignals[1] !== expected[1]) {
    throw new ZkProofInvalidError([`model: ${model}`, `expected public signals: ${expected.join(', ')}`, `got: ${publicSignals.join(', ')}`]);
  }
  return { proof, publicSignals, quantizedInput: quantized, output };
}

/** Local verification against the model's committed verification key. */
export async function verifyInference(model: string, proof: Groth16Proof, publicSignals: string[], root?: string): Promise<boolean> {
  return groth16.verify(readVerificationKey(model, root), publicSignals, proof);
}

export { releaseProver } from './curve-threads.ts';
