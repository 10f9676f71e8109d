// Witness computation with the compiled witness calculator (the circuit's own wasm).
// Witness layout: index 0 is the constant 1, then the public outputs in declaration
// order: 1 = weightHash, 2 = ioHash.
import { readFileSync } from 'node:fs';
import { type WitnessCalculator, WitnessCalculatorBuilder } from 'circom_runtime';
import type { CircuitInput } from './witness-input.ts';

export const WEIGHT_HASH_INDEX = 1;
export const IO_HASH_INDEX = 2;

export type Witness = { values: bigint[]; weightHash: bigint; ioHash: bigint };

export async function loadWitnessCalculator(wasmPath: string): Promise<(input: CircuitInput) => Promise<Witness>> {
  const calculator: WitnessCalculator = await WitnessCalculatorBuilder(readFileSync(wasmPath));
  return async (input) => {
    // A failing constraint inside the calculator (an `===` or a component's assert) throws.
    const values = await calculator.calculateWitness(input, false);
    return { values, weightHash: values[WEIGHT_HASH_INDEX]!, ioHash: values[IO_HASH_INDEX]! };
  };
}

/**
 * A witness in snarkjs's binary `.wtns` form (version 2): a header section (field element
 * size, the prime, the count) and a section of little-endian field elements. Used to prove
 * from a witness the calculator did not produce (the adversarial tests).
 */
export function encodeWitness(values: readonly bigint[], prime: bigint): Uint8Array {
  const n8 = 32;
  const headerSize = 4 + n8 + 4;
  const dataSize = values.length * n8;
  const out = new Uint8Array(12 + 12 + headerSize + 12 + dataSize);
  const view = new DataView(out.buffer);
  out.set([0x77, 0x74, 0x6e, 0x73]); // "wtns"
  view.setUint32(4, 2, true);
  view.setUint32(8, 2, true);
  let at = 12;
  const section = (type: number, size: number): void => {
    view.setUint32(at, type, true);
    view.setBigUint64(at + 4, BigInt(size), true);
    at += 12;
  };
  const element = (x: bigint): void => {
    let v = x;
    for (let i = 0; i < n8; i++, v >>= 8n) out[at + i] = Number(v & 0xffn);
    at += n8;
  };
  section(1, headerSize);
  view.setUint32(at, n8, true);
  at += 4;
  element(prime);
  view.setUint32(at, values.length, true);
  at += 4;
  section(2, dataSize);
  for (const v of values) element(v);
  return out;
}
