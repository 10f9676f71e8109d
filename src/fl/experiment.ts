// One federated run of a default model on its own shipped data, as the benchmark and
// the poisoning tests use it: the model's train rows split across clients (IID or
// Dirichlet by label), optionally some clients Byzantine, a strategy built from the
// initial parameters, and the held-out accuracy of the global model after each
// round. `centralAccuracy` trains the same network on the union of the rows with
// the same settings, for comparison.
import type { Dataset } from '../train/datasets.ts';
import { fit } from '../train/fit.ts';
import type { ModelSpec } from '../train/models.ts';
import { prepareData } from '../train/prepare-data.ts';
import { Xoshiro128 } from '../train/prng.ts';
import { selectRows } from '../train/split.ts';
import { trainingStreamOffset } from '../train/train-model.ts';
import { type Attack, byzantineClient } from './byzantine.ts';
import { parameterEvaluator } from './client/evaluate-parameters.ts';
import { LOCAL_EPOCHS_KEY, createLocalClient } from './client/local-client.ts';
import { getFlatParameters } from './client/network-parameters.ts';
import { dirichletPartition, iidPartition } from './client/partition.ts';
import { runSimulation, type RoundRecord } from './simulation.ts';
import type { FedAvgOptions } from './strategies/create-strategy.ts';
import { type Parameters, toFixed } from './strategies/parameters.ts';
import type { Strategy } from './strategies/strategy.ts';

export type PartitionRule = { kind: 'iid' } | { kind: 'dirichlet'; alpha: number };

export type ExperimentOptions = {
  spec: ModelSpec;
  clients: number;
  partition: PartitionRule;
  rounds: number;
  localEpochs: number;
  /** Builds the strategy from the options every strategy shares. */
  strategy: (base: FedAvgOptions) => Strategy;
  /** Participant indices that poison their updates, and how. */
  byzantine?: { clients: readonly number[]; attack: Attack };
  seed?: number;
  onRound?: (record: RoundRecord, accuracy: number) => void;
};

export type ExperimentResult = {
  /** Held-out accuracy of the global model after each round. */
  accuracy: number[];
  parameters: Parameters;
  history: RoundRecord[];
  partitionSizes: number[];
};

export type ExperimentData = { train: Dataset; heldOut: Dataset; initial: Parameters };

/** The rows and initial parameters of a model, as `npm run models` draws them. */
export function experimentData(spec: ModelSpec): ExperimentData {
  const prepared = prepareData(spec);
  const net = spec.build(new Xoshiro128(spec.seed + trainingStreamOffset));
  return { train: prepared.train, heldOut: prepared.heldOut, initial: toFixed(getFlatParameters(net)) };
}

export function runExperiment(options: ExperimentOptions, data: ExperimentData = experimentData(options.spec)): ExperimentResult {
  const { spec } = options;
  const seed = options.seed ?? 1;
  const parts =
    options.partition.kind === 'iid'
      ? iidPartition(data.train.rows, options.clients, seed)
      : dirichletPartition(data.train.y, data.train.classes, options.clients, { alpha: options.partition.alpha, seed });
  const attackers = new Set(options.byzantine?.clients ?? []);
  const clients = parts.map((rows, index) => {
    const honest = createLocalClient({
      index,
      build: spec.build,
      data: selectRows(data.train, rows),
      epochs: options.localEpochs,
      batchSize: spec.fit.batchSize,
      learningRate: spec.fit.learningRate,
      seed: seed * 1000 + index,
    });
    return attackers.has(index) && options.byzantine ? byzantineClient(honest, options.byzantine.attack, seed * 7919 + index) : honest;
  });
  const evaluate = parameterEvaluator(spec.build, data.heldOut);
  const accuracy: number[] = [];
  const strategy = options.strategy({
    initialParameters: data.initial,
    fractionEvaluate: 0,
    onFitConfigFn: () => ({ [LOCAL_EPOCHS_KEY]: options.localEpochs }),
  });
  const { parameters, history } = runSimulation({
    strategy,
    clients,
    rounds: options.rounds,
    onRound: (record) => {
      accuracy.push(evaluate(record.parameters).accuracy);
      options.onRound?.(record, accuracy.at(-1)!);
    },
  });
  return { accuracy, parameters, history, partitionSizes: parts.map((p) => p.length) };
}

/** Held-out accuracy of the network trained on all the rows at once, exactly as `npm run models` trains the default model. */
export function centralAccuracy(spec: ModelSpec, data: ExperimentData = experimentData(spec)): number {
  const rng = new Xoshiro128(spec.seed + trainingStreamOffset);
  const net = spec.build(rng);
  fit(net, data.train, spec.fit, rng);
  return parameterEvaluator(spec.build, data.heldOut)(toFixed(getFlatParameters(net))).accuracy;
}
