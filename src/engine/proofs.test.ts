import assert from 'node:assert/strict';
import { test } from 'node:test';
import { keccak_256 } from '@noble/hashes/sha3';
import { createEngine, run } from './engine.ts';
import { EngineError } from './errors.ts';
import { importOnnx } from './onnx/import.ts';
import { cnnOnnx, fixedInputs } from './testing/fixtures.ts';
import { toHex } from './merkle/hex.ts';
import { merkleRoot } from './merkle/tree.ts';
import { buildTrace, chunkLeaves, proveTraceElement, tensorRoot, verifyTraceElement } from './trace.ts';
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
  assert.equal(verifyTraceElement({ ...proof, index: 16 + ((proof.index + 1) % 16) }, trace.root), false, 'another slot of the chunk');
  assert.equal(verifyTraceElement({ ...proof, index: 1 }, trace.root), false, 'the same slot of another chunk');
  assert.equal(verifyTraceElement({ ...proof, layer: 2 }, trace.root), false);
  assert.equal(verifyTraceElement({ ...proof, chunkPath: proof.chunkPath.slice(1) }, trace.root), false);
  const flipped = [...proof.layerPath];
  flipped[0] = `0x${'00'.repeat(32)}`;
  assert.equal(verifyTraceElement({ ...proof, layerPath: flipped }, trace.root), false);
  assert.equal(verifyTraceElement(proof, `0x${'11'.repeat(32)}`), false);
  assert.equal(verifyTraceElement({ ...proof, value: 40000 }, trace.root), false);
});

test('a chunk with a non-zero padding slot is no proof, even under its own root', () => {
  // A tensor of 20 elements: chunk 1 holds elements 16..19 and 12 padding slots.
  const values = Int32Array.from({ length: 20 }, (_, i) => i - 10);
  const padded = chunkLeaves(values);
  padded[63] = 1;
  const forged = buildTrace([values]);
  const root = toHex(merkleRoot(padded));
  const proof = { ...proveTraceElement(forged, 0, 18), chunk: toHex(padded.subarray(32)), layerRoot: root };
  proof.chunkPath = [toHex(padded.subarray(0, 32))];
  assert.equal(verifyTraceElement(proof, root), false);
  assert.equal(verifyTraceElement({ ...proof, chunk: toHex(chunkLeaves(values).subarray(32)) }, root), false, 'the honest chunk is not under the forged root');
});

test('a trace given its input root reuses it and equals the trace that hashes the input', () => {
  const again = run(createEngine(artifact), fixedInputs(1, 36, 7), { trace: true, inputRoot: trace.layerRoots[0] }).traces![0]!;
  assert.equal(again.root, trace.root);
  assert.deepEqual(again.layerRoots, trace.layerRoots);
  // Taken as given, not recomputed: the caller vouches that it is the same input's root.
  const given = `0x${'ab'.repeat(32)}` as const;
  assert.equal(run(createEngine(artifact), fixedInputs(1, 36, 7), { trace: true, inputRoot: given }).traces![0]!.layerRoots[0], given);
});

test('chunks pack int16 big-endian and refuse anything else', () => {
  assert.equal(toHex(chunkLeaves(Int32Array.of(1, -1, -32768, 32767))), `0x0001ffff80007fff${'0'.repeat(48)}`);
  assert.equal(chunkLeaves(new Int32Array(17)).length, 64, 'the last chunk is zero-padded');
  assert.equal(tensorRoot(Int32Array.of(5)), `0x0005${'0'.repeat(60)}`, 'a one-chunk tensor has its chunk as root');
  for (const bad of [32768, -32769, 0.5])
    assert.throws(
      () => chunkLeaves([0, bad]),
      (e: unknown) => e instanceof EngineError && e.code === 'ENGINE_TRACE_VALUE' && e.message.includes(String(bad)),
    );
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
