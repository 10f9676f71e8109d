// The accounts of the local chain. anvil derives them from its well-known public test
// mnemonic, so their keys are public: they hold value on the local chain only.
import type { Address, Hex } from 'viem';
import { mnemonicToAccount } from 'viem/accounts';
import { bytesToHex } from 'viem';

const ANVIL_MNEMONIC = 'test test test test test test test test test test test junk';

export type DevAccount = { index: number; address: Address; privateKey: Hex };

export function devAccount(index: number): DevAccount {
  const account = mnemonicToAccount(ANVIL_MNEMONIC, { addressIndex: index });
  const key = account.getHdKey().privateKey;
  if (!key) throw new Error(`no private key derived for dev account ${index}`);
  return { index, address: account.address, privateKey: bytesToHex(key) };
}

/** anvil funds ten accounts with ether by default. */
export const DEV_ACCOUNT_COUNT = 10;

export function devAccounts(): DevAccount[] {
  return Array.from({ length: DEV_ACCOUNT_COUNT }, (_, index) => devAccount(index));
}
