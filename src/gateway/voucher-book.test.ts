// The gateway's record of what clients paid: only vouchers signed by their client
// pass, only accepted ones raise the record, it stays bounded, and it tells which
// vouchers a provider already holds.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Address, Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { devAccount } from '../chain/dev-accounts.ts';
import { signVoucher } from '../payments/voucher.ts';
import { VoucherBook } from './voucher-book.ts';

const domain = { chainId: 31337, escrow: '0x00000000000000000000000000000000000000e5' as Address };
const client = privateKeyToAccount(devAccount(1).privateKey);
const other = privateKeyToAccount(devAccount(2).privateKey);
const modelId = `0x${'11'.repeat(32)}` as Hex;
const provider = (n: number) => `0x${n.toString(16).padStart(40, '0')}` as Address;
const voucher = (amount: bigint, signer = client, to = provider(1)) =>
  signVoucher(signer, domain, { client: client.address, provider: to, modelId, cumulativeAmount: amount });

test('a voucher not signed by its client is VOUCHER_INVALID; one at or below the record is not even checked', async () => {
  const book = new VoucherBook(domain);
  await book.verify([await voucher(10n)]);
  await assert.rejects(book.verify([await voucher(10n), await voucher(20n, other)]), {
    code: 'VOUCHER_INVALID',
    details: [`vouchers[1]: client ${client.address}, provider ${provider(1)}`, `recovered signer: ${other.address}`],
  });
  book.record([await voucher(30n)]);
  await book.verify([await voucher(30n, other)]);
});

test('the record is the largest accepted amount per channel, never lowered, and bounded', async () => {
  const book = new VoucherBook(domain, 2);
  assert.equal(book.paidOn(client.address, provider(1), modelId), undefined);
  book.record([await voucher(30n), await voucher(20n)]);
  assert.equal(book.paidOn(client.address, provider(1), modelId), 30n);
  book.record([await voucher(5n, client, provider(2)), await voucher(7n, client, provider(3))]);
  assert.equal(book.paidOn(client.address, provider(1), modelId), undefined, 'the oldest channel was forgotten');
  assert.equal(book.paidOn(client.address, provider(3), modelId), 7n);
});

test('a voucher is held by its provider once one at least as large was accepted there, so it is not sent again', async () => {
  const book = new VoucherBook(domain);
  assert.equal(book.held(await voucher(10n)), false, 'nothing accepted yet');
  book.record([await voucher(10n)]);
  assert.equal(book.held(await voucher(10n)), true);
  assert.equal(book.held(await voucher(5n)), true);
  assert.equal(book.held(await voucher(20n)), false, 'a larger amount is news to the provider');
  assert.equal(book.held(await voucher(10n, client, provider(2))), false, 'another provider holds nothing');
});
