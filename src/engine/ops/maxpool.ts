// MaxPool over NCHW: the largest input in each window; padded positions are skipped
// (never chosen). Every window holds at least one real position because the import
// requires pads < kernel. Same scale as the input.
export type PoolParams = {
  inShape: readonly number[];
  shape: readonly number[];
  kernel: readonly [number, number];
  strides: readonly [number, number];
  pads: readonly [number, number, number, number];
};

export function maxpool(p: PoolParams, x: Float64Array, batch: number, out: Float64Array): void {
  const [C, H, W] = p.inShape as [number, number, number];
  const [, OH, OW] = p.shape as [number, number, number];
  const [kh, kw] = p.kernel;
  const [sh, sw] = p.strides;
  const [pt, pl] = p.pads;
  for (let nc = 0; nc < batch * C; nc++) {
    const xo = nc * H * W;
    const oo = nc * OH * OW;
    for (let oh = 0; oh < OH; oh++) {
      const ih0 = oh * sh - pt;
      for (let ow = 0; ow < OW; ow++) {
        const iw0 = ow * sw - pl;
        let best = -Infinity;
        for (let i = 0; i < kh; i++) {
          const ih = ih0 + i;
          if (ih < 0 || ih >= H) continue;
          for (let j = 0; j < kw; j++) {
            const iw = iw0 + j;
            if (iw < 0 || iw >= W) continue;
            const v = x[xo + ih * W + iw]!;
            if (v > best) best = v;
          }
        }
        out[oo + oh * OW + ow] = best;
      }
    }
  }
}
