import assert from 'node:assert/strict';
import { test } from 'node:test';
import { krum } from './krum.ts';
import type { FitRes } from './strategy.ts';

// Participants 4, 7, 9, 11, 20 at the 2-D points (k, -k) for k = 0..3 and (100, -100).
// Squared distances double the 1-D ones, so with f = 1 (sum of the 2 closest) the
// scores are 10, 4, 4, 10 and 2 (97^2 + 98^2) = 38026.
const results: FitRes[] = [
  { client: 4, parameters: [0, 0], numExamples: 1 },
  { client: 7, parameters: [1, -1], numExamples: 1 },
  { client: 9, parameters: [2, -2], numExamples: 2 },
  { client: 11, parameters: [3, -3], numExamples: 1 },
  { client: 20, parameters: [100, -100], numExamples: 100 },
];

test('Krum keeps the lowest-scoring update; a tie goes to the lower participant index', () => {
  const strategy = krum({ initialParameters: [0, 0], numMaliciousClients: 1 });
  const out = strategy.aggregateFit(1, [...results].reverse(), []);
  assert.deepEqual(out.parameters, [1, -1]); // 7 and 9 tie at 4: 7 wins
  assert.equal(out.metrics.selected, '7');
  assert.equal(strategy.name, 'Krum');
});

test('Multi-Krum averages the m best with FedAvg weights', () => {
  const strategy = krum({ initialParameters: [0, 0], numMaliciousClients: 1, numClientsToKeep: 3 });
  const out = strategy.aggregateFit(1, results, []);
  // Best three: 7 (4), 9 (4), then 4 and 11 tie at 10 -> 4. Weights 1, 1, 2:
  // (0 + 1 + 4) / 4 = 1.25 -> 1 and (0 - 1 - 4) / 4 = -1.25 -> -1.
  assert.equal(out.metrics.selected, '4,7,9');
  assert.deepEqual(out.parameters, [1, -1]);
  assert.equal(strategy.name, 'MultiKrum');
});

test('Krum refuses bad parameters and too few updates for Multi-Krum', () => {
  assert.throws(() => krum({ initialParameters: [0], numMaliciousClients: -1 }), { code: 'FL_BAD_STRATEGY_CONFIG' });
  assert.throws(() => krum({ initialParameters: [0], numClientsToKeep: 1.5 }), { code: 'FL_BAD_STRATEGY_CONFIG' });
  const strategy = krum({ initialParameters: [0, 0], numClientsToKeep: 6 });
  assert.throws(() => strategy.aggregateFit(1, results, []), { code: 'FL_TOO_FEW_RESULTS' });
});
