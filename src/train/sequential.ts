// A chain of layers applied in order, with a fixed per-row input shape. Flat data
// rows are viewed in that shape (row-major), e.g. 64 pixels as [1, 8, 8].
import { TrainError } from './errors.ts';
import { tensor, type Layer, type Param, type Tensor } from './layer.ts';

export class Sequential {
  readonly outputShape: readonly number[];

  constructor(
    readonly inputShape: readonly number[],
    readonly layers: readonly Layer[],
  ) {
    this.outputShape = layers.reduce<readonly number[]>((shape, layer) => layer.outputShape(shape), inputShape);
  }

  get inputSize(): number {
    return this.inputShape.reduce((a, b) => a * b, 1);
  }

  /** Runs rows (rows x inputSize, row-major) through every layer; returns logits. */
  forwardRows(x: Float64Array, rows: number): Tensor {
    if (x.length !== rows * this.inputSize) {
      throw new TrainError('TRAIN_SHAPE_MISMATCH', 'The rows do not match the network input size.', {
        details: [`expected: ${rows} x ${this.inputSize} = ${rows * this.inputSize} values`, `got: ${x.length}`],
      });
    }
    return this.forward(tensor([rows, ...this.inputShape], x));
  }

  forward(x: Tensor): Tensor {
    return this.layers.reduce((t, layer) => layer.forward(t), x);
  }

  /** Back-propagates d(loss)/d(output) through every layer, filling param grads. */
  backward(gradOut: Tensor): Tensor {
    let g = gradOut;
    for (let i = this.layers.length - 1; i >= 0; i--) g = this.layers[i]!.backward(g);
    return g;
  }

  params(): Param[] {
    return this.layers.flatMap((layer) => layer.params());
  }
}
