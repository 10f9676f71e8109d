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
      // Four partial sums: every term is an exact integer and every partial sum stays
      // below 2^53, so the order of additions cannot change the result.
      let a0 = b[m]!;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      let k = 0;
      for (; k + 3 < K; k += 4) {
        a0 += x[xo + k]! * w[wo + k]!;
        a1 += x[xo + k + 1]! * w[wo + k + 1]!;
        a2 += x[xo + k + 2]! * w[wo + k + 2]!;
        a3 += x[xo + k + 3]! * w[wo + k + 3]!;
      }
      for (; k < K; k++) a0 += x[xo + k]! * w[wo + k]!;
      const acc = a0 + a1 + (a2 + a3);
      // Multiplying by 2^-s is exact, like the division it stands for.
      const v = Math.floor((acc + half) * inv);
      out[oo + m] = v < ACT_MIN ? ACT_MIN : v > ACT_MAX ? ACT_MAX : v;
    }
  }
}
