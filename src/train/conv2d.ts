// A 2-D convolution over [N, C, H, W] with a square kernel, stride 1 and equal zero
// padding on every side; weights stored [out, in, k, k] as in PyTorch and ONNX Conv.
import { requireInput } from './dense.ts';
import { TrainError } from './errors.ts';
import { param, tensor, type Layer, type Param, type Tensor } from './layer.ts';
import type { Xoshiro128 } from './prng.ts';

export class Conv2d implements Layer {
  readonly kind = 'conv2d';
  readonly weight: Param;
  readonly bias: Param;
  private input: Tensor | undefined;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernel: number,
    readonly pad: number,
    name: string,
  ) {
    this.weight = param(`${name}.weight`, [outChannels, inChannels, kernel, kernel]);
    this.bias = param(`${name}.bias`, [outChannels]);
  }

  /** PyTorch's default: uniform in +-1/sqrt(fan_in), fan_in = in * k * k. */
  init(rng: Xoshiro128): void {
    const bound = 1 / Math.sqrt(this.inChannels * this.kernel * this.kernel);
    for (let i = 0; i < this.weight.value.length; i++) this.weight.value[i] = rng.uniform(bound);
    for (let i = 0; i < this.bias.value.length; i++) this.bias.value[i] = rng.uniform(bound);
  }

  outputShape(inputShape: readonly number[]): number[] {
    const [c, h, w] = inputShape;
    if (inputShape.length !== 3 || c !== this.inChannels || h! + 2 * this.pad < this.kernel || w! + 2 * this.pad < this.kernel) {
      throw new TrainError('TRAIN_SHAPE_MISMATCH', 'A conv2d layer got an input of the wrong shape.', {
        details: [`expected: [${this.inChannels}, H, W] with H, W >= ${this.kernel - 2 * this.pad}`, `got: [${inputShape.join(', ')}]`],
      });
    }
    return [this.outChannels, h! + 2 * this.pad - this.kernel + 1, w! + 2 * this.pad - this.kernel + 1];
  }

  forward(x: Tensor): Tensor {
    const [oc, oh, ow] = this.outputShape(x.shape.slice(1)) as [number, number, number];
    this.input = x;
    const [n, ic, h, w] = x.shape as [number, number, number, number];
    const { kernel: k, pad: p } = this;
    const wt = this.weight.value;
    const y = tensor([n, oc, oh, ow]);
    for (let r = 0; r < n; r++) {
      for (let o = 0; o < oc; o++) {
        for (let yi = 0; yi < oh; yi++) {
          for (let xi = 0; xi < ow; xi++) {
            let sum = this.bias.value[o]!;
            for (let c = 0; c < ic; c++) {
              for (let ky = 0; ky < k; ky++) {
                const iy = yi + ky - p;
                if (iy < 0 || iy >= h) continue;
                for (let kx = 0; kx < k; kx++) {
                  const ix = xi + kx - p;
                  if (ix < 0 || ix >= w) continue;
                  sum += x.data[((r * ic + c) * h + iy) * w + ix]! * wt[((o * ic + c) * k + ky) * k + kx]!;
                }
              }
            }
            y.data[((r * oc + o) * oh + yi) * ow + xi] = sum;
          }
        }
      }
    }
    return y;
  }

  backward(gradOut: Tensor): Tensor {
    const x = requireInput(this.input);
    const [n, ic, h, w] = x.shape as [number, number, number, number];
    const [, oc, oh, ow] = gradOut.shape as [number, number, number, number];
    const { kernel: k, pad: p } = this;
    const wt = this.weight.value;
    const gw = this.weight.grad;
    const gb = this.bias.grad;
    gw.fill(0);
    gb.fill(0);
    const gx = tensor(x.shape);
    for (let r = 0; r < n; r++) {
      for (let o = 0; o < oc; o++) {
        for (let yi = 0; yi < oh; yi++) {
          for (let xi = 0; xi < ow; xi++) {
            const g = gradOut.data[((r * oc + o) * oh + yi) * ow + xi]!;
            gb[o]! += g;
            for (let c = 0; c < ic; c++) {
              for (let ky = 0; ky < k; ky++) {
                const iy = yi + ky - p;
                if (iy < 0 || iy >= h) continue;
                for (let kx = 0; kx < k; kx++) {
                  const ix = xi + kx - p;
                  if (ix < 0 || ix >= w) continue;
                  const xIndex = ((r * ic + c) * h + iy) * w + ix;
                  const wIndex = ((o * ic + c) * k + ky) * k + kx;
                  gw[wIndex]! += g * x.data[xIndex]!;
                  gx.data[xIndex]! += g * wt[wIndex]!;
                }
              }
            }
          }
        }
      }
    }
    return gx;
  }

  params(): Param[] {
    return [this.weight, this.bias];
  }
}
