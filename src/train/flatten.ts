// Reshapes each row to one vector (and back, for the gradient). Rows keep their
// element order, which matches ONNX Flatten(axis=1) and Reshape to [N, -1].
import { tensor, type Layer, type Param, type Tensor } from './layer.ts';

export class Flatten implements Layer {
  readonly kind = 'flatten';
  private inputShape: readonly number[] = [];

  outputShape(inputShape: readonly number[]): number[] {
    return [inputShape.reduce((a, b) => a * b, 1)];
  }

  forward(x: Tensor): Tensor {
    this.inputShape = x.shape;
    return tensor([x.shape[0]!, ...this.outputShape(x.shape.slice(1))], x.data);
  }

  backward(gradOut: Tensor): Tensor {
    return tensor(this.inputShape, gradOut.data);
  }

  params(): Param[] {
    return [];
  }
}
