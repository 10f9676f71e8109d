// How a receipt reads: how far the client checked it, until when it can be
// challenged, and whether a dispute refunded it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { refundNote, verificationLine } from './receipt-lines.ts';

const issuedAt = 1_796_112_480n; // 2026-12-01 08:08 UTC
const DAY = 86_400n;

test('an optimistic answer says it was not re-executed and until when it can be challenged', () => {
  const line = verificationLine({ issuedAt, verification: 2 }, DAY, issuedAt + 60n, true);
  assert.equal(
    line,
    'optimistic: signature, fee and output hash checked here, the computation is not re-executed; challengeable until 2026-12-02 08:08 UTC (23 h 59 min left)',
  );
  assert.match(verificationLine({ issuedAt, verification: 2 }, DAY, issuedAt + 2n * DAY, true), /\(closed\)$/);
  assert.match(verificationLine({ issuedAt, verification: 1 }, DAY, issuedAt, false), /DISAGREED/);
  assert.match(verificationLine({ issuedAt, verification: 0 }, DAY, issuedAt, true), /cannot be challenged/);
});

test('a refunded receipt is marked with the amount and whether it was paid out', () => {
  assert.equal(refundNote(undefined), '');
  assert.equal(refundNote({ reserved: 0n, paid: 0n }), '');
  assert.equal(refundNote({ reserved: 10_000n, paid: 0n }), '  REFUNDED 0.01 tUSD after a lost dispute (not claimed yet)');
  assert.equal(refundNote({ reserved: 10_000n, paid: 10_000n }), '  REFUNDED 0.01 tUSD after a lost dispute (paid out)');
});
