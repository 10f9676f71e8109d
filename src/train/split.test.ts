import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadDigits } from './datasets.ts';
import { TrainError } from './errors.ts';
import { selectRows, stratifiedSplit } from './split.ts';

test('the split is disjoint, complete, stratified and fixed by the seed', () => {
  const d = loadDigits();
  const s = stratifiedSplit(d, 0.2, 1);
  assert.equal(s.train.length + s.heldOut.length, d.rows);
  const all = new Set([...s.train, ...s.heldOut]);
  assert.equal(all.size, d.rows);
  for (let c = 0; c < 10; c++) {
    const total = d.y.filter((v) => v === c).length;
    const held = Array.from(s.heldOut).filter((i) => d.y[i] === c).length;
    assert.equal(held, Math.round(total * 0.2));
  }
  assert.deepEqual(stratifiedSplit(d, 0.2, 1), s);
  assert.notDeepEqual(stratifiedSplit(d, 0.2, 2).heldOut, s.heldOut);
  const held = selectRows(d, s.heldOut);
  assert.equal(held.rows, s.heldOut.length);
  assert.equal(held.y[3], d.y[s.heldOut[3]!]);
  assert.deepEqual(held.x.subarray(64, 128), d.x.subarray(s.heldOut[1]! * 64, s.heldOut[1]! * 64 + 64));
});

test('a held-out fraction outside (0, 1) is refused', () => {
  assert.throws(() => stratifiedSplit({ rows: 2, classes: 2, y: Int32Array.of(0, 1) }, 1, 1), TrainError);
});
