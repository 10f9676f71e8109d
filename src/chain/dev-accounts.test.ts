// The dev accounts are anvil's: the seed stretched with node's PBKDF2 gives the keys viem's
// own BIP-39 derivation gives, and the first two are the ones anvil prints on start.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mnemonicToAccount } from 'viem/accounts';
import { devAccount, devAccounts } from './dev-accounts.ts';

test("the dev accounts are anvil's, derived once per index", () => {
  assert.deepEqual(devAccount(0), {
    index: 0,
    address: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266',
    privateKey: '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
  });
  assert.equal(devAccount(1).address, '0x70997970C51812dc3A010C7d01b50e0d17dc79C8');
  for (const index of [0, 7, 11]) {
    const viem = mnemonicToAccount('test test test test test test test test test test test junk', { addressIndex: index });
    assert.equal(devAccount(index).address, viem.address, `account ${index}`);
  }
  assert.equal(new Set(devAccounts().map((a) => a.privateKey)).size, 10);
  // A caller that changes its record does not change what the next one gets.
  const taken = devAccount(2);
  taken.address = '0x0000000000000000000000000000000000000000';
  assert.notEqual(devAccount(2).address, taken.address);
});
