// max(0, x), elementwise. Its gradient at exactly 0 is taken as 0.
import { requireInput } from './dense.ts';
import { tensor, type Layer, type Param, type Tensor } from './layer.ts';

export class Relu implements Layer {
  readonly kind = 'relu';
  private input: Tensor | undefined;

  outputShape(inputShape: readonly number[]): number[] {
    return [...inputShape];
  }

  forward(x: Tensor): Tensor {
    this.input = x;
    const y = tensor(x.shape);
    for (let i = 0; i < x.data.length; i++) y.data[i] = x.data[i]! > 0 ? x.data[i]! : 0;
    return y;
  }

  backward(gradOut: Tensor): Tensor {
    const x = requireInput(this.input);
    const gx = tensor(x.shape);
    for (let i = 0; i < x.data.length; i++) gx.data[i] = x.data[i]! > 0 ? gradOut.data[i]! : 0;
    return gx;
  }

  params(): Param[] {
    return [];
  }
}
