// Trains one default model from its spec: load the shipped data, split it, fit the
// standardizer on the training rows where the spec asks for one, then fit the
// network. Two generators drive it: one seeded with `seed` draws the split, one
// seeded with `seed + trainingStreamOffset` draws the initial weights and then the
// batch order, so changing the epochs never moves the split.
import { selectRows, stratifiedSplit, type Split } from './split.ts';
import { fit } from './fit.ts';
import type { Dataset } from './datasets.ts';
import { loadDataset, type ModelSpec } from './models.ts';
import { Xoshiro128 } from './prng.ts';
import type { Sequential } from './sequential.ts';
import { fitStandardizer, standardizeDataset, type Standardizer } from './standardize.ts';

export const trainingStreamOffset = 0x10000;

export type TrainModelOptions = {
  /** Overrides the spec's epochs (a short run for the determinism test). */
  epochs?: number;
  dataDir?: string;
};

export type TrainedModel = {
  spec: ModelSpec;
  net: Sequential;
  split: Split;
  standardizer: Standardizer | undefined;
  /** Rows as the network sees them (standardized where the spec says so). */
  train: Dataset;
  heldOut: Dataset;
  epochLoss: number[];
};

export function trainModel(spec: ModelSpec, options: TrainModelOptions = {}): TrainedModel {
  const data = loadDataset(spec.dataset, options.dataDir);
  const split = stratifiedSplit(data, spec.heldOutFraction, spec.seed);
  let train = selectRows(data, split.train);
  let heldOut = selectRows(data, split.heldOut);
  let standardizer: Standardizer | undefined;
  if (spec.standardize) {
    standardizer = fitStandardizer(train);
    train = standardizeDataset(train, standardizer);
    heldOut = standardizeDataset(heldOut, standardizer);
  }
  const rng = new Xoshiro128(spec.seed + trainingStreamOffset);
  const net = spec.build(rng);
  const { epochLoss } = fit(net, train, { ...spec.fit, epochs: options.epochs ?? spec.fit.epochs }, rng);
  return { spec, net, split, standardizer, train, heldOut, epochLoss };
}
