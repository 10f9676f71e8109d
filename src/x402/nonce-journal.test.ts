// The nonce journal: the last record of an authorization is its state, it survives a
// reopening (a restart), and a torn last line (a crash mid-write) loses only that record.
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { NonceJournal, type NonceRecord } from './nonce-journal.ts';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const newPath = () => {
  const dir = mkdtempSync(join(tmpdir(), 'trellis-nonces-'));
  dirs.push(dir);
  return join(dir, 'x402-nonces.jsonl');
};
const record = (key: string, state: NonceRecord['state'], transaction = ''): NonceRecord => ({
  key,
  state,
  signature: `0x${key}`,
  payer: '0xpayer',
  transaction,
  at: 1,
});

test('the last record of a key is its state, and it survives a restart', async () => {
  const path = newPath();
  const journal = new NonceJournal(path);
  await journal.record(record('a', 'settling'));
  await journal.record(record('a', 'settled', '0xtx'));
  await journal.record(record('b', 'settling'));
  await journal.record(record('c', 'settling'));
  await journal.record(record('c', 'failed'));
  assert.equal(journal.get('a')?.state, 'settled');
  journal.close();

  const reopened = new NonceJournal(path);
  assert.deepEqual(reopened.get('a'), record('a', 'settled', '0xtx'));
  assert.equal(reopened.get('b')?.state, 'settling', 'an outcome never seen stays settling, for the chain to decide');
  assert.equal(reopened.get('c')?.state, 'failed');
  assert.equal(reopened.get('d'), undefined);
  assert.equal(reopened.size, 3);
  reopened.close();
});

test('a torn last line and records of an unknown state are ignored; appends after them are read back', async () => {
  const path = newPath();
  const journal = new NonceJournal(path);
  await journal.record(record('a', 'settled', '0xtx'));
  journal.close();
  appendFileSync(path, `${JSON.stringify({ ...record('x', 'settled'), state: 'paid' })}\n{"key":"torn","sta`);
  const reopened = new NonceJournal(path);
  assert.equal(reopened.get('torn'), undefined);
  assert.equal(reopened.get('x'), undefined, 'an unknown state is no state');
  await reopened.record(record('b', 'settled', '0xtb'));
  reopened.close();
  const third = new NonceJournal(path);
  assert.equal(third.get('a')?.transaction, '0xtx');
  assert.equal(third.get('b')?.transaction, '0xtb');
  third.close();
});
