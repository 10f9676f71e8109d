// Conversions between bytes and 0x-prefixed lowercase hex.
import type { Hex } from '../artifact.ts';

export function toHex(bytes: Uint8Array): Hex {
  return `0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')}`;
}

/** Bytes of a 0x hex string, or undefined when it is not one of `length` bytes. */
export function fromHex(hex: string, length: number): Uint8Array | undefined {
  if (typeof hex !== 'string' || !/^0x[0-9a-fA-F]*$/.test(hex) || hex.length !== 2 + 2 * length) return undefined;
  return new Uint8Array(Buffer.from(hex.slice(2), 'hex'));
}
