// A lower bound on a generated circuit's R1CS constraint count, read from the artifact
// alone. Compiling a large circuit takes minutes (circom2 runs as WebAssembly), so a model
// that cannot fit the committed ceremony is refused from this bound before compiling.
//
// It counts only constraints no optimisation can remove, those that multiply two signals:
// each bit of a bit decomposition (b * (b - 1) = 0), each weight-times-activation product,
// each relu's select and each requantization's saturation select. The Poseidon hashes are
// left out, so the true count is higher (13,784 against a bound of about 10,800 for
// breast-cancer-mlp); the differential check is in src/zk/keys.test.ts.
import type { Artifact } from '../engine/artifact.ts';
import { quotientBits } from './circuit-gen.ts';

const product = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

export function constraintLowerBound(artifact: Artifact): number {
  // The input's int16 range check: 16 bits per value.
  let count = 16 * product(artifact.input.shape);
  for (const layer of artifact.layers) {
    if (layer.op === 'relu') {
      // 16 bits and the select.
      count += 17 * product(layer.shape);
    } else if (layer.op === 'dense') {
      const B = quotientBits(layer);
      const weights = layer.inFeatures * layer.outFeatures;
      // Unpacking: 16 bits per weight; then one product per weight.
      count += 17 * weights;
      // Requantization per output: s remainder bits, B + 1 quotient bits, two comparisons
      // of B + 2 bits each, one saturation select.
      count += layer.outFeatures * (layer.shift + B + 1 + 2 * (B + 2) + 1);
    }
  }
  return count;
}
