// AveragePool over NCHW. The divisor is always the full window kh * kw (padded
// positions count as zeros; the import refuses count_include_pad = 0 with padding).
// Division is a multiplication by a fixed-point reciprocal, which a circuit can check
// without a division:
//   R = floor((2^33 + kh*kw) / (2 * kh*kw))      (2^32 / (kh*kw), round half up)
//   out = clamp(floor((sum * R + 2^31) / 2^32))   (round half up, saturate to int16)
// Exact for power-of-two windows; |sum * R| <= 2^47 + kh*kw * 2^14 < 2^53.
import { ACT_MAX, ACT_MIN, type Values } from '../fixed.ts';
import type { PoolParams } from './maxpool.ts';

export function reciprocalFor(count: number): number {
  return Math.floor((2 ** 33 + count) / (2 * count));
}

export function avgpool(p: PoolParams & { reciprocal: number }, x: Values, batch: number, out: Values): void {
  const [C, H, W] = p.inShape as [number, number, number];
  const [, OH, OW] = p.shape as [number, number, number];
  const [kh, kw] = p.kernel;
  const [sh, sw] = p.strides;
  const [pt, pl] = p.pads;
  const R = p.reciprocal;
  const half = 2 ** 31;
  const inv = 2 ** -32;
  for (let nc = 0; nc < batch * C; nc++) {
    const xo = nc * H * W;
    const oo = nc * OH * OW;
    for (let oh = 0; oh < OH; oh++) {
      const ih0 = oh * sh - pt;
      for (let ow = 0; ow < OW; ow++) {
        const iw0 = ow * sw - pl;
        let sum = 0;
        for (let i = 0; i < kh; i++) {
          const ih = ih0 + i;
          if (ih < 0 || ih >= H) continue;
          for (let j = 0; j < kw; j++) {
            const iw = iw0 + j;
            if (iw < 0 || iw >= W) continue;
            sum += x[xo + ih * W + iw]!;
          }
        }
        const v = Math.floor((sum * R + half) * inv);
        out[oo + oh * OW + ow] = v < ACT_MIN ? ACT_MIN : v > ACT_MAX ? ACT_MAX : v;
      }
    }
  }
}
