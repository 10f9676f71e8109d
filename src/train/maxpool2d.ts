// Max pooling over [N, C, H, W] with a square window and a stride equal to it (no
// padding; a partial window at the edge is dropped, as ONNX MaxPool does by default).
// The gradient goes to the first maximum in row-major window order, so ties resolve
// the same way on every run.
import { requireInput } from './dense.ts';
import { TrainError } from './errors.ts';
import { tensor, type Layer, type Param, type Tensor } from './layer.ts';

export class MaxPool2d implements Layer {
  readonly kind = 'maxpool2d';
  private input: Tensor | undefined;
  private argmax: Int32Array = new Int32Array(0);

  constructor(readonly window: number) {}

  outputShape(inputShape: readonly number[]): number[] {
    const [c, h, w] = inputShape;
    if (inputShape.length !== 3 || h! < this.window || w! < this.window) {
      throw new TrainError('TRAIN_SHAPE_MISMATCH', 'A maxpool layer got an input of the wrong shape.', {
        details: [`expected: [C, H, W] with H, W >= ${this.window}`, `got: [${inputShape.join(', ')}]`],
      });
    }
    return [c!, Math.floor(h! / this.window), Math.floor(w! / this.window)];
  }

  forward(x: Tensor): Tensor {
    const [c, oh, ow] = this.outputShape(x.shape.slice(1)) as [number, number, number];
    this.input = x;
    const [n, , h, w] = x.shape as [number, number, number, number];
    const k = this.window;
    const y = tensor([n, c, oh, ow]);
    this.argmax = new Int32Array(y.data.length);
    for (let plane = 0; plane < n * c; plane++) {
      for (let yi = 0; yi < oh; yi++) {
        for (let xi = 0; xi < ow; xi++) {
          let best = -Infinity;
          let bestIndex = -1;
          for (let ky = 0; ky < k; ky++) {
            for (let kx = 0; kx < k; kx++) {
              const index = (plane * h + yi * k + ky) * w + xi * k + kx;
              if (x.data[index]! > best) {
                best = x.data[index]!;
                bestIndex = index;
              }
            }
          }
          const out = (plane * oh + yi) * ow + xi;
          y.data[out] = best;
          this.argmax[out] = bestIndex;
        }
      }
    }
    return y;
  }

  backward(gradOut: Tensor): Tensor {
    const x = requireInput(this.input);
    const gx = tensor(x.shape);
    for (let i = 0; i < gradOut.data.length; i++) gx.data[this.argmax[i]!]! += gradOut.data[i]!;
    return gx;
  }

  params(): Param[] {
    return [];
  }
}
