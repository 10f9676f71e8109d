import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Dataset } from './datasets.ts';
import { Dense } from './dense.ts';
import { TrainError } from './errors.ts';
import { argmaxRows, fit } from './fit.ts';
import { modelSpec } from './models.ts';
import { Xoshiro128 } from './prng.ts';
import { Relu } from './relu.ts';
import { Sequential } from './sequential.ts';

// Two classes split by the sign of x0 + x1.
function toyData(): Dataset {
  const rng = new Xoshiro128(5);
  const rows = 200;
  const x = new Float64Array(rows * 2).map(() => rng.uniform(1));
  const y = new Int32Array(rows).map((_, r) => (x[2 * r]! + x[2 * r + 1]! > 0 ? 1 : 0));
  return { name: 'toy', rows, features: 2, classes: 2, x, y };
}

function toyNet(seed: number): { net: Sequential; rng: Xoshiro128 } {
  const rng = new Xoshiro128(seed);
  const a = new Dense(2, 8, 'a');
  const b = new Dense(8, 2, 'b');
  a.init(rng);
  b.init(rng);
  return { net: new Sequential([2], [a, new Relu(), b]), rng };
}

test('training lowers the loss and learns a separable problem', () => {
  const data = toyData();
  const { net, rng } = toyNet(1);
  const { epochLoss } = fit(net, data, { epochs: 30, batchSize: 16, learningRate: 0.02 }, rng);
  assert.ok(epochLoss.at(-1)! < epochLoss[0]! / 3, `loss ${epochLoss[0]} -> ${epochLoss.at(-1)}`);
  const predicted = argmaxRows(net.forwardRows(data.x, data.rows).data, data.rows, 2);
  const right = predicted.filter((p, r) => p === data.y[r]).length;
  assert.ok(right / data.rows > 0.95, `accuracy ${right / data.rows}`);
});

test('the same seed gives the same weights bit for bit', () => {
  const data = toyData();
  const runs = [1, 1, 2].map((seed) => {
    const { net, rng } = toyNet(seed);
    fit(net, data, { epochs: 3, batchSize: 16, learningRate: 0.02 }, rng);
    return net.params().map((p) => Array.from(p.value));
  });
  assert.deepEqual(runs[1], runs[0]);
  assert.notDeepEqual(runs[2], runs[0]);
});

test('bad settings and mismatched data raise TrainError', () => {
  const { net, rng } = toyNet(1);
  assert.throws(
    () => fit(net, toyData(), { epochs: 0, batchSize: 16, learningRate: 0.1 }, rng),
    (e: unknown) => e instanceof TrainError && e.code === 'TRAIN_BAD_CONFIG',
  );
  assert.throws(
    () => fit(net, { ...toyData(), features: 3 }, { epochs: 1, batchSize: 16, learningRate: 0.1 }, rng),
    (e: unknown) => e instanceof TrainError && e.code === 'TRAIN_SHAPE_MISMATCH',
  );
  assert.throws(
    () => modelSpec('nope'),
    (e: unknown) => e instanceof TrainError && e.code === 'TRAIN_UNKNOWN_MODEL',
  );
});
