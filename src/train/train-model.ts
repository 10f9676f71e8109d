// Trains one default model from its spec on the rows prepareData gives. The split is
// drawn by a generator seeded with `seed`; another, seeded with
// `seed + trainingStreamOffset`, draws the initial weights and then the batch order,
// so changing the epochs never moves the split.
import { fit } from './fit.ts';
import type { ModelSpec } from './models.ts';
import { prepareData, type PreparedData } from './prepare-data.ts';
import { Xoshiro128 } from './prng.ts';
import type { Sequential } from './sequential.ts';

export const trainingStreamOffset = 0x10000;

export type TrainModelOptions = {
  /** Overrides the spec's epochs (a short run for the determinism test). */
  epochs?: number;
  dataDir?: string;
};

export type TrainedModel = PreparedData & {
  spec: ModelSpec;
  net: Sequential;
  epochLoss: number[];
};

export function trainModel(spec: ModelSpec, options: TrainModelOptions = {}): TrainedModel {
  const prepared = prepareData(spec, options.dataDir);
  const rng = new Xoshiro128(spec.seed + trainingStreamOffset);
  const net = spec.build(rng);
  const { epochLoss } = fit(net, prepared.train, { ...spec.fit, epochs: options.epochs ?? spec.fit.epochs }, rng);
  return { ...prepared, spec, net, epochLoss };
}
