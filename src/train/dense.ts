// A fully connected layer, y = x W^T + b, with W stored [out, in] as in PyTorch and
// ONNX Gemm(transB=1).
import { TrainError } from './errors.ts';
import { param, tensor, type Layer, type Param, type Tensor } from './layer.ts';
import type { Xoshiro128 } from './prng.ts';

export class Dense implements Layer {
  readonly kind = 'dense';
  readonly weight: Param;
  readonly bias: Param;
  private input: Tensor | undefined;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    name: string,
  ) {
    this.weight = param(`${name}.weight`, [outFeatures, inFeatures]);
    this.bias = param(`${name}.bias`, [outFeatures]);
  }

  /** PyTorch's default: weights and biases uniform in +-1/sqrt(fan_in). */
  init(rng: Xoshiro128): void {
    const bound = 1 / Math.sqrt(this.inFeatures);
    for (let i = 0; i < this.weight.value.length; i++) this.weight.value[i] = rng.uniform(bound);
    for (let i = 0; i < this.bias.value.length; i++) this.bias.value[i] = rng.uniform(bound);
  }

  outputShape(inputShape: readonly number[]): number[] {
    if (inputShape.length !== 1 || inputShape[0] !== this.inFeatures) {
      throw new TrainError('TRAIN_SHAPE_MISMATCH', 'A dense layer got an input of the wrong shape.', {
        details: [`expected: [${this.inFeatures}]`, `got: [${inputShape.join(', ')}]`],
      });
    }
    return [this.outFeatures];
  }

  forward(x: Tensor): Tensor {
    this.outputShape(x.shape.slice(1));
    this.input = x;
    const n = x.shape[0]!;
    const { inFeatures: fin, outFeatures: fout } = this;
    const w = this.weight.value;
    const b = this.bias.value;
    const y = tensor([n, fout]);
    for (let r = 0; r < n; r++) {
      for (let o = 0; o < fout; o++) {
        let sum = b[o]!;
        for (let i = 0; i < fin; i++) sum += x.data[r * fin + i]! * w[o * fin + i]!;
        y.data[r * fout + o] = sum;
      }
    }
    return y;
  }

  backward(gradOut: Tensor): Tensor {
    const x = requireInput(this.input);
    const n = x.shape[0]!;
    const { inFeatures: fin, outFeatures: fout } = this;
    const w = this.weight.value;
    const gw = this.weight.grad;
    const gb = this.bias.grad;
    gw.fill(0);
    gb.fill(0);
    const gx = tensor(x.shape);
    for (let r = 0; r < n; r++) {
      for (let o = 0; o < fout; o++) {
        const g = gradOut.data[r * fout + o]!;
        gb[o]! += g;
        for (let i = 0; i < fin; i++) {
          gw[o * fin + i]! += g * x.data[r * fin + i]!;
          gx.data[r * fin + i]! += g * w[o * fin + i]!;
        }
      }
    }
    return gx;
  }

  params(): Param[] {
    return [this.weight, this.bias];
  }
}

export function requireInput(input: Tensor | undefined): Tensor {
  if (!input) throw new TrainError('TRAIN_BAD_CONFIG', 'backward was called before forward.');
  return input;
}
