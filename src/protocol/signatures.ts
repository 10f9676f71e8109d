// secp256k1 signing and recovery over a digest already computed, with @noble/curves
// imported statically: viem's recovery imports it anew inside every call, which costs
// more than the curve arithmetic under a module loader. Both accept and refuse exactly
// what viem's recoverAddress and LocalAccount signing do (test: signatures.test.ts).
import { secp256k1 } from '@noble/curves/secp256k1';
import { keccak_256 } from '@noble/hashes/sha3';
import { bytesToHex } from '@noble/hashes/utils';
import { checksumAddress, type Address, type Hex, type LocalAccount } from 'viem';

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
  const point = secp256k1.Signature.fromCompact(signature.substring(2, 130)).addRecoveryBit(bit).recoverPublicKey(digest.substring(2));
  const publicKey = point.toRawBytes(false);
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
