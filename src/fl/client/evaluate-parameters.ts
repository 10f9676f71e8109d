// How good a parameter vector is on a set of rows: correct predictions (an integer,
// from the float forward pass, which uses only +, *, max and so gives the same
// argmax on every IEEE machine), accuracy, and the mean cross-entropy loss.
import type { Dataset } from '../../train/datasets.ts';
import { argmaxRows } from '../../train/fit.ts';
import { Xoshiro128 } from '../../train/prng.ts';
import type { Sequential } from '../../train/sequential.ts';
import { softmaxCrossEntropy } from '../../train/softmax-cross-entropy.ts';
import { fromFixed, type Parameters } from '../strategies/parameters.ts';
import { setFlatParameters } from './network-parameters.ts';

export type Evaluation = { correct: number; rows: number; accuracy: number; loss: number };

/** Returns an evaluator that reuses one network for every call. */
export function parameterEvaluator(build: (rng: Xoshiro128) => Sequential, data: Dataset): (parameters: Parameters) => Evaluation {
  const net = build(new Xoshiro128(0));
  return (parameters) => {
    setFlatParameters(net, fromFixed(parameters));
    const logits = net.forwardRows(data.x, data.rows);
    const top = argmaxRows(logits.data, data.rows, data.classes);
    let correct = 0;
    for (let r = 0; r < data.rows; r++) if (top[r] === data.y[r]) correct++;
    const { loss } = softmaxCrossEntropy(logits, data.y);
    return { correct, rows: data.rows, accuracy: correct / data.rows, loss };
  };
}
