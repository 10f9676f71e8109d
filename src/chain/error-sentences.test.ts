// Every custom error of every contract reads as a sentence: a contract that gains an
// error without one in error-sentences.ts fails here.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { test } from 'node:test';
import type { AbiParameter } from 'viem';
import { errorSentences } from './error-sentences.ts';
import { formatDuration, formatWhen } from './human-units.ts';

type AbiItem = { type: string; name?: string; inputs?: readonly AbiParameter[] };

async function contractErrors(): Promise<Map<string, readonly AbiParameter[]>> {
  const dir = new URL('./generated/', import.meta.url);
  const errors = new Map<string, readonly AbiParameter[]>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    // A template literal, not a computed URL: esbuild bundles every file the pattern can
    // name when scripts/run-tests.ts compiles this test.
    const module = (await import(`./generated/${file}`)) as Record<string, unknown>;
    for (const [key, value] of Object.entries(module)) {
      if (!key.endsWith('Abi')) continue;
      for (const item of value as readonly AbiItem[]) if (item.type === 'error' && item.name) errors.set(item.name, item.inputs ?? []);
    }
  }
  return errors;
}

// A plausible value per ABI type, to render each sentence once.
const sample = (p: AbiParameter): unknown =>
  p.type === 'address'
    ? '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'
    : p.type.startsWith('bytes')
      ? `0x${'ab'.repeat(32)}`
      : p.type === 'string'
        ? 'text'
        : p.type === 'bool'
          ? true
          : 1_796_112_480n;

test('every contract error has a sentence without raw placeholders', async () => {
  const errors = await contractErrors();
  assert.ok(errors.size > 50, `found ${errors.size} errors; were the bindings generated?`);
  const missing = [...errors.keys()].filter((name) => !(name in errorSentences));
  assert.deepEqual(missing, [], `errors without a sentence in src/chain/error-sentences.ts: ${missing.join(', ')}`);
  for (const [name, inputs] of errors) {
    const sentence = errorSentences[name]!(Object.fromEntries(inputs.map((p, i) => [p.name || `arg${i}`, sample(p)])));
    assert.match(sentence, /^[A-Z0-9"`].*[.)]$/, `${name}: "${sentence}"`);
    assert.doesNotMatch(sentence, /undefined|\[object/, `${name}: "${sentence}"`);
  }
});

test('amounts read in tUSD and times as a date and a duration', () => {
  const notReady = errorSentences.EscrowWithdrawalNotReady!({ client: '0x7099', readyAt: 1_796_198_875n, timestamp: 1_796_112_480n });
  assert.match(notReady, /ready in 23 h 59 min, at 2026-12-02 \d\d:\d\d UTC/);
  assert.equal(
    errorSentences.EscrowInsufficientBalance!({ client: '0xc', balance: 2_500_000n, needed: 10_000_000n }),
    'The escrow of 0xc holds 2.5 tUSD, less than the 10 tUSD needed.',
  );
  assert.equal(formatDuration(3 * 86_400 + 3_600), '3 d 1 h');
  assert.equal(formatDuration(59), '59 s');
  assert.equal(formatWhen(120, 0), 'in 2 min, at 1970-01-01 00:02 UTC');
});
