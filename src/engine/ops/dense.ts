// Dense layer (Gemm, or MatMul + Add): for each sample n and output neuron m,
//   acc = bias[m] + sum_k x[n][k] * w[m][k]      (exact: |acc| < 2^53 by the import bound)
//   out[n][m] = clamp(floor((acc + 2^(s-1)) / 2^s))   (round half up, saturate to int16)
import { ACT_MAX, ACT_MIN } from '../fixed.ts';

export type DenseParams = { inFeatures: number; outFeatures: number; shift: number; weights: Float64Array; bias: Float64Array };

export function dense(p: DenseParams, x: Float64Array, batch: number, out: Float64Array): void {
  const K = p.inFeatures;
  const M = p.outFeatures;
  const w = p.weights;
  const b = p.bias;
  const half = p.shift === 0 ? 0 : 2 ** (p.shift - 1);
  const inv = 2 ** -p.shift;
  for (let n = 0; n < batch; n++) {
    const xo = n * K;
    const oo = n * M;
    for (let m = 0; m < M; m++) {
      const wo = m * K;
      let acc = b[m]!;
      for (let k = 0; k < K; k++) acc += x[xo + k]! * w[wo + k]!;
      // Multiplying by 2^-s is exact, like the division it stands for.
      const v = Math.floor((acc + half) * inv);
      out[oo + m] = v < ACT_MIN ? ACT_MIN : v > ACT_MAX ? ACT_MAX : v;
    }
  }
}
