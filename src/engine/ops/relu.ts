// Relu: out = max(0, x), same scale as the input.
export function relu(x: Float64Array, count: number, out: Float64Array): void {
  for (let i = 0; i < count; i++) {
    const v = x[i]!;
    out[i] = v > 0 ? v : 0;
  }
}
