import assert from 'node:assert/strict';
import { test } from 'node:test';
import { modelSpec } from '../../train/models.ts';
import { prepareData } from '../../train/prepare-data.ts';
import { Xoshiro128 } from '../../train/prng.ts';
import { selectRows } from '../../train/split.ts';
import { squaredDistance } from '../strategies/aggregate.ts';
import { fromFixed, toFixed } from '../strategies/parameters.ts';
import { parameterEvaluator } from './evaluate-parameters.ts';
import { trainLocal } from './local-training.ts';
import { getFlatParameters, setFlatParameters } from './network-parameters.ts';

const spec = modelSpec('breast-cancer-mlp');
const prepared = prepareData(spec);
const local = selectRows(
  prepared.train,
  Int32Array.from({ length: 90 }, (_, i) => i),
);
const net = spec.build(new Xoshiro128(5));
const global = toFixed(getFlatParameters(net));
const options = { build: spec.build, data: local, epochs: 3, batchSize: 16, learningRate: 0.003, seed: 11 };

test('the flat order is each layer weights then biases, and round-trips', () => {
  const flat = getFlatParameters(net);
  assert.equal(flat.length, 30 * 16 + 16 + 16 * 2 + 2);
  const [w1, b1, w2] = net.params();
  assert.equal(flat[0], w1!.value[0]);
  assert.equal(flat[480], b1!.value[0]);
  assert.equal(flat[496], w2!.value[0]);
  const copy = spec.build(new Xoshiro128(99));
  setFlatParameters(copy, flat);
  assert.deepEqual(getFlatParameters(copy), flat);
  assert.throws(() => setFlatParameters(copy, flat.subarray(1)), { code: 'FL_UPDATE_WRONG_LENGTH' });
});

test('local training is deterministic given the seed and learns the local rows', () => {
  const a = trainLocal(global, options);
  assert.deepEqual(trainLocal(global, options), a);
  assert.notDeepEqual(trainLocal(global, { ...options, seed: 12 }).parameters, a.parameters);
  assert.equal(a.numExamples, 90);
  const evaluate = parameterEvaluator(spec.build, local);
  assert.ok(evaluate(a.parameters).loss < evaluate(global).loss);
  assert.ok(evaluate(trainLocal(global, { ...options, epochs: 10 }).parameters).accuracy > 0.9);
});

test("FedProx's proximal term keeps the update closer to the global model", () => {
  const plain = trainLocal(global, { ...options, epochs: 10 });
  const prox = trainLocal(global, { ...options, epochs: 10, proximalMu: 1 });
  assert.ok(squaredDistance(prox.parameters, global) < squaredDistance(plain.parameters, global));
  assert.deepEqual(trainLocal(global, { ...options, proximalMu: 0 }), trainLocal(global, options));
  assert.throws(() => trainLocal(global, { ...options, proximalMu: -1 }), { code: 'TRAIN_BAD_CONFIG' });
});

test('a global model of the wrong length or with a non-finite trained value is refused', () => {
  assert.throws(() => trainLocal(global.slice(1), options), { code: 'FL_UPDATE_WRONG_LENGTH' });
  const exploding = { ...options, learningRate: Number.POSITIVE_INFINITY };
  assert.throws(() => trainLocal(global, exploding), { code: 'FL_VALUE_NOT_FINITE' });
  assert.equal(fromFixed(global).length, global.length);
});
