// 2-D convolution over NCHW with zero padding, strides, dilations and groups:
//   acc = bias[m] + sum_{c < C/g, i < kh, j < kw} x[n][g*C/g + c][oh*sh - pt + i*dh][ow*sw - pl + j*dw] * w[m][c][i][j]
// where g = floor(m / (M/g)) and positions outside the input contribute 0; then
// out = clamp(floor((acc + 2^(s-1)) / 2^s)).
import { ACT_MAX, ACT_MIN } from '../fixed.ts';

export type ConvParams = {
  inShape: readonly number[];
  shape: readonly number[];
  kernel: readonly [number, number];
  strides: readonly [number, number];
  pads: readonly [number, number, number, number];
  dilations: readonly [number, number];
  group: number;
  shift: number;
  weights: Float64Array;
  bias: Float64Array;
};

export function conv(p: ConvParams, x: Float64Array, batch: number, out: Float64Array): void {
  const [C, H, W] = p.inShape as [number, number, number];
  const [M, OH, OW] = p.shape as [number, number, number];
  const [kh, kw] = p.kernel;
  const [sh, sw] = p.strides;
  const [pt, pl] = p.pads;
  const [dh, dw] = p.dilations;
  const cg = C / p.group;
  const mg = M / p.group;
  const w = p.weights;
  const half = p.shift === 0 ? 0 : 2 ** (p.shift - 1);
  const inv = 2 ** -p.shift;
  const inSize = C * H * W;
  const outSize = M * OH * OW;
  for (let n = 0; n < batch; n++) {
    const xn = n * inSize;
    for (let m = 0; m < M; m++) {
      const c0 = Math.floor(m / mg) * cg;
      const bias = p.bias[m]!;
      const om = n * outSize + m * OH * OW;
      for (let oh = 0; oh < OH; oh++) {
        const ih0 = oh * sh - pt;
        for (let ow = 0; ow < OW; ow++) {
          const iw0 = ow * sw - pl;
          let acc = bias;
          for (let c = 0; c < cg; c++) {
            const xc = xn + (c0 + c) * H * W;
            const wc = (m * cg + c) * kh * kw;
            for (let i = 0; i < kh; i++) {
              const ih = ih0 + i * dh;
              if (ih < 0 || ih >= H) continue;
              const xr = xc + ih * W;
              const wr = wc + i * kw;
              for (let j = 0; j < kw; j++) {
                const iw = iw0 + j * dw;
                if (iw < 0 || iw >= W) continue;
                acc += x[xr + iw]! * w[wr + j]!;
              }
            }
          }
          const v = Math.floor((acc + half) * inv);
          out[om + oh * OW + ow] = v < ACT_MIN ? ACT_MIN : v > ACT_MAX ? ACT_MAX : v;
        }
      }
    }
  }
}
