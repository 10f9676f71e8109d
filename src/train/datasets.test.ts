import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadBreastCancer, loadDigits, parseLabelledCsv } from './datasets.ts';
import { TrainError } from './errors.ts';

test('digits: 1797 rows of 64 pixel counts in 0..16, labels 0..9', () => {
  const d = loadDigits();
  assert.equal(d.rows, 1797);
  assert.equal(d.features, 64);
  assert.equal(d.x.length, 1797 * 64);
  assert.ok(d.x.every((v) => Number.isInteger(v) && v >= 0 && v <= 16));
  assert.deepEqual(new Set(d.y), new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
  // The first row of the file is a 0.
  assert.equal(d.y[0], 0);
  assert.deepEqual(Array.from(d.x.subarray(0, 4)), [0, 0, 5, 13]);
});

test('breast cancer: 569 rows of 30 features, 212 malignant and 357 benign', () => {
  const d = loadBreastCancer();
  assert.equal(d.rows, 569);
  assert.equal(d.features, 30);
  assert.equal(d.y.filter((v) => v === 0).length, 212);
  assert.equal(d.y.filter((v) => v === 1).length, 357);
  assert.equal(d.x[0], 17.99);
});

test('malformed rows raise TrainError naming the row and what was expected', () => {
  assert.throws(
    () => parseLabelledCsv('t', 'mem', ['1,2,0', '1,0'], 2, 2),
    (e: unknown) => e instanceof TrainError && e.code === 'TRAIN_DATA_MALFORMED' && e.details.includes('row: 2') && e.details.includes('got: 2'),
  );
  assert.throws(
    () => parseLabelledCsv('t', 'mem', ['1,x,0'], 2, 2),
    (e: unknown) => e instanceof TrainError && e.details.includes('column: 2'),
  );
  assert.throws(
    () => parseLabelledCsv('t', 'mem', ['1,2,5'], 2, 2),
    (e: unknown) => e instanceof TrainError && /label/.test(e.shortMessage),
  );
});

test('a breast cancer header that disagrees with the rows is refused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trellis-data-'));
  writeFileSync(join(dir, 'breast_cancer.csv'), `3,30,malignant,benign\n${Array(31).fill('1').join(',')}\n`);
  assert.throws(
    () => loadBreastCancer(dir),
    (e: unknown) => e instanceof TrainError && e.code === 'TRAIN_DATA_MALFORMED',
  );
});
