// Relu: out = max(0, x), same scale as the input.
import type { Values } from '../fixed.ts';
export function relu(x: Values, count: number, out: Values): void {
  for (let i = 0; i < count; i++) {
    const v = x[i]!;
    out[i] = v > 0 ? v : 0;
  }
}
