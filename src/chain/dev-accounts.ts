// The accounts of the local chain. anvil derives them from its well-known public test
// mnemonic, so their keys are public: they hold value on the local chain only.
import { pbkdf2Sync } from 'node:crypto';
import type { Address, Hex } from 'viem';
import { bytesToHex } from 'viem';
import { HDKey, hdKeyToAccount } from 'viem/accounts';

const ANVIL_MNEMONIC = 'test test test test test test test test test test test junk';

export type DevAccount = { index: number; address: Address; privateKey: Hex };

// A local network asks for the same few accounts hundreds of times, and the BIP-39 seed
// (2,048 rounds of HMAC-SHA512) costs tens of milliseconds in JavaScript: the seed is
// stretched once per process, with node's native PBKDF2, and each index derived once.
let root: HDKey | undefined;
const derived = new Map<number, DevAccount>();

function rootKey(): HDKey {
  root ??= HDKey.fromMasterSeed(pbkdf2Sync(ANVIL_MNEMONIC.normalize('NFKD'), 'mnemonic', 2048, 64, 'sha512'));
  return root;
}

export function devAccount(index: number): DevAccount {
  let found = derived.get(index);
  if (!found) {
    const account = hdKeyToAccount(rootKey(), { addressIndex: index });
    const key = account.getHdKey().privateKey;
    if (!key) throw new Error(`no private key derived for dev account ${index}`);
    found = { index, address: account.address, privateKey: bytesToHex(key) };
    derived.set(index, found);
  }
  // A copy: a caller changing its record does not change the next caller's.
  return { ...found };
}

/** anvil funds ten accounts with ether by default. */
export const DEV_ACCOUNT_COUNT = 10;

export function devAccounts(): DevAccount[] {
  return Array.from({ length: DEV_ACCOUNT_COUNT }, (_, index) => devAccount(index));
}
