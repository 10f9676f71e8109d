import assert from 'node:assert/strict';
import { test } from 'node:test';
import { modelSpec } from '../train/models.ts';
import { selectRows } from '../train/split.ts';
import { poisonUpdate } from './byzantine.ts';
import { parameterEvaluator } from './client/evaluate-parameters.ts';
import { trainLocal } from './client/local-training.ts';
import { iidPartition } from './client/partition.ts';
import { leaveOneOutContribution, rewardShares } from './contribution.ts';
import { experimentData } from './experiment.ts';
import { Xoshiro128 } from '../train/prng.ts';
import { fedAvg } from './strategies/fedavg.ts';
import type { FitRes } from './strategies/strategy.ts';

// One round from the untrained breast cancer model: hospitals 0-2 train honestly on
// their rows, 3 sends the global model back unchanged (a free-rider), 4 sends noise.
// The task owner's validation rows are the held-out rows.
const spec = modelSpec('breast-cancer-mlp');
const data = experimentData(spec);
const global = data.initial;
const parts = iidPartition(data.train.rows, 5, 2);
const honest = (k: number) => {
  const trained = trainLocal(global, {
    build: spec.build,
    data: selectRows(data.train, parts[k]!),
    epochs: 2,
    batchSize: 16,
    learningRate: 0.003,
    seed: k,
  });
  return { client: k, parameters: trained.parameters, numExamples: trained.numExamples };
};
const results: FitRes[] = [
  honest(0),
  honest(1),
  honest(2),
  { client: 3, parameters: global, numExamples: parts[3]!.length },
  { client: 4, parameters: poisonUpdate(global, global, { kind: 'gaussian', sigma: 1 }, new Xoshiro128(4)), numExamples: parts[4]!.length },
];
const strategy = fedAvg({ initialParameters: global });
const aggregate = (rs: readonly FitRes[]) => strategy.aggregateFit(1, rs, []).parameters!;
const validation = parameterEvaluator(spec.build, data.heldOut);

test('leave-one-out: honest updates score, a free-rider and a noise sender score 0 and are paid nothing', () => {
  const scores = leaveOneOutContribution({ global, results, aggregate, correct: (p) => validation(p).correct });
  assert.deepEqual(
    scores.map((s) => s.client),
    [0, 1, 2, 3, 4],
  );
  for (const s of scores.slice(0, 3)) assert.ok(s.score > 0, `honest client ${s.client}: ${JSON.stringify(s)}`);
  // The free-rider's replacement is its own update: the two aggregates are the same.
  assert.equal(scores[3]!.correctWithout, scores[3]!.correctWith);
  assert.equal(scores[3]!.score, 0);
  assert.ok(scores[4]!.correctWithout > scores[4]!.correctWith, 'the noise made the aggregate worse');
  assert.equal(scores[4]!.score, 0);
  const shares = rewardShares(scores, 1_000_000n);
  assert.equal(shares[3]!.amount, 0n);
  assert.equal(shares[4]!.amount, 0n);
  assert.ok(shares.reduce((s, x) => s + x.amount, 0n) <= 1_000_000n);
  assert.ok(shares.slice(0, 3).every((x) => x.amount > 0n));
});

test('a round nobody improved pays nobody', () => {
  const idle = results.slice(3).map((r) => ({ ...r, parameters: global }));
  const scores = leaveOneOutContribution({ global, results: idle, aggregate, correct: (p) => validation(p).correct });
  assert.deepEqual(
    rewardShares(scores, 100n).map((s) => s.amount),
    [0n, 0n],
  );
});
