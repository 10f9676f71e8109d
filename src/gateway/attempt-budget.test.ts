// The per-attempt time-out: every retry fits inside the request's deadline.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ANSWER_MARGIN_MS, ATTEMPT_FLOOR_MS, attemptTimeoutMs } from './attempt-budget.ts';

const now = 1_000_000;
const at = (secondsLeft: number, over: Partial<Parameters<typeof attemptTimeoutMs>[0]> = {}) =>
  attemptTimeoutMs({ deadlineMs: now + secondsLeft * 1000, nowMs: now, attemptsLeft: 3, latencyMs: undefined, capMs: 30_000, ...over });

test('the time left, less the margin, is split over the attempts left; the sum never passes the deadline', () => {
  assert.equal(at(9.5), (9_500 - ANSWER_MARGIN_MS) / 3);
  // Three hanging providers in a row use up at most the time before the deadline.
  let clock = now;
  for (let left = 3; left > 0; left--)
    clock += attemptTimeoutMs({ deadlineMs: now + 9_500, nowMs: clock, attemptsLeft: left, latencyMs: undefined, capMs: 30_000 })!;
  assert.ok(clock <= now + 9_500 - ANSWER_MARGIN_MS);
});

test('the cap bounds one call, and a deadline too close leaves no attempt', () => {
  assert.equal(at(3_600), 30_000);
  assert.equal(at(0.9), undefined);
  assert.equal(at(-5), undefined);
});

test('a provider measured slower than its share may take longer, leaving each later attempt its floor', () => {
  assert.equal(at(6.5, { latencyMs: 100 }), 2_000);
  assert.equal(at(6.5, { latencyMs: 1_000 }), 4_000);
  assert.equal(at(6.5, { latencyMs: 5_000 }), 6_000 - 2 * ATTEMPT_FLOOR_MS);
  assert.equal(at(6.5, { latencyMs: 5_000, attemptsLeft: 1 }), 6_000);
});
