// The cryptography of a round: X25519 agreement between two clients' keys, HKDF-SHA256
// from the shared point to a key for one purpose (the pairwise mask seed, or the key
// that encrypts share messages), ChaCha20-Poly1305 for the share messages, and the
// ChaCha20 keystream that expands a 32-byte seed into a mask vector. Every derived key
// names the session and round, so nothing agreed in one round serves in another.
import { chacha20, chacha20poly1305 } from '@noble/ciphers/chacha';
import { x25519 } from '@noble/curves/ed25519';
import { hkdf } from '@noble/hashes/hkdf';
import { sha256 } from '@noble/hashes/sha2';
import { concatBytes, utf8ToBytes } from '@noble/hashes/utils';
import { SecAggError } from './errors.ts';
import type { RandomBytes } from './random-bytes.ts';

export type KeyPair = { secretKey: Uint8Array; publicKey: Uint8Array };

export function generateKeyPair(random: RandomBytes): KeyPair {
  // Any 32 bytes are an X25519 secret key (the scalar is clamped on use).
  const secretKey = random(32);
  return { secretKey, publicKey: x25519.getPublicKey(secretKey) };
}

export function publicKeyOf(secretKey: Uint8Array): Uint8Array {
  return x25519.getPublicKey(secretKey);
}

export type Purpose = 'mask' | 'share';

/** The same 32 bytes on both sides: X25519(mine, theirs) through HKDF bound to the round. */
export function agreeKey(secretKey: Uint8Array, theirPublicKey: Uint8Array, context: string, purpose: Purpose): Uint8Array {
  let shared: Uint8Array;
  try {
    shared = x25519.getSharedSecret(secretKey, theirPublicKey);
  } catch (error) {
    throw new SecAggError('SECAGG_BAD_MESSAGE', 'A public key is not a valid X25519 point.', { cause: error });
  }
  return hkdf(sha256, shared, utf8ToBytes(context), utf8ToBytes(`trellis-secagg-${purpose}`), 32);
}

const NONCE_BYTES = 12;

/** nonce || ChaCha20-Poly1305(plaintext), the associated data naming sender, recipient and round. */
export function seal(key: Uint8Array, plaintext: Uint8Array, associatedData: Uint8Array, random: RandomBytes): Uint8Array {
  // Both directions of a pair share the key, so the nonce is random (96 bits), never a counter.
  const nonce = random(NONCE_BYTES);
  return concatBytes(nonce, chacha20poly1305(key, nonce, associatedData).encrypt(plaintext));
}

export function open(key: Uint8Array, sealed: Uint8Array, associatedData: Uint8Array): Uint8Array {
  try {
    return chacha20poly1305(key, sealed.subarray(0, NONCE_BYTES), associatedData).decrypt(sealed.subarray(NONCE_BYTES));
  } catch (error) {
    throw new SecAggError('SECAGG_SHARE_INVALID', 'An encrypted share does not authenticate.', {
      details: ['the ciphertext, its sender, its recipient or its round was altered'],
      cause: error,
    });
  }
}

/** The seed expanded to `length` values uniform in [0, modulus) (modulus a power of two, at most 2^32). */
export function expandMask(seed: Uint8Array, length: number, modulus: number): Uint32Array {
  // Little-endian words on every platform this runs on, so two clients expand alike.
  const bytes = chacha20(seed, new Uint8Array(12), new Uint8Array(length * 4));
  const words = new Uint32Array(bytes.buffer, bytes.byteOffset, length);
  if (modulus < 2 ** 32) {
    const bits = modulus - 1;
    for (let i = 0; i < length; i++) words[i] = words[i]! & bits;
  }
  return words;
}

/** A commitment to the self-mask seed, published before masking, so a share set that rebuilds another seed is caught. */
export function commitSeed(seed: Uint8Array, context: string): Uint8Array {
  return sha256(concatBytes(utf8ToBytes(`trellis-secagg-seed:${context}:`), seed));
}
