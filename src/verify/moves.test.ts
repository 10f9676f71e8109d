// Move builders and the layer-parameter leaf, without a chain.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { proveLayerParams, verifyLayerParams, layerParamWords } from '../engine/weights.ts';
import { listModelNames, loadModel } from '../models/catalog.ts';
import { VerifyError } from './errors.ts';
import { layerParamsStruct, PAD, windowPositions } from './layer-params.ts';
import { descentNodes, disputedElement, firstDisagreement, LEVELS_PER_REVEAL, packTensor, pickChild, stepArgs, unpackTensor } from './moves.ts';
import { tensorRoot } from '../engine/index.ts';
import { merkleLevels } from '../engine/merkle/tree.ts';
import { chunkLeaves } from '../engine/trace.ts';
import { bytesToHex } from 'viem';
import { honestTrace, sampleInput, tamperTrace } from './testing/dispute-network.ts';

const models = listModelNames().map((name) => loadModel(name));

test('every layer of every default model proves its parameter leaf; a changed word fails', () => {
  for (const { engine } of models) {
    const a = engine.artifact;
    for (let layer = 1; layer <= a.layers.length; layer++) {
      const proof = proveLayerParams(a, layer);
      assert.ok(verifyLayerParams(proof, a.weightCommitment), `layer ${layer}`);
      for (const word of [0, 2, 5, 13, 22]) {
        const words = [...proof.words];
        words[word] = words[word]! + 1;
        assert.equal(verifyLayerParams({ ...proof, words }, a.weightCommitment), false, `word ${word}`);
      }
    }
  }
});

test('parameter words name layer, count, operator and geometry', () => {
  const cnn = models.find((m) => m.name === 'digits-cnn')!.engine.artifact;
  const conv = layerParamsStruct(layerParamWords(cnn, 1));
  assert.deepEqual(
    [conv.layer, conv.layerCount, conv.op, conv.inC, conv.inH, conv.inW, conv.outC, conv.kh, conv.pt, conv.group],
    [1n, 4n, 2n, 1n, 8n, 8n, 8n, 3n, 1n, 1n],
  );
  const pool = layerParamWords(cnn, 3);
  assert.equal(pool[2], 4);
  // Top-left output of a 3x3 conv with pad 1 reads five padded positions, four real ones.
  const window = windowPositions(layerParamWords(cnn, 1), 0);
  assert.equal(window.filter((p) => p === PAD).length, 5);
  assert.deepEqual(
    window.filter((p) => p !== PAD),
    [0, 1, 8, 9],
  );
  assert.deepEqual(windowPositions(pool, 1), [2, 3, 10, 11]);
});

test('the challenger finds the first tampered tensor, descends to its chunk and names the element', () => {
  const cnn = models.find((m) => m.name === 'digits-cnn')!.engine;
  const honest = honestTrace(cnn, sampleInput(cnn, 3));
  for (const element of [0, 5, 300, 511]) {
    const cheat = tamperTrace(honest, 2, element);
    assert.equal(firstDisagreement(honest, cheat.layerRoots), 2);
    // 512 elements: 32 chunks, 5 levels, revealed 4 + 1 at a time.
    let point = { height: 5, nodeIndex: 0 };
    const rounds: number[] = [];
    while (point.height > 0) {
      const nodes = descentNodes(cheat.tensors[2]!, point);
      const k = Math.min(LEVELS_PER_REVEAL, point.height);
      assert.equal(nodes.length, 2 ** k);
      // The revealed nodes hash up to the node the descent stands on.
      const levels = merkleLevels(chunkLeaves(cheat.tensors[2]!));
      const node = levels[point.height]!.slice(point.nodeIndex * 32, point.nodeIndex * 32 + 32);
      const up = merkleLevels(Uint8Array.from(nodes.flatMap((h) => [...Buffer.from(h.slice(2), 'hex')])));
      assert.equal(bytesToHex(up[up.length - 1]!), bytesToHex(node));
      const child = pickChild(honest.tensors[2]!, nodes, point, 2);
      rounds.push(k);
      point = { height: point.height - k, nodeIndex: point.nodeIndex * 2 ** k + child };
    }
    assert.deepEqual(rounds, [4, 1]);
    assert.equal(point.nodeIndex, Math.floor(element / 16), 'the descent ends on the tampered chunk');
    const chunk = bytesToHex(chunkLeaves(cheat.tensors[2]!).subarray(point.nodeIndex * 32, point.nodeIndex * 32 + 32));
    assert.equal(disputedElement(honest.tensors[2]!, chunk, point.nodeIndex, 2), element, 'and the challenger names the tampered element');
    const honestChunk = bytesToHex(chunkLeaves(honest.tensors[2]!).subarray(point.nodeIndex * 32, point.nodeIndex * 32 + 32));
    assert.throws(
      () => disputedElement(honest.tensors[2]!, honestChunk, point.nodeIndex, 2),
      (e: unknown) => e instanceof VerifyError && e.code === 'VERIFY_NO_DISAGREEMENT',
    );
  }
  assert.equal(tensorRoot(honest.tensors[2]!), honest.layerRoots[2]);
  assert.throws(
    () => firstDisagreement(honest, honest.layerRoots),
    (e: unknown) => e instanceof VerifyError && e.code === 'VERIFY_NO_DISAGREEMENT',
  );
  assert.throws(
    () => pickChild(honest.tensors[2]!, descentNodes(honest.tensors[2]!, { height: 5, nodeIndex: 0 }), { height: 5, nodeIndex: 0 }, 2),
    (e: unknown) => e instanceof VerifyError && e.code === 'VERIFY_NO_DISAGREEMENT',
  );
});

test('weight rows and the input of open pack as int16 big-endian', () => {
  assert.equal(packTensor(Int32Array.from([0, 1, -1, 32767, -32768])), '0x00000001ffff7fff8000');
  assert.deepEqual(unpackTensor('0x00000001ffff7fff8000'), [0, 1, -1, 32767, -32768]);
});

test('a step opens every chunk of the input when that is smaller, else one path per chunk the window reads', () => {
  const cnn = models.find((m) => m.name === 'digits-cnn')!;
  const honest = honestTrace(cnn.engine, sampleInput(cnn.engine, 1));
  const dense = stepArgs({ artifact: cnn.engine.artifact, trace: honest, layer: 4, index: 2 });
  // 128 inputs are 8 chunks: fewer words than a path per chunk (depth 3).
  assert.equal(dense.a.chunks.length, 8);
  assert.equal(dense.a.paths.length, 0);
  assert.equal(dense.weights.length, 2 + 4 * 128);
  const relu = stepArgs({ artifact: cnn.engine.artifact, trace: honest, layer: 2, index: 100 });
  const chunk6 = bytesToHex(chunkLeaves(honest.tensors[1]!).subarray(6 * 32, 7 * 32));
  assert.deepEqual(relu.a.chunks, [chunk6], 'element 100 lies in chunk 6');
  assert.equal(relu.a.paths.length, 5, '32 chunks, depth 5');
  // The top-left 3x3 window of the 8x8 input reads 0, 1, 8 and 9: all in chunk 0, opened once.
  const conv = stepArgs({ artifact: cnn.engine.artifact, trace: honest, layer: 1, index: 0 });
  assert.equal(conv.a.chunks.length, 1);
  assert.equal(conv.a.paths.length, 2);
});
