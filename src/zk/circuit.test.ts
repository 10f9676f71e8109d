// The circuit against the engine, from the committed artifacts of breast-cancer-mlp:
// the generator still emits the committed circuit byte for byte, the committed witness
// calculator yields the engine's output integers (through the I/O hash) for many random
// inputs, saturating ones included, and a witness that claims another output, or another
// split of a rounding shift, gives a proof that does not verify.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { groth16 } from 'snarkjs';
import type { DenseLayer } from '../engine/artifact.ts';
import { type Artifact, createEngine, parseArtifact, quantizeInput, run } from '../engine/index.ts';
import { readVerificationKey, REPO_ROOT, requireZkArtifacts } from './artifacts.ts';
import { generateCircuit, quotientBits } from './circuit-gen.ts';
import { FIELD, ioHash, poseidonWeightCommitment } from './commitment.ts';
import { releaseProver } from './prove.ts';
import { encodeWitness, loadWitnessCalculator } from './witness.ts';
import { circuitInput } from './witness-input.ts';

const MODEL = 'breast-cancer-mlp';
const SAMPLES = Number(process.env.ZK_DIFF_SAMPLES ?? 100);
const artifact = parseArtifact(readFileSync(join(REPO_ROOT, 'models', `${MODEL}.artifact.json`), 'utf8'));
const paths = requireZkArtifacts(MODEL);
const calculate = await loadWitnessCalculator(paths.wasm);
const scratch = mkdtempSync(join(tmpdir(), 'trellis-zk-'));
after(async () => {
  rmSync(scratch, { recursive: true, force: true });
  await releaseProver();
});

// A copy of the model whose declared range reaches every int16 input, so that the engine
// accepts inputs that drive the accumulators into saturation (the circuit has no range of
// its own beyond int16).
const wide: Artifact = { ...artifact, input: { ...artifact.input, range: { min: -16, max: 32767 / 2048 } } };
const engine = createEngine(wide);

/** A small deterministic generator, so a failure names a reproducible sample. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return s / 2 ** 32;
  };
}

test('the generator emits the committed circuit byte for byte', () => {
  assert.equal(generateCircuit(artifact).source, readFileSync(paths.circuit, 'utf8'));
});

test(`the circuit computes the engine's integers on ${SAMPLES} random inputs and the extremes`, async () => {
  const random = rng(15);
  const { min, max } = artifact.input.range;
  const inputs: number[][] = [new Array(30).fill(-16), new Array(30).fill(32767 / 2048), new Array(30).fill(0)];
  for (let n = 0; n < SAMPLES; n++) {
    // Half inside the model's declared range, half over all of int16.
    const [lo, hi] = n % 2 === 0 ? [min, max] : [-16, 32767 / 2048];
    inputs.push(Array.from({ length: 30 }, () => lo + random() * (hi - lo)));
  }
  const commitment = poseidonWeightCommitment(artifact);
  let saturated = 0;
  for (const [n, x] of inputs.entries()) {
    const q = Array.from(quantizeInput(engine, x).data);
    const out = run(engine, x).output;
    // Saturation in the hidden layer: some neuron's rounded accumulator leaves int16.
    const l1 = artifact.layers[0] as DenseLayer;
    for (let m = 0; m < l1.outFeatures; m++) {
      let acc = l1.bias[m]!;
      for (let k = 0; k < l1.inFeatures; k++) acc += q[k]! * l1.weights[m * l1.inFeatures + k]!;
      const v = Math.floor((acc + 2 ** (l1.shift - 1)) / 2 ** l1.shift);
      if (v > 32767 || v < -32768) saturated++;
    }
    const w = await calculate(circuitInput(artifact, q));
    assert.equal(w.weightHash, commitment, `sample ${n}: weight commitment`);
    assert.equal(w.ioHash, ioHash(q, out), `sample ${n}: output ${out.join(',')}`);
  }
  // The extremes reach the clamp; otherwise the comparison would not cover saturation.
  assert.ok(saturated >= 1, `saturated samples: ${saturated}`);
});

test('an input outside int16 has no witness', async () => {
  const q = new Array(30).fill(0);
  const input = circuitInput(artifact, q);
  input.t0![3] = '32768';
  await assert.rejects(calculate(input), /Assert Failed/);
});

test('a witness claiming another output, or another rounding split, does not prove', async () => {
  const x = new Array(30).fill(0).map((_, i) => (i % 5) - 1);
  const q = Array.from(quantizeInput(engine, x).data);
  const out = Array.from(run(engine, x).output);
  const honest = (await calculate(circuitInput(artifact, q))).values;
  const vkey = readVerificationKey(MODEL);
  const proveWith = async (values: bigint[], name: string): Promise<boolean> => {
    const file = join(scratch, `${name}.wtns`);
    writeFileSync(file, encodeWitness(values, FIELD));
    const { proof, publicSignals } = await groth16.prove(paths.zkey, file);
    return groth16.verify(vkey, publicSignals, proof);
  };
  assert.equal(await proveWith(honest, 'honest'), true, 'the honest witness proves');

  // Another output: the I/O hash of output + 1 in place of the real one.
  const lying = [...honest];
  lying[2] = ioHash(q, [out[0]! + 1, out[1]!]);
  assert.equal(await proveWith(lying, 'output'), false, 'a claimed wrong output');

  // Another split of neuron 0 of layer 1's rounding shift: quotient - 1 and remainder + 2^s
  // satisfy the division equation; only the remainder's range check excludes it.
  const layer = artifact.layers[0] as DenseLayer;
  const s = layer.shift;
  const B = quotientBits(layer);
  let acc = BigInt(layer.bias[0]!);
  for (let k = 0; k < layer.inFeatures; k++) acc += BigInt(q[k]!) * BigInt(layer.weights[k]!);
  const shifted = acc + (1n << BigInt(s - 1)) + (1n << BigInt(B + s));
  const qo = shifted >> BigInt(s);
  const r = shifted % (1n << BigInt(s));
  // The compiler keeps the remainder only as its s bits, so r + 2^s has no representation;
  // what a prover can still change is the quotient, and quotient - 1 breaks the division.
  const at = honest.indexOf(qo);
  assert.ok(at > 0, 'found the quotient of neuron 0 in the witness');
  assert.ok(r >= 0n);
  const split = [...honest];
  split[at] = qo - 1n;
  assert.equal(await proveWith(split, 'split'), false, 'an out-of-range remainder');
});
