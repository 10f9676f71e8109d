// Where secret randomness comes from. Production draws from the operating system;
// tests pass a seeded source so that a statistical test over masks cannot flake. The
// seeded source is a ChaCha20 keystream keyed by SHA-256 of the seed: a CSPRNG, so
// what it produces has the same distribution the real one has.
import { chacha20 } from '@noble/ciphers/chacha';
import { sha256 } from '@noble/hashes/sha2';
import { randomBytes as systemRandomBytes, utf8ToBytes } from '@noble/hashes/utils';

export type RandomBytes = (length: number) => Uint8Array;

export const cryptoRandomBytes: RandomBytes = (length) => systemRandomBytes(length);

/** A deterministic CSPRNG for tests and reproducible simulations. */
export function seededRandomBytes(seed: string): RandomBytes {
  const key = sha256(utf8ToBytes(`trellis-seeded-random:${seed}`));
  let block = 0;
  return (length) => {
    // Each call takes whole 64-byte ChaCha blocks from the counter onward.
    const blocks = Math.ceil(length / 64);
    const out = chacha20(key, new Uint8Array(12), new Uint8Array(blocks * 64), undefined, block);
    block += blocks;
    return out.subarray(0, length);
  };
}

/** A uniform 53-bit float in [0, 1). */
export function uniform(random: RandomBytes): number {
  const b = random(7);
  // 53 bits: 5 bits of the first byte, then six whole bytes.
  let x = b[0]! & 0x1f;
  for (let i = 1; i < 7; i++) x = x * 256 + b[i]!;
  return x / 2 ** 53;
}

/** A uniform integer in [0, n) for n <= 2^32, by rejection (no modulo bias). */
export function uniformInt(random: RandomBytes, n: number): number {
  const limit = Math.floor(2 ** 32 / n) * n;
  for (;;) {
    const b = random(4);
    const x = ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
    if (x < limit) return x % n;
  }
}
