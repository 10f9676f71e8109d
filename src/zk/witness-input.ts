// The circuit's input signals for one quantized input: the input itself and every dense
// layer's packed weights and biases, as decimal field elements (the form the witness
// calculator and snarkjs take).
import type { Artifact } from '../engine/index.ts';
import { packInt16, toField } from './commitment.ts';
import { ZkInputError } from './errors.ts';

export type CircuitInput = Record<string, string[]>;

export function circuitInput(artifact: Artifact, quantizedInput: ArrayLike<number>): CircuitInput {
  const size = artifact.input.shape.reduce((a, b) => a * b, 1);
  if (quantizedInput.length !== size) throw new ZkInputError([`expected: ${size} quantized values`, `got: ${quantizedInput.length}`]);
  // packInt16 refuses anything that is not an int16.
  packInt16(quantizedInput);
  const input: CircuitInput = { t0: Array.from(quantizedInput, (v) => toField(v).toString()) };
  artifact.layers.forEach((layer, index) => {
    if (layer.op !== 'dense') return;
    input[`w${index + 1}`] = packInt16(layer.weights).map(String);
    input[`b${index + 1}`] = layer.bias.map((b) => toField(b).toString());
  });
  return input;
}
