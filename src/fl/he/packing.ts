// Many quantized values per Paillier plaintext. A 2048-bit plaintext holds far more than
// one 22-bit value, and every ciphertext costs a 2048-bit exponentiation, so values are
// packed side by side into slots: value i of a block sits at bits [i*w, (i+1)*w). Adding
// ciphertexts adds the packed plaintexts, slot by slot, as long as no slot's sum
// overflows into the next: a slot is as wide as the largest possible sum of
// `maxClients` values below Q, so an honest round can never carry.
import { HeError } from './errors.ts';

export type Packing = {
  /** Bits per slot: enough for maxClients * (Q - 1). */
  slotBits: number;
  /** Values per plaintext: the slots that fit strictly below the modulus. */
  slotsPerPlaintext: number;
  /** Plaintexts (so ciphertexts) per update of `length` values. */
  blocks: number;
  length: number;
};

const bitLength = (x: bigint): number => x.toString(2).length;

export function packingFor(options: { length: number; quantizationRange: number; maxClients: number; modulus: bigint }): Packing {
  const { length, quantizationRange: q, maxClients, modulus } = options;
  const largestSum = BigInt(maxClients) * BigInt(q - 1);
  const slotBits = bitLength(largestSum);
  // The packed sum must stay below n: every slot full is 2^(slots * w) - 1.
  const slotsPerPlaintext = Math.floor((bitLength(modulus) - 1) / slotBits);
  if (slotsPerPlaintext < 1) {
    throw new HeError('HE_BAD_CONFIG', 'The key is too small to hold even one slot of the sum.', {
      details: [`slot bits: ${slotBits}`, `modulus bits: ${bitLength(modulus)}`],
    });
  }
  return { slotBits, slotsPerPlaintext, blocks: Math.ceil(length / slotsPerPlaintext), length };
}

/** Packs quantized values (each in [0, Q - 1]) into `blocks` plaintexts. */
export function pack(values: ArrayLike<number>, packing: Packing): bigint[] {
  const out: bigint[] = [];
  const w = BigInt(packing.slotBits);
  for (let b = 0; b < packing.blocks; b++) {
    let m = 0n;
    const first = b * packing.slotsPerPlaintext;
    const last = Math.min(first + packing.slotsPerPlaintext, packing.length);
    // Highest slot first, so each step shifts what is already there up by one slot.
    for (let i = last - 1; i >= first; i--) m = (m << w) | BigInt(values[i]!);
    out.push(m);
  }
  return out;
}

/** Reads the slot sums back out of decrypted plaintexts. */
export function unpack(plaintexts: readonly bigint[], packing: Packing): bigint[] {
  const out: bigint[] = [];
  const w = BigInt(packing.slotBits);
  const mask = (1n << w) - 1n;
  for (let b = 0; b < packing.blocks; b++) {
    let m = plaintexts[b]!;
    const count = Math.min(packing.slotsPerPlaintext, packing.length - b * packing.slotsPerPlaintext);
    for (let i = 0; i < count; i++) {
      out.push(m & mask);
      m >>= w;
    }
    // Anything above the last slot means a packed sum ran past its slots.
    if (m !== 0n) {
      throw new HeError('HE_SUM_OUT_OF_RANGE', 'A decrypted block holds more than its slots: some client sent a value beyond the quantization range.', {
        details: [`block: ${b}`],
      });
    }
  }
  return out;
}
