// Sealed inference inputs (docs/privacy.md, "Sealed inference inputs"): the client encrypts its input to the
// chosen provider's published X25519 key with HPKE (RFC 9180, base mode, DHKEM(X25519,
// HKDF-SHA256), HKDF-SHA256, ChaCha20-Poly1305), so the gateway routes bytes it cannot
// read. The request hash is the associated data: a sealed input opens only as part of
// the request it was sealed for, so nobody can lift it into another request, and the
// signed request still binds the plaintext through its input hash. The output comes back
// under a key both ends export from the same HPKE context, so only this client reads it.
import { chacha20poly1305 } from '@noble/ciphers/chacha';
import { Chacha20Poly1305 } from '@hpke/chacha20poly1305';
import { CipherSuite, DhkemX25519HkdfSha256, HkdfSha256 } from '@hpke/core';
import { bytesToHex, type Hex, hexToBytes, isHex } from 'viem';
import { ProtocolError } from './errors.ts';
import { verificationModes } from './verification-modes.ts';

const suite = new CipherSuite({ kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead: new Chacha20Poly1305() });
const INFO = new TextEncoder().encode('trellis sealed input v1');
const OUTPUT_LABEL = new TextEncoder().encode('trellis sealed output v1');
// The output key is exported from a context used for exactly one request, so one fixed
// nonce under it is safe: no key ever encrypts twice.
const OUTPUT_NONCE = new Uint8Array(12);

/** What travels in place of the input: the key it was sealed to, HPKE's encapsulated key and the ciphertext. */
export type SealedInput = { keyVersion: number; enc: Hex; ciphertext: Hex };

export type SealingKeyPair = { publicKey: Hex; privateKey: Hex };

export async function generateSealingKey(): Promise<SealingKeyPair> {
  const pair = await suite.kem.generateKeyPair();
  return {
    publicKey: bytesToHex(new Uint8Array(await suite.kem.serializePublicKey(pair.publicKey))),
    privateKey: bytesToHex(new Uint8Array(await suite.kem.serializePrivateKey(pair.privateKey))),
  };
}

/**
 * The verification modes a sealed input may ask for. Redundant mode would send one
 * sealed copy to two providers, and only one of them holds the key; the zk path has not
 * been carried through with a sealed answer. Both are refused rather than half-sealed.
 */
export const sealableModes: readonly string[] = ['none', 'optimistic'];

/** Refuses a sealed input in a mode that would leak it or cannot route it, naming the mode. */
export function checkSealable(verification: number): void {
  const mode = verificationModes[verification];
  if (mode !== undefined && sealableModes.includes(mode)) return;
  throw new ProtocolError('INVALID_BODY', `sealedInput is not offered with verification ${mode ?? verification}.`, {
    details: [
      `sealed inputs go with verification ${sealableModes.join(' or ')}`,
      mode === 'redundant' ? 'redundant mode would need one seal per provider' : 'the zk path does not carry sealed answers yet',
    ],
  });
}

/** What is sealed: one sample (or one output) as JSON text. */
export const encodeValues = (values: readonly number[]): Uint8Array => new TextEncoder().encode(JSON.stringify(values));

/** The JSON a sealed payload holds, or SEALED_INPUT_INVALID naming `what` when it is not JSON. */
export function decodeValues(bytes: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw invalid(`${what} opened but does not hold JSON.`);
  }
}

const invalid = (message: string, details: string[] = []) => new ProtocolError('SEALED_INPUT_INVALID', message, { details });

function bytesOf(value: unknown, what: string, length?: number): Uint8Array {
  if (typeof value !== 'string' || !isHex(value) || (length !== undefined && value.length !== 2 + 2 * length)) {
    throw invalid(`${what} is not ${length === undefined ? 'hex' : `${length} bytes of hex`}.`);
  }
  return hexToBytes(value);
}

/** Reads a sealed input off the wire, naming the field that is wrong. */
export function parseSealedInput(value: unknown): SealedInput {
  const v = value as Partial<SealedInput> | null;
  if (typeof v !== 'object' || v === null) throw invalid('sealedInput must be an object with keyVersion, enc and ciphertext.');
  if (!Number.isInteger(v.keyVersion) || (v.keyVersion as number) < 1) throw invalid('sealedInput.keyVersion must be a positive integer.');
  bytesOf(v.enc, 'sealedInput.enc', 32);
  bytesOf(v.ciphertext, 'sealedInput.ciphertext');
  return { keyVersion: v.keyVersion as number, enc: v.enc as Hex, ciphertext: v.ciphertext as Hex };
}

/** The client's side: seals the input bytes and keeps what opens the answer. */
export async function sealInput(o: { publicKey: Hex; keyVersion: number; requestHash: Hex; input: Uint8Array }): Promise<{
  sealed: SealedInput;
  openOutput: (sealedOutput: Hex) => Uint8Array;
}> {
  const recipientPublicKey = await suite.kem.deserializePublicKey(bytesOf(o.publicKey, "The provider's sealing key", 32));
  const sender = await suite.createSenderContext({ recipientPublicKey, info: INFO });
  const aad = hexToBytes(o.requestHash);
  const ciphertext = new Uint8Array(await sender.seal(o.input, aad));
  const outputKey = new Uint8Array(await sender.export(OUTPUT_LABEL, 32));
  return {
    sealed: { keyVersion: o.keyVersion, enc: bytesToHex(new Uint8Array(sender.enc)), ciphertext: bytesToHex(ciphertext) },
    openOutput: (sealedOutput) => {
      try {
        return chacha20poly1305(outputKey, OUTPUT_NONCE, aad).decrypt(bytesOf(sealedOutput, 'The sealed output'));
      } catch (error) {
        if (error instanceof ProtocolError) throw error;
        throw invalid("The sealed output does not open with this request's key: altered, or for another request.");
      }
    },
  };
}

/** The provider's side: opens the input of this request and returns how to seal the answer. */
export async function openInput(o: { privateKey: Hex; requestHash: Hex; sealed: SealedInput }): Promise<{
  input: Uint8Array;
  sealOutput: (output: Uint8Array) => Hex;
}> {
  const recipientKey = await suite.kem.deserializePrivateKey(hexToBytes(o.privateKey));
  const aad = hexToBytes(o.requestHash);
  let input: Uint8Array;
  let outputKey: Uint8Array;
  try {
    const recipient = await suite.createRecipientContext({ recipientKey, enc: bytesOf(o.sealed.enc, 'sealedInput.enc', 32), info: INFO });
    input = new Uint8Array(await recipient.open(bytesOf(o.sealed.ciphertext, 'sealedInput.ciphertext'), aad));
    outputKey = new Uint8Array(await recipient.export(OUTPUT_LABEL, 32));
  } catch (error) {
    if (error instanceof ProtocolError) throw error;
    throw invalid('The sealed input does not open: sealed to another key, for another request, or altered.');
  }
  return { input, sealOutput: (output) => bytesToHex(chacha20poly1305(outputKey, OUTPUT_NONCE, aad).encrypt(output)) };
}
