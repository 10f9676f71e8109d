// The training loop: a fixed number of epochs of minibatch Adam, with the order of
// rows in each epoch drawn from the seeded generator. Nothing here reads a clock or
// Math.random, and everything runs on one thread, so a seed fixes the result.
import { Adam } from './adam.ts';
import type { Dataset } from './datasets.ts';
import { TrainError } from './errors.ts';
import { tensor } from './layer.ts';
import type { Xoshiro128 } from './prng.ts';
import type { Sequential } from './sequential.ts';
import { softmaxCrossEntropy } from './softmax-cross-entropy.ts';

export type FitOptions = {
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** FedProx: adds (mu / 2) ||w - anchor||^2 to the loss, anchor one array per param
   *  (the round's global model). The reported loss stays the data loss. */
  proximal?: { mu: number; anchor: readonly Float64Array[] };
};

export type FitResult = {
  /** Mean training loss of each epoch. */
  epochLoss: number[];
};

export function fit(net: Sequential, data: Dataset, options: FitOptions, rng: Xoshiro128): FitResult {
  if (data.features !== net.inputSize) {
    throw new TrainError('TRAIN_SHAPE_MISMATCH', 'The data set does not fit the network input.', {
      details: [`network input: ${net.inputSize} values`, `data set ${data.name}: ${data.features} features`],
    });
  }
  if (!(Number.isInteger(options.epochs) && options.epochs > 0 && Number.isInteger(options.batchSize) && options.batchSize > 0)) {
    throw new TrainError('TRAIN_BAD_CONFIG', 'Epochs and batch size must be positive integers.', {
      details: [`epochs: ${options.epochs}`, `batchSize: ${options.batchSize}`],
    });
  }
  const params = net.params();
  const proximal = options.proximal;
  if (
    proximal &&
    !(
      Number.isFinite(proximal.mu) &&
      proximal.mu >= 0 &&
      proximal.anchor.length === params.length &&
      proximal.anchor.every((a, i) => a.length === params[i]!.value.length)
    )
  ) {
    throw new TrainError('TRAIN_BAD_CONFIG', 'The proximal term needs mu >= 0 and one anchor array per parameter, of its size.', {
      details: [`mu: ${proximal.mu}`, `anchor arrays: ${proximal.anchor.length}, parameters: ${params.length}`],
    });
  }
  const optimizer = new Adam(params, { learningRate: options.learningRate });
  const order = Array.from({ length: data.rows }, (_, i) => i);
  const epochLoss: number[] = [];
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    rng.shuffle(order);
    let lossSum = 0;
    for (let start = 0; start < data.rows; start += options.batchSize) {
      const batch = order.slice(start, start + options.batchSize);
      const x = tensor([batch.length, ...net.inputShape]);
      const y = new Int32Array(batch.length);
      batch.forEach((row, i) => {
        x.data.set(data.x.subarray(row * data.features, (row + 1) * data.features), i * data.features);
        y[i] = data.y[row]!;
      });
      const { loss, grad } = softmaxCrossEntropy(net.forward(x), y);
      net.backward(grad);
      // The gradient of (mu / 2) ||w - anchor||^2 is mu (w - anchor).
      if (proximal && proximal.mu > 0) {
        params.forEach((p, k) => {
          const anchor = proximal.anchor[k]!;
          for (let i = 0; i < p.value.length; i++) p.grad[i]! += proximal.mu * (p.value[i]! - anchor[i]!);
        });
      }
      optimizer.step();
      lossSum += loss * batch.length;
    }
    epochLoss.push(lossSum / data.rows);
  }
  return { epochLoss };
}

/** Index of the largest logit in each row (the first one on a tie). */
export function argmaxRows(logits: Float64Array | Float32Array, rows: number, classes: number): Int32Array {
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let j = 1; j < classes; j++) if (logits[r * classes + j]! > logits[r * classes + best]!) best = j;
    out[r] = best;
  }
  return out;
}
