// A data owner's part of a round: load the global parameters into the network, train
// E epochs of minibatch Adam on the local rows (src/train/fit.ts), with FedProx's
// proximal term toward the global model when mu > 0, and return the new parameters
// in fixed point. A fresh optimizer each round, as Flower's clients do; the seed
// fixes the batch order, so the same inputs give the same update bit for bit.
import type { Dataset } from '../../train/datasets.ts';
import { fit } from '../../train/fit.ts';
import { Xoshiro128 } from '../../train/prng.ts';
import type { Sequential } from '../../train/sequential.ts';
import { fromFixed, type Parameters, toFixed } from '../strategies/parameters.ts';
import { setFlatParameters, getFlatParameters } from './network-parameters.ts';

export type LocalTrainingOptions = {
  /** Builds the network (the shape matters; its initial weights are overwritten). */
  build: (rng: Xoshiro128) => Sequential;
  data: Dataset;
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** FedProx's mu; 0 or absent: plain local training. */
  proximalMu?: number;
  seed: number;
};

export type LocalTrainingResult = {
  parameters: number[];
  numExamples: number;
  /** Mean data loss of the last local epoch. */
  loss: number;
};

export function trainLocal(global: Parameters, options: LocalTrainingOptions): LocalTrainingResult {
  const rng = new Xoshiro128(options.seed);
  const net = options.build(rng);
  setFlatParameters(net, fromFixed(global));
  const mu = options.proximalMu ?? 0;
  const anchor = mu !== 0 ? net.params().map((p) => Float64Array.from(p.value)) : undefined;
  const { epochLoss } = fit(
    net,
    options.data,
    {
      epochs: options.epochs,
      batchSize: options.batchSize,
      learningRate: options.learningRate,
      ...(anchor ? { proximal: { mu, anchor } } : {}),
    },
    rng,
  );
  return { parameters: toFixed(getFlatParameters(net)), numExamples: options.data.rows, loss: epochLoss.at(-1) ?? Number.NaN };
}
