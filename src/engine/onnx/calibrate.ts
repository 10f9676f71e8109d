// The float forward pass used only for calibration: the imported graph (weights still
// floats) run on the caller's sample inputs to find each tensor's largest magnitude.
// Exactness does not matter here; only the chosen power-of-two scales are kept.
import type { Layer } from '../artifact.ts';

const product = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

function window(
  inShape: readonly number[],
  shape: readonly number[],
  l: { kernel: readonly number[]; strides: readonly number[]; pads: readonly number[]; dilations?: readonly number[] },
) {
  const [, H, W] = inShape as [number, number, number];
  const [, OH, OW] = shape as [number, number, number];
  const [kh, kw] = l.kernel as [number, number];
  const [sh, sw] = l.strides as [number, number];
  const [pt, pl] = l.pads as [number, number];
  const [dh, dw] = (l.dilations ?? [1, 1]) as [number, number];
  return { H, W, OH, OW, kh, kw, sh, sw, pt, pl, dh, dw };
}

function layerForward(l: Layer, tensors: Float64Array[], batch: number): Float64Array {
  const size = product(l.shape);
  const out = new Float64Array(batch * size);
  switch (l.op) {
    case 'dense': {
      const x = tensors[l.input]!;
      const K = l.inFeatures;
      for (let n = 0; n < batch; n++)
        for (let m = 0; m < l.outFeatures; m++) {
          let acc = l.bias[m]!;
          for (let k = 0; k < K; k++) acc += x[n * K + k]! * l.weights[m * K + k]!;
          out[n * size + m] = acc;
        }
      return out;
    }
    case 'conv': {
      const x = tensors[l.input]!;
      const { H, W, OH, OW, kh, kw, sh, sw, pt, pl, dh, dw } = window(l.inShape, l.shape, l);
      const C = l.inShape[0]!;
      const M = l.shape[0]!;
      const cg = C / l.group;
      const mg = M / l.group;
      for (let n = 0; n < batch; n++)
        for (let m = 0; m < M; m++)
          for (let oh = 0; oh < OH; oh++)
            for (let ow = 0; ow < OW; ow++) {
              let acc = l.bias[m]!;
              for (let c = 0; c < cg; c++)
                for (let i = 0; i < kh; i++)
                  for (let j = 0; j < kw; j++) {
                    const ih = oh * sh - pt + i * dh;
                    const iw = ow * sw - pl + j * dw;
                    if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                    const ic = Math.floor(m / mg) * cg + c;
                    acc += x[((n * C + ic) * H + ih) * W + iw]! * l.weights[((m * cg + c) * kh + i) * kw + j]!;
                  }
              out[((n * M + m) * OH + oh) * OW + ow] = acc;
            }
      return out;
    }
    case 'relu': {
      const x = tensors[l.input]!;
      for (let i = 0; i < out.length; i++) out[i] = Math.max(0, x[i]!);
      return out;
    }
    case 'maxpool':
    case 'avgpool': {
      const x = tensors[l.input]!;
      const { H, W, OH, OW, kh, kw, sh, sw, pt, pl } = window(l.inShape, l.shape, l);
      const C = l.inShape[0]!;
      for (let nc = 0; nc < batch * C; nc++)
        for (let oh = 0; oh < OH; oh++)
          for (let ow = 0; ow < OW; ow++) {
            let best = -Infinity;
            let sum = 0;
            for (let i = 0; i < kh; i++)
              for (let j = 0; j < kw; j++) {
                const ih = oh * sh - pt + i;
                const iw = ow * sw - pl + j;
                if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                const v = x[(nc * H + ih) * W + iw]!;
                sum += v;
                if (v > best) best = v;
              }
            out[(nc * OH + oh) * OW + ow] = l.op === 'maxpool' ? best : sum / (kh * kw);
          }
      return out;
    }
    case 'add': {
      const a = tensors[l.inputs[0]]!;
      const b = tensors[l.inputs[1]]!;
      for (let i = 0; i < out.length; i++) out[i] = a[i]! + b[i]!;
      return out;
    }
  }
}

/** Largest |value| of every tensor (0 = input) over the calibration batch. */
export function calibrate(layers: readonly Layer[], input: Float64Array, batch: number): number[] {
  const tensors: Float64Array[] = [input];
  for (const l of layers) tensors.push(layerForward(l, tensors, batch));
  return tensors.map((t) => {
    let m = 0;
    for (let i = 0; i < t.length; i++) {
      const v = Math.abs(t[i]!);
      if (v > m) m = v;
    }
    return m;
  });
}
