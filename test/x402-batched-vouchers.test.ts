// The batched vouchers' journal: a voucher recorded is on disk when `record` resolves
// (an fsync covers it), the latest of each channel survives a restart, and a torn last
// line (a crash mid-write) loses only that record.
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { Address, Hex } from 'viem';
import type { SignedVoucher } from '../src/payments/voucher.ts';
import { BATCHED_VOUCHERS_FILE, BatchedVouchers } from '../src/x402/batched-vouchers.ts';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const newDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'trellis-batched-'));
  dirs.push(dir);
  return dir;
};
const client = '0x00000000000000000000000000000000000000c1' as Address;
const provider = '0x00000000000000000000000000000000000000b1' as Address;
const modelId = `0x${'11'.repeat(32)}` as Hex;
const voucher = (cumulativeAmount: bigint): SignedVoucher => ({
  voucher: { client, provider, modelId, cumulativeAmount },
  signature: `0x${'ab'.repeat(65)}` as Hex,
});

test('a voucher is synced before record resolves, and the latest of its channel survives a restart', async () => {
  const dir = newDir();
  const synced: number[] = [];
  const book = new BatchedVouchers(dir, (fd, done) => {
    synced.push(fd);
    done(null);
  });
  await book.record(voucher(10n));
  assert.equal(synced.length, 1, 'an fsync covered the record before it resolved');
  await book.record(voucher(20n));
  book.close();
  const reopened = new BatchedVouchers(dir);
  assert.equal(reopened.get(client, modelId)?.voucher.cumulativeAmount, 20n);
  assert.equal(reopened.all().length, 1, 'one channel');
  reopened.close();
});

test('a torn last line loses only that record', async () => {
  const dir = newDir();
  const book = new BatchedVouchers(dir);
  await book.record(voucher(30n));
  book.close();
  appendFileSync(join(dir, BATCHED_VOUCHERS_FILE), '{"client":"0x00000000000000000000000000000000000000c1","cumulativeAmou');
  const reopened = new BatchedVouchers(dir);
  assert.equal(reopened.get(client, modelId)?.voucher.cumulativeAmount, 30n);
  reopened.close();
});
