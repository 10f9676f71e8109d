// A simulated data owner: its participant index, its rows and its training settings.
// fit reads Flower-style keys from the round's config (`local_epochs`,
// `proximal_mu`); the batch order of each round is seeded by (seed, round), so a
// whole simulation is reproducible.
import type { Dataset } from '../../train/datasets.ts';
import type { Xoshiro128 } from '../../train/prng.ts';
import type { Sequential } from '../../train/sequential.ts';
import { PROXIMAL_MU_KEY } from '../strategies/fedprox.ts';
import type { FlClient } from '../simulation.ts';
import { parameterEvaluator } from './evaluate-parameters.ts';
import { trainLocal } from './local-training.ts';

export const LOCAL_EPOCHS_KEY = 'local_epochs';

export type LocalClientOptions = {
  index: number;
  build: (rng: Xoshiro128) => Sequential;
  data: Dataset;
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
};

export function createLocalClient(options: LocalClientOptions): FlClient {
  const evaluate = parameterEvaluator(options.build, options.data);
  return {
    index: options.index,
    fit(ins, serverRound) {
      const epochs = ins.config[LOCAL_EPOCHS_KEY];
      const mu = ins.config[PROXIMAL_MU_KEY];
      const trained = trainLocal(ins.parameters, {
        build: options.build,
        data: options.data,
        epochs: typeof epochs === 'number' ? epochs : options.epochs,
        batchSize: options.batchSize,
        learningRate: options.learningRate,
        proximalMu: typeof mu === 'number' ? mu : 0,
        seed: roundSeed(options.seed, serverRound),
      });
      return { parameters: trained.parameters, numExamples: trained.numExamples, metrics: { loss: trained.loss } };
    },
    evaluate(ins) {
      const result = evaluate(ins.parameters);
      return { loss: result.loss, numExamples: result.rows, metrics: { accuracy: result.accuracy } };
    },
  };
}

/** A per-round seed: distinct rounds give unrelated streams. */
export function roundSeed(seed: number, serverRound: number): number {
  return (Math.imul(seed ^ 0x5bd1e995, 0x27d4eb2d) ^ Math.imul(serverRound + 1, 0x9e3779b1)) >>> 0;
}
