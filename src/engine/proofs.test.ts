import assert from 'node:assert/strict';
import { test } from 'node:test';
import { keccak_256 } from '@noble/hashes/sha3';
import { createEngine, run } from './engine.ts';
import { EngineError } from './errors.ts';
import { importOnnx } from './onnx/import.ts';
import { cnnOnnx, fixedInputs } from './testing/fixtures.ts';
import { proveTraceElement, verifyTraceElement } from './trace.ts';
import { proveWeightRow, verifyWeightRow, weightRowPreimage } from './weights.ts';

const artifact = importOnnx(cnnOnnx(), { calibration: fixedInputs(8, 36, 100), inputRange: { min: 0, max: 1 } });
const trace = run(createEngine(artifact), fixedInputs(1, 36, 7), { trace: true }).traces![0]!;

test('every traced element proves against the trace root', () => {
  for (let layer = 0; layer < trace.tensors.length; layer++) {
    const size = trace.tensors[layer]!.length;
    for (const index of [0, Math.floor(size / 2), size - 1]) {
      const proof = proveTraceElement(trace, layer, index);
      assert.equal(proof.value, trace.tensors[layer]![index]);
      assert.ok(verifyTraceElement(proof, trace.root), `layer ${layer} index ${index}`);
    }
  }
});

test('tampered trace proofs fail', () => {
  const proof = proveTraceElement(trace, 1, 17);
  assert.equal(verifyTraceElement({ ...proof, value: proof.value + 1 }, trace.root), false);
  assert.equal(verifyTraceElement({ ...proof, index: 16 }, trace.root), false);
  assert.equal(verifyTraceElement({ ...proof, layer: 2 }, trace.root), false);
  assert.equal(verifyTraceElement({ ...proof, elementPath: proof.elementPath.slice(1) }, trace.root), false);
  const flipped = [...proof.layerPath];
  flipped[0] = `0x${'00'.repeat(32)}`;
  assert.equal(verifyTraceElement({ ...proof, layerPath: flipped }, trace.root), false);
  assert.equal(verifyTraceElement(proof, `0x${'11'.repeat(32)}`), false);
  assert.equal(verifyTraceElement({ ...proof, value: 40000 }, trace.root), false);
});

test('proving outside the trace raises a typed error', () => {
  assert.throws(
    () => proveTraceElement(trace, 99, 0),
    (e: unknown) => e instanceof EngineError && e.code === 'ENGINE_PROOF_INDEX',
  );
  assert.throws(
    () => proveTraceElement(trace, 0, 36),
    (e: unknown) => e instanceof EngineError && e.code === 'ENGINE_PROOF_INDEX',
  );
});

test('every weight row proves against the commitment; tampering fails', () => {
  const weighted = artifact.layers.map((l, i) => ({ l, t: i + 1 })).filter(({ l }) => l.op === 'dense' || l.op === 'conv');
  assert.equal(weighted.length, 2);
  for (const { l, t } of weighted) {
    if (l.op !== 'dense' && l.op !== 'conv') continue;
    for (let row = 0; row < l.bias.length; row++) {
      const proof = proveWeightRow(artifact, t, row);
      assert.ok(verifyWeightRow(proof, artifact.weightCommitment));
    }
  }
  const proof = proveWeightRow(artifact, 1, 2);
  assert.equal(proof.weights.length, 9); // one conv output channel: 1 x 3 x 3
  assert.equal(verifyWeightRow({ ...proof, bias: proof.bias + 1 }, artifact.weightCommitment), false);
  assert.equal(verifyWeightRow({ ...proof, weights: proof.weights.map((w, i) => (i === 4 ? w + 1 : w)) }, artifact.weightCommitment), false);
  assert.equal(verifyWeightRow({ ...proof, row: 3 }, artifact.weightCommitment), false);
  assert.equal(verifyWeightRow({ ...proof, shift: proof.shift + 1 }, artifact.weightCommitment), false);
  assert.throws(
    () => proveWeightRow(artifact, 2, 0),
    (e: unknown) => e instanceof EngineError && e.code === 'ENGINE_PROOF_INDEX',
  );
});

test('the weight leaf preimage is the packed layout of the specification', () => {
  const bytes = weightRowPreimage(3, 258, 7, -2, [1, -1]);
  assert.equal(Buffer.from(bytes).toString('hex'), '00000003' + '00000102' + '07' + 'fffffffffffffffe' + '0001' + 'ffff');
  assert.equal(keccak_256(bytes).length, 32);
  assert.equal(Buffer.from(weightRowPreimage(0, 0, 0, 2 ** 40 + 5, [])).toString('hex'), '00000000' + '00000000' + '00' + '0000010000000005');
});
