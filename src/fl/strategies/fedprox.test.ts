import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fedProx, PROXIMAL_MU_KEY } from './fedprox.ts';

test('FedProx sends proximal_mu in every fit config and averages like FedAvg', () => {
  const strategy = fedProx({ initialParameters: [0], proximalMu: 0.1, onFitConfigFn: () => ({ epochs: 2 }) });
  const instructions = strategy.configureFit(1, [0], [0, 1]);
  assert.deepEqual(instructions[0]!.ins.config, { epochs: 2, [PROXIMAL_MU_KEY]: 0.1 });
  const out = strategy.aggregateFit(
    1,
    [
      { client: 0, parameters: [-3], numExamples: 1 },
      { client: 1, parameters: [0], numExamples: 1 },
    ],
    [],
  );
  assert.deepEqual(out.parameters, [-1]); // -1.5 -> -1
  assert.throws(() => fedProx({ initialParameters: [0], proximalMu: -1 }), { code: 'FL_BAD_STRATEGY_CONFIG' });
  assert.throws(() => fedProx({ initialParameters: [0], proximalMu: Number.NaN }), { code: 'FL_BAD_STRATEGY_CONFIG' });
});
