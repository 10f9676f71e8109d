import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clampAct, fracFor, requantize, roundHalfAwayFromZero, shiftRoundHalfUp } from './fixed.ts';

test('shiftRoundHalfUp rounds half up (towards +infinity) on both signs', () => {
  assert.equal(shiftRoundHalfUp(5, 1), 3); // 2.5 -> 3
  assert.equal(shiftRoundHalfUp(-5, 1), -2); // -2.5 -> -2
  assert.equal(shiftRoundHalfUp(-6, 2), -1); // -1.5 -> -1
  assert.equal(shiftRoundHalfUp(-7, 2), -2); // -1.75 -> -2
  assert.equal(shiftRoundHalfUp(7, 0), 7);
  assert.equal(shiftRoundHalfUp(2 ** 52 + 2 ** 50, 50), 5); // exact near the bound
});

test('requantize saturates to int16 after rounding', () => {
  assert.equal(requantize(2 ** 40, 4), 32767);
  assert.equal(requantize(-(2 ** 40), 4), -32768);
  assert.equal(requantize(65535, 1), 32767);
  assert.equal(clampAct(-40000), -32768);
});

test('roundHalfAwayFromZero is symmetric', () => {
  assert.equal(roundHalfAwayFromZero(2.5), 3);
  assert.equal(roundHalfAwayFromZero(-2.5), -3);
  assert.equal(roundHalfAwayFromZero(-2.4), -2);
  assert.equal(roundHalfAwayFromZero(0.49999999999999994), 0);
});

test('fracFor picks the largest scale that fits the limit', () => {
  assert.equal(fracFor(1, 32767, -24, 40), 14); // 2^15 would exceed 32767
  assert.equal(fracFor(0.5, 32767, -24, 40), 15);
  assert.equal(fracFor(0.5, 32768, -24, 40), 16); // exactly at the limit fits
  assert.equal(fracFor(100000, 16384, -24, 40), -3);
  assert.equal(fracFor(0, 16384, -24, 40), 40);
});
