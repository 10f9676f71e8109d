// Additively homomorphic aggregation with Paillier (paillier-bigint): clients encrypt
// their quantized updates to a decryptor's public key, the aggregator multiplies the
// ciphertexts (which adds the plaintexts) without any key, and the decryptor opens only
// the sum. Unlike SecAgg+, no client talks to another and a dropout costs nothing: an
// update that never arrives is simply not multiplied in.
//
// What it rests on, said plainly (docs/privacy.md): the decryptor is a second party that
// must not collude with the aggregator, since with the aggregator's individual
// ciphertexts the secret key opens every update. And Paillier proves nothing about the
// plaintext: a client may encrypt a value outside [0, Q - 1]. The slot check on the
// decrypted sum catches a value that spills past its slot, not one that stays inside
// it; range proofs would, at a further cost. The benchmark shows why this stays an
// option for small models (bench/privacy.ts).
import { generateRandomKeys, PublicKey, type PrivateKey } from 'paillier-bigint';
import type { Address } from 'viem';
import { dequantizeSum, quantize } from '../secagg/config.ts';
import { HeError } from './errors.ts';
import { type Packing, pack, packingFor, unpack } from './packing.ts';

export type HeConfig = {
  /** Values are clipped to [-c, c]; as in SecAgg+. Default 8. */
  clippingRange?: number;
  /** Values map onto [0, Q - 1]; as in SecAgg+. Default 2^22. */
  quantizationRange?: number;
  /** The most clients whose sum a slot must hold. */
  maxClients: number;
};

/** One round's public parameters: the decryptor's key and how updates are packed. */
export type HeSession = {
  round: number;
  /** The decryptor's Paillier modulus n (g = n + 1). */
  modulus: bigint;
  participants: readonly Address[];
  vectorLength: number;
  clippingRange: number;
  quantizationRange: number;
  packing: Packing;
};

export type HeUpdate = { sender: Address; round: number; ciphertexts: bigint[] };

/** 2048 bits: the modulus size NIST SP 800-57 pairs with 112-bit security for factoring-based keys. */
export const DEFAULT_KEY_BITS = 2048;

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

function bad(code: 'HE_BAD_CONFIG' | 'HE_UPDATE_INVALID', message: string, details: string[]): never {
  throw new HeError(code, message, { details });
}

/** The party that holds the secret key and opens only aggregates. */
export class HeDecryptor {
  private constructor(private readonly key: PrivateKey) {}

  static async generate(bits = DEFAULT_KEY_BITS): Promise<HeDecryptor> {
    if (!Number.isInteger(bits) || bits < 512 || bits > 8192)
      bad('HE_BAD_CONFIG', 'The Paillier key size must be an integer from 512 to 8192 bits.', [`got: ${bits}`]);
    const { privateKey } = await generateRandomKeys(bits, true);
    return new HeDecryptor(privateKey);
  }

  get modulus(): bigint {
    return this.key.publicKey.n;
  }

  session(options: { round: number; participants: readonly Address[]; vectorLength: number; config: HeConfig }): HeSession {
    const { round, participants, vectorLength, config } = options;
    const clippingRange = config.clippingRange ?? 8;
    const quantizationRange = config.quantizationRange ?? 2 ** 22;
    if (!Number.isInteger(vectorLength) || vectorLength < 1) bad('HE_BAD_CONFIG', 'The vector length must be a positive integer.', [`got: ${vectorLength}`]);
    if (!(clippingRange > 0) || !Number.isFinite(clippingRange)) bad('HE_BAD_CONFIG', 'clippingRange must be a positive number.', [`got: ${clippingRange}`]);
    if (!Number.isInteger(quantizationRange) || quantizationRange < 2 || quantizationRange > 2 ** 32) {
      bad('HE_BAD_CONFIG', 'quantizationRange must be an integer from 2 to 2^32.', [`got: ${quantizationRange}`]);
    }
    if (!Number.isInteger(config.maxClients) || config.maxClients < participants.length) {
      bad('HE_BAD_CONFIG', 'maxClients must be an integer no smaller than the participants.', [
        `got: ${config.maxClients}`,
        `participants: ${participants.length}`,
      ]);
    }
    const packing = packingFor({ length: vectorLength, quantizationRange, maxClients: config.maxClients, modulus: this.modulus });
    return { round, modulus: this.modulus, participants, vectorLength, clippingRange, quantizationRange, packing };
  }

  /** Opens the aggregate of `count` updates and returns their float sum. */
  decryptSum(session: HeSession, aggregate: readonly bigint[], count: number): Float64Array {
    const sums = unpack(
      aggregate.map((c) => this.key.decrypt(c)),
      session.packing,
    );
    const largest = BigInt(count) * BigInt(session.quantizationRange - 1);
    const over = sums.findIndex((s) => s > largest);
    if (over >= 0) {
      throw new HeError(
        'HE_SUM_OUT_OF_RANGE',
        'A decrypted sum is larger than the clients could have sent: some client encrypted a value beyond the quantization range.',
        {
          details: [`index: ${over}`, `sum: ${sums[over]}`, `largest honest sum of ${count}: ${largest}`],
        },
      );
    }
    return dequantizeSum(
      sums.map((s) => Number(s)),
      count,
      session,
    );
  }
}

/** A client's side: quantize, pack, encrypt. */
export function encryptUpdate(session: HeSession, sender: Address, values: ArrayLike<number>): HeUpdate {
  if (values.length !== session.vectorLength)
    bad('HE_UPDATE_INVALID', 'The update has the wrong length.', [`expected: ${session.vectorLength}`, `got: ${values.length}`]);
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) bad('HE_UPDATE_INVALID', 'A value of the update is not a finite number.', [`index: ${i}`, `got: ${values[i]}`]);
  }
  const key = new PublicKey(session.modulus, session.modulus + 1n);
  const plaintexts = pack(quantize(values, session), session.packing);
  return { sender, round: session.round, ciphertexts: plaintexts.map((m) => key.encrypt(m)) };
}

/** The aggregator's side: checks each update and multiplies it into the running product. */
export class HeAggregator {
  private readonly product: bigint[];
  private readonly seen = new Set<Address>();
  private readonly n2: bigint;

  constructor(private readonly session: HeSession) {
    this.n2 = session.modulus * session.modulus;
    this.product = Array.from({ length: session.packing.blocks }, () => 1n);
  }

  get count(): number {
    return this.seen.size;
  }

  add(update: HeUpdate): void {
    const { session } = this;
    if (update.round !== session.round) bad('HE_UPDATE_INVALID', 'The update is for another round.', [`expected: ${session.round}`, `got: ${update.round}`]);
    if (!session.participants.includes(update.sender)) bad('HE_UPDATE_INVALID', 'The sender is not a participant of this round.', [`sender: ${update.sender}`]);
    if (this.seen.has(update.sender))
      throw new HeError('HE_DUPLICATE_UPDATE', 'This participant already sent its update this round.', { details: [`sender: ${update.sender}`] });
    if (update.ciphertexts.length !== session.packing.blocks) {
      bad('HE_UPDATE_INVALID', 'The update has the wrong number of ciphertexts.', [`expected: ${session.packing.blocks}`, `got: ${update.ciphertexts.length}`]);
    }
    // A ciphertext is a unit modulo n^2; anything else (0, n, a value past n^2) is not an
    // encryption under this key and would poison the product.
    update.ciphertexts.forEach((c, i) => {
      if (typeof c !== 'bigint' || c <= 0n || c >= this.n2 || gcd(c, session.modulus) !== 1n) {
        throw new HeError('HE_CIPHERTEXT_INVALID', 'A ciphertext is not an encryption under the round key.', {
          details: [`sender: ${update.sender}`, `block: ${i}`],
        });
      }
    });
    update.ciphertexts.forEach((c, i) => {
      this.product[i] = (this.product[i]! * c) % this.n2;
    });
    this.seen.add(update.sender);
  }

  /** The encrypted sum of every update added so far. */
  aggregate(): bigint[] {
    return [...this.product];
  }
}
