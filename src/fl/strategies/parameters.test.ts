import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkParameters, FIXED_LIMIT, fromFixed, toFixed } from './parameters.ts';

test('quantization rounds half up, negative halves toward zero, and comes back exactly', () => {
  const half = 2 ** -17; // half of one fixed-point step
  assert.deepEqual(toFixed([0, 1, -1, half, -half, 3 * half, -3 * half, 0.1]), [0, 65536, -65536, 1, 0, 2, -1, 6554]);
  assert.deepEqual(Array.from(fromFixed([65536, -1, 6554])), [1, -1 / 65536, 6554 / 65536]);
  const q = toFixed([1.25, -7.5, 1e-3]);
  assert.deepEqual(toFixed(fromFixed(q)), q);
});

test('NaN and Infinity are refused before quantization, and values too large for 2^47', () => {
  assert.throws(() => toFixed([0, Number.NaN]), { code: 'FL_VALUE_NOT_FINITE', details: ['index: 1', 'got: NaN'] });
  assert.throws(() => toFixed([Number.NEGATIVE_INFINITY]), { code: 'FL_VALUE_NOT_FINITE' });
  assert.throws(() => toFixed([2 ** 31]), { code: 'FL_VALUE_OUT_OF_RANGE' });
  assert.deepEqual(toFixed([-(2 ** 31) + 2 ** -16]), [-(FIXED_LIMIT - 1)]);
});

test('a received vector of the wrong length, with a fraction, NaN or an out-of-range integer is refused', () => {
  assert.throws(() => checkParameters([1, 2], 3, 'client 4'), {
    code: 'FL_UPDATE_WRONG_LENGTH',
    shortMessage: 'The parameters of client 4 have the wrong length.',
  });
  assert.throws(() => checkParameters([1, Number.NaN], 2, 'x'), { code: 'FL_VALUE_NOT_FINITE' });
  assert.throws(() => checkParameters([1, 0.5], 2, 'x'), { code: 'FL_VALUE_OUT_OF_RANGE' });
  assert.throws(() => checkParameters([FIXED_LIMIT], 1, 'x'), { code: 'FL_VALUE_OUT_OF_RANGE' });
  assert.throws(() => checkParameters(['1' as unknown as number], 1, 'x'), { code: 'FL_VALUE_NOT_FINITE' });
  checkParameters([FIXED_LIMIT - 1, -(FIXED_LIMIT - 1)], 2, 'x');
});
