// Every operator against integers computed by hand from docs/engine-spec.md.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { add } from './add.ts';
import { avgpool, reciprocalFor } from './avgpool.ts';
import { conv } from './conv.ts';
import { dense } from './dense.ts';
import { maxpool } from './maxpool.ts';
import { relu } from './relu.ts';

const f = (v: number[]) => Float64Array.from(v);

test('dense: bias, rounding half up on negatives, saturation, batch', () => {
  const p = { inFeatures: 3, outFeatures: 3, shift: 1, weights: f([1, 0, -1, -1, -1, 0, 30000, 30000, 30000]), bias: f([4, 0, 0]) };
  const out = new Float64Array(6);
  dense(p, f([1, 2, 3, -1, -2, -3]), 2, out);
  // sample 0: 4+1-3 = 2 -> 1; -3 -> -1.5 -> -1; 180000 -> 90000 -> 32767
  // sample 1: 4-1+3 = 6 -> 3; 3 -> 1.5 -> 2; -180000 -> -90000 -> -32768
  assert.deepEqual(Array.from(out), [1, -1, 32767, 3, 2, -32768]);
});

test('conv: padding, stride, bias and shift', () => {
  const x = f([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const base = { inShape: [1, 3, 3], kernel: [2, 2] as [number, number], dilations: [1, 1] as [number, number], group: 1, weights: f([1, 2, 3, 4]) };
  const out = new Float64Array(4);
  conv({ ...base, shape: [1, 2, 2], strides: [1, 1], pads: [0, 0, 0, 0], shift: 0, bias: f([0]) }, x, 1, out);
  assert.deepEqual(Array.from(out), [37, 47, 67, 77]);
  // pad 1, stride 2: windows see 1*4 = 4; 2*3+3*4 = 18; 4*2+7*4 = 36; 77; then (acc + 1 + 1) >> 1
  conv({ ...base, shape: [1, 2, 2], strides: [2, 2], pads: [1, 1, 1, 1], shift: 1, bias: f([1]) }, x, 1, out);
  assert.deepEqual(Array.from(out), [3, 10, 19, 39]);
});

test('conv: groups and dilation', () => {
  const out = new Float64Array(4);
  // two groups of one channel, 1x1 kernels 2 and 3, input [[1, 2]], [[3, 4]]
  conv(
    {
      inShape: [2, 1, 2],
      shape: [2, 1, 2],
      kernel: [1, 1],
      strides: [1, 1],
      pads: [0, 0, 0, 0],
      dilations: [1, 1],
      group: 2,
      shift: 0,
      weights: f([2, 3]),
      bias: f([0, 0]),
    },
    f([1, 2, 3, 4]),
    1,
    out,
  );
  assert.deepEqual(Array.from(out), [2, 4, 9, 12]);
  const one = new Float64Array(1);
  // dilation 2 over a 3x3 input with a 2x2 kernel of ones reads the four corners
  conv(
    {
      inShape: [1, 3, 3],
      shape: [1, 1, 1],
      kernel: [2, 2],
      strides: [1, 1],
      pads: [0, 0, 0, 0],
      dilations: [2, 2],
      group: 1,
      shift: 0,
      weights: f([1, 1, 1, 1]),
      bias: f([0]),
    },
    f([1, 2, 3, 4, 5, 6, 7, 8, 9]),
    1,
    one,
  );
  assert.deepEqual(Array.from(one), [1 + 3 + 7 + 9]);
});

test('relu', () => {
  const out = new Float64Array(3);
  relu(f([-1, 0, 5]), 3, out);
  assert.deepEqual(Array.from(out), [0, 0, 5]);
});

test('maxpool: padded positions are never chosen', () => {
  const out = new Float64Array(4);
  maxpool({ inShape: [1, 3, 3], shape: [1, 2, 2], kernel: [2, 2], strides: [2, 2], pads: [1, 1, 1, 1] }, f([1, -2, 3, 4, 5, -6, -7, 8, 9]), 1, out);
  assert.deepEqual(Array.from(out), [1, 3, 4, 9]);
  const neg = new Float64Array(1);
  maxpool({ inShape: [1, 1, 1], shape: [1, 1, 1], kernel: [2, 2], strides: [1, 1], pads: [1, 1, 0, 0] }, f([-5]), 1, neg);
  assert.deepEqual(Array.from(neg), [-5]);
});

test('avgpool: reciprocal multiply then round half up', () => {
  assert.equal(reciprocalFor(4), 2 ** 30);
  assert.equal(reciprocalFor(9), Number((2n ** 33n + 9n) / 18n));
  const out = new Float64Array(3);
  const p = {
    inShape: [3, 2, 2],
    shape: [3, 1, 1],
    kernel: [2, 2] as [number, number],
    strides: [1, 1] as [number, number],
    pads: [0, 0, 0, 0] as [number, number, number, number],
    reciprocal: reciprocalFor(4),
  };
  avgpool(p, f([1, 2, 3, 5, 1, 2, 3, 4, -1, -2, -3, -4]), 1, out);
  // 11/4 = 2.75 -> 3; 10/4 = 2.5 -> 3; -10/4 = -2.5 -> -2
  assert.deepEqual(Array.from(out), [3, 3, -2]);
  const nine = new Float64Array(1);
  const R = reciprocalFor(9);
  avgpool(
    { inShape: [1, 3, 3], shape: [1, 1, 1], kernel: [3, 3], strides: [1, 1], pads: [0, 0, 0, 0], reciprocal: R },
    f([1, 2, 3, 4, 5, 6, 7, 8, 10]),
    1,
    nine,
  );
  assert.equal(nine[0], Number((46n * BigInt(R) + 2n ** 31n) >> 32n)); // 46/9 = 5.11 -> 5
  assert.equal(nine[0], 5);
});

test('add: aligns scales, then shifts with rounding', () => {
  const out = new Float64Array(2);
  add({ alignA: 0, alignB: 1, shift: 1 }, f([3, -3]), f([1, 1]), 2, out);
  // 3 + 2 = 5 -> 3 (2.5 up); -3 + 2 = -1 -> 0 (-0.5 up)
  assert.deepEqual(Array.from(out), [3, 0]);
});
