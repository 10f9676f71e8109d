import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TrainError } from './errors.ts';
import { modelSpec } from './models.ts';
import { prepareData } from './prepare-data.ts';
import { applyPreprocess, type Preprocess } from './preprocess.ts';
import { fitStandardizer } from './standardize.ts';

test('standardizes each feature, then clamps into the declared range', () => {
  const p: Preprocess = { format: 'trellis-preprocess-1', features: 2, standardize: { mean: [10, 0], std: [2, 1] }, range: { min: -3, max: 3 } };
  assert.deepEqual(Array.from(applyPreprocess(p, [12, 1, 0, -7])), [1, 1, -3, -3]);
  assert.throws(
    () => applyPreprocess(p, [1, 2, 3]),
    (e: unknown) => e instanceof TrainError && e.code === 'TRAIN_SHAPE_MISMATCH',
  );
});

test('the standardizer uses the population std and keeps constant features at std 1', () => {
  const s = fitStandardizer({ name: 't', rows: 2, features: 2, classes: 2, x: Float64Array.of(1, 5, 3, 5), y: Int32Array.of(0, 1) });
  assert.deepEqual(s, { mean: [2, 5], std: [1, 1] });
});

test('breast cancer rows reach the network standardized and within the declared range', () => {
  const { train, heldOut, preprocess } = prepareData(modelSpec('breast-cancer-mlp'));
  assert.ok(preprocess.standardize);
  assert.ok(preprocess.range.max - preprocess.range.min < 40, `range ${JSON.stringify(preprocess.range)}`);
  for (const rows of [train, heldOut]) assert.ok(rows.x.every((v) => v >= preprocess.range.min && v <= preprocess.range.max));
  // Training rows are centered: each feature's mean is 0.
  for (let j = 0; j < 30; j++) {
    let sum = 0;
    for (let r = 0; r < train.rows; r++) sum += train.x[r * 30 + j]!;
    assert.ok(Math.abs(sum / train.rows) < 1e-9);
  }
  const digits = prepareData(modelSpec('digits-mlp')).preprocess;
  assert.equal(digits.standardize, null);
  assert.deepEqual(digits.range, { min: 0, max: 16 });
});
