// Log lines print token amounts in tUSD and leave other numbers as they are.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lineLogger } from './log.ts';

test('amount fields read in tUSD, gas and counts as plain numbers', () => {
  const lines: string[] = [];
  lineLogger((line) => lines.push(line), 'test').warn('dispute opened', { bond: 10_000_000n, amount: 2_500n, gas: 21_000n, channels: 3 });
  assert.match(lines[0]!, / warn test dispute opened bond=10tUSD amount=0\.0025tUSD gas=21000 channels=3$/);
});
