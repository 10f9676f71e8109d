// secp256k1 signing and recovery over a digest already computed. Recovery runs in
// libsecp256k1 (tiny-secp256k1, WebAssembly) for an ordinary signature and in
// @noble/curves, imported statically, for anything unusual: noble is what viem uses, so
// what viem accepts or refuses is decided the same way here (viem's own recovery also
// imports noble anew inside every call, which costs more than the arithmetic under a
// module loader). Test: signatures.test.ts, against viem.
import { secp256k1 } from '@noble/curves/secp256k1';
import { keccak_256 } from '@noble/hashes/sha3';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils';
import * as libsecp256k1 from 'tiny-secp256k1';
import { checksumAddress, type Address, type Hex, type LocalAccount } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';

/** viem's rule for the last byte: 0/1 or 27/28, nothing else. */
function recoveryBit(v: number): number {
  if (v === 0 || v === 1) return v;
  if (v === 27) return 0;
  if (v === 28) return 1;
  throw new Error('Invalid yParityOrV value');
}

/** The address that signed `digest` (65 bytes r, s, v); throws where viem's recoverAddress throws. */
export function recoverDigestSigner(digest: Hex, signature: Hex): Address {
  if (typeof signature !== 'string' || !/^0x[0-9a-fA-F]*$/.test(signature)) throw new Error('invalid signature');
  if (Math.ceil((signature.length - 2) / 2) !== 65) throw new Error('invalid signature length');
  const bit = recoveryBit(Number.parseInt(signature.slice(130), 16));
  const publicKey = ordinary(signature) ? fastRecover(digest, signature, bit) : undefined;
  return addressOf(
    publicKey ?? secp256k1.Signature.fromCompact(signature.substring(2, 130)).addRecoveryBit(bit).recoverPublicKey(digest.substring(2)).toRawBytes(false),
  );
}

const N = secp256k1.CURVE.n;

/** r and s in range and s low: the signatures every honest signer makes. */
function ordinary(signature: Hex): boolean {
  if (!/^0x[0-9a-fA-F]{130}$/.test(signature)) return false;
  const r = BigInt(`0x${signature.slice(2, 66)}`);
  const s = BigInt(`0x${signature.slice(66, 130)}`);
  return r > 0n && r < N && s > 0n && s <= N >> 1n;
}

/** Undefined when libsecp256k1 finds no key: noble then refuses it in viem's words. */
function fastRecover(digest: Hex, signature: Hex, bit: number): Uint8Array | undefined {
  try {
    return libsecp256k1.recover(hexToBytes(digest.slice(2)), hexToBytes(signature.slice(2, 130)), bit as 0 | 1, false) ?? undefined;
  } catch {
    return undefined;
  }
}

function addressOf(publicKey: Uint8Array): Address {
  return checksumAddress(`0x${bytesToHex(keccak_256(publicKey.subarray(1)).subarray(12))}`);
}

/**
 * Signs a digest as the account's own typed-data signing would (RFC 6979, low s, v
 * 27/28). Accounts that cannot sign a bare hash (JSON-RPC, hardware) sign the typed
 * data themselves.
 */
export function signDigest(account: LocalAccount, digest: Hex, typedData: () => Promise<Hex>): Promise<Hex> {
  return account.sign ? account.sign({ hash: digest }) : typedData();
}

/**
 * viem's account of a private key, whose bare-hash signing (what every protocol message
 * uses, see signDigest) runs in libsecp256k1: RFC 6979 nonces and low s as noble's, so
 * the bytes are those viem's own signing gives (test: signatures.test.ts).
 */
export function accountOfKey(privateKey: Hex): LocalAccount {
  const account = privateKeyToAccount(privateKey);
  const secret = hexToBytes(privateKey.slice(2));
  const sign = async ({ hash }: { hash: Hex }): Promise<Hex> => {
    const { signature, recoveryId } = libsecp256k1.signRecoverable(hexToBytes(hash.slice(2)), secret);
    return `0x${bytesToHex(signature)}${recoveryId === 0 ? '1b' : '1c'}`;
  };
  return { ...account, sign };
}
