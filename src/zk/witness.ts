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
