import assert from 'node:assert/strict';
import { test } from 'node:test';
import { modelSpec } from '../train/models.ts';
import { Xoshiro128 } from '../train/prng.ts';
import { type Attack, poisonUpdate } from './byzantine.ts';
import { experimentData, runExperiment } from './experiment.ts';
import type { FedAvgOptions } from './strategies/create-strategy.ts';
import { fedAvg } from './strategies/fedavg.ts';
import { fedTrimmedAvg } from './strategies/fedtrimmedavg.ts';
import { krum } from './strategies/krum.ts';
import { FIXED_LIMIT } from './strategies/parameters.ts';
import type { Strategy } from './strategies/strategy.ts';

test('the attacks transform the honest step as stated', () => {
  const global = [10, -10];
  const honest = [14, -16];
  const rng = new Xoshiro128(1);
  assert.deepEqual(poisonUpdate(global, honest, { kind: 'sign-flip', factor: 2 }, rng), [2, 2]);
  assert.deepEqual(poisonUpdate(global, honest, { kind: 'scale', factor: 3 }, rng), [22, -28]);
  const noise = poisonUpdate(global, honest, { kind: 'gaussian', sigma: 1 }, new Xoshiro128(2));
  assert.deepEqual(poisonUpdate(global, honest, { kind: 'gaussian', sigma: 1 }, new Xoshiro128(2)), noise);
  assert.ok(noise.every(Number.isInteger));
  // A huge factor is clamped into the fixed-point range, so the attacker's update still
  // reaches the strategy (which must then survive it) instead of being refused for its size.
  const huge = poisonUpdate(global, honest, { kind: 'scale', factor: 1e15 }, rng);
  assert.deepEqual(huge, [FIXED_LIMIT - 1, -(FIXED_LIMIT - 1)]);
});

// Breast cancer split IID across 10 hospitals, participants 3 and 8 Byzantine,
// 10 rounds of 5 local epochs. Stated margin: a robust strategy under attack stays
// within 3 percentage points of clean FedAvg; FedAvg loses at least 5 (noise) and
// 20 (sign flip).
const spec = modelSpec('breast-cancer-mlp');
const data = experimentData(spec);
const finalAccuracy = (strategy: (base: FedAvgOptions) => Strategy, attack?: Attack): number =>
  runExperiment(
    {
      spec,
      clients: 10,
      partition: { kind: 'iid' },
      rounds: 10,
      localEpochs: 5,
      strategy,
      ...(attack ? { byzantine: { clients: [3, 8], attack } } : {}),
    },
    data,
  ).accuracy.at(-1)!;

test('with 2 of 10 clients Byzantine, FedAvg degrades while Krum and the trimmed mean keep their accuracy', () => {
  const clean = finalAccuracy(fedAvg);
  assert.ok(clean > 0.9, `clean FedAvg reaches ${clean}`);
  const robust = {
    krum: (base: FedAvgOptions) => krum({ ...base, numMaliciousClients: 2 }),
    fedTrimmedAvg: (base: FedAvgOptions) => fedTrimmedAvg({ ...base, beta: 0.2 }),
  };
  const attacks: { attack: Attack; fedAvgLoss: number }[] = [
    { attack: { kind: 'sign-flip', factor: 10 }, fedAvgLoss: 0.2 },
    { attack: { kind: 'gaussian', sigma: 5 }, fedAvgLoss: 0.05 },
  ];
  for (const { attack, fedAvgLoss } of attacks) {
    const poisoned = finalAccuracy(fedAvg, attack);
    assert.ok(poisoned < clean - fedAvgLoss, `FedAvg under ${attack.kind}: ${poisoned} vs clean ${clean}`);
    for (const [name, strategy] of Object.entries(robust)) {
      const kept = finalAccuracy(strategy, attack);
      assert.ok(kept >= clean - 0.03, `${name} under ${attack.kind}: ${kept} vs clean ${clean}`);
    }
  }
});
