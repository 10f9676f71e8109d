// The training loss: mean over the batch of -log softmax(logits)[label]. The exported
// models output the logits themselves; softmax lives only here.
import { TrainError } from './errors.ts';
import { tensor, type Tensor } from './layer.ts';

export type LossResult = { loss: number; grad: Tensor };

export function softmaxCrossEntropy(logits: Tensor, labels: Int32Array): LossResult {
  const [n, k] = logits.shape as [number, number];
  if (logits.shape.length !== 2 || labels.length !== n) {
    throw new TrainError('TRAIN_SHAPE_MISMATCH', 'Logits and labels disagree on the batch size.', {
      details: [`logits: [${logits.shape.join(', ')}]`, `labels: ${labels.length}`],
    });
  }
  const grad = tensor([n, k]);
  let total = 0;
  for (let r = 0; r < n; r++) {
    // Subtract the row's maximum so that exp never overflows.
    let max = -Infinity;
    for (let j = 0; j < k; j++) max = Math.max(max, logits.data[r * k + j]!);
    let sum = 0;
    for (let j = 0; j < k; j++) sum += Math.exp(logits.data[r * k + j]! - max);
    const label = labels[r]!;
    total += Math.log(sum) - (logits.data[r * k + label]! - max);
    for (let j = 0; j < k; j++) {
      const p = Math.exp(logits.data[r * k + j]! - max) / sum;
      grad.data[r * k + j] = (p - (j === label ? 1 : 0)) / n;
    }
  }
  return { loss: total / n, grad };
}
