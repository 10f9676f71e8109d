import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fedAvg } from './fedavg.ts';
import type { FitRes } from './strategy.ts';

const initialParameters = [0, 0, 0];
const results: FitRes[] = [
  { client: 0, parameters: [10, -3, -2], numExamples: 1 },
  { client: 1, parameters: [20, -4, -4], numExamples: 2 },
  { client: 2, parameters: [0, 0, 0], numExamples: 1 },
];

test('FedAvg is the example-weighted mean, rounded half up, whatever the arrival order', () => {
  // (10 + 40 + 0) / 4 = 12.5 -> 13; (-3 - 8 + 0) / 4 = -2.75 -> -3; (-2 - 8 + 0) / 4 = -2.5 -> -2.
  const strategy = fedAvg({ initialParameters });
  assert.deepEqual(strategy.aggregateFit(1, results, []).parameters, [13, -3, -2]);
  assert.deepEqual(strategy.aggregateFit(1, [...results].reverse(), []).parameters, [13, -3, -2]);
});

test('FedAvg sums past 2^53 exactly', () => {
  const top = 2 ** 47 - 1;
  const strategy = fedAvg({ initialParameters: [0, 0] });
  const out = strategy.aggregateFit(
    1,
    [
      { client: 0, parameters: [top, -top], numExamples: 1_000_000 },
      { client: 1, parameters: [top - 1, -top], numExamples: 1_000_000 },
    ],
    [],
  );
  // (2 top - 1) / 2 = top - 0.5 -> top (half up); -top exactly.
  assert.deepEqual(out.parameters, [top, -top]);
});

test('an attacker cannot pass a wrong-length, non-integer, out-of-range, zero-weight or second update', () => {
  const strategy = fedAvg({ initialParameters });
  const bad = (r: Partial<FitRes>) => [results[0]!, { ...results[1]!, ...r }];
  assert.throws(() => strategy.aggregateFit(1, bad({ parameters: [1, 2] }), []), { code: 'FL_UPDATE_WRONG_LENGTH' });
  assert.throws(() => strategy.aggregateFit(1, bad({ parameters: [1, Number.NaN, 3] }), []), { code: 'FL_VALUE_NOT_FINITE' });
  assert.throws(() => strategy.aggregateFit(1, bad({ parameters: [1, Number.POSITIVE_INFINITY, 3] }), []), { code: 'FL_VALUE_NOT_FINITE' });
  assert.throws(() => strategy.aggregateFit(1, bad({ parameters: [1, 2 ** 47, 3] }), []), { code: 'FL_VALUE_OUT_OF_RANGE' });
  assert.throws(() => strategy.aggregateFit(1, bad({ parameters: [1, 2.5, 3] }), []), { code: 'FL_VALUE_OUT_OF_RANGE' });
  assert.throws(() => strategy.aggregateFit(1, bad({ numExamples: 0 }), []), { code: 'FL_BAD_EXAMPLE_COUNT' });
  assert.throws(() => strategy.aggregateFit(1, bad({ numExamples: -5 }), []), { code: 'FL_BAD_EXAMPLE_COUNT' });
  assert.throws(() => strategy.aggregateFit(1, bad({ numExamples: 1.5 }), []), { code: 'FL_BAD_EXAMPLE_COUNT' });
  assert.throws(() => strategy.aggregateFit(1, bad({ client: 0 }), []), { code: 'FL_DUPLICATE_CLIENT' });
});

test('fewer results than minFitClients are refused; failures are an input, not an exception', () => {
  const strategy = fedAvg({ initialParameters, minFitClients: 3 });
  assert.throws(() => strategy.aggregateFit(1, results.slice(0, 2), [{ client: 2, error: new Error('timeout') }]), {
    code: 'FL_TOO_FEW_RESULTS',
  });
  // Two of three answered and two suffice: the round closes with what it has.
  const tolerant = fedAvg({ initialParameters, minFitClients: 2 });
  assert.deepEqual(tolerant.aggregateFit(1, results.slice(0, 2), [{ client: 2, error: new Error('timeout') }]).parameters, [17, -4, -3]);
  const strict = fedAvg({ initialParameters, acceptFailures: false });
  assert.equal(strict.aggregateFit(1, results.slice(0, 2), [{ client: 2, error: new Error('timeout') }]).parameters, undefined);
});

test('configureFit samples fractionFit of the clients, at least minFitClients, the same sample for the same round', () => {
  const clients = [9, 0, 1, 2, 3, 4, 5, 6, 7, 8];
  const half = fedAvg({ initialParameters, fractionFit: 0.5, onFitConfigFn: (round) => ({ epochs: round }) });
  const round3 = half.configureFit(3, initialParameters, clients);
  assert.equal(round3.length, 5);
  assert.equal(new Set(round3.map((i) => i.client)).size, 5);
  assert.deepEqual(half.configureFit(3, initialParameters, clients), round3);
  assert.deepEqual(round3[0]!.ins.config, { epochs: 3 });
  assert.deepEqual(round3[0]!.ins.parameters, initialParameters);
  assert.equal(fedAvg({ initialParameters, fractionFit: 0.1, minFitClients: 3 }).configureFit(1, initialParameters, clients).length, 3);
  assert.deepEqual(
    fedAvg({ initialParameters })
      .configureFit(1, initialParameters, clients)
      .map((i) => i.client),
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  );
  assert.throws(() => fedAvg({ initialParameters, minAvailableClients: 11 }).configureFit(1, initialParameters, clients), { code: 'FL_NOT_ENOUGH_CLIENTS' });
  assert.throws(() => fedAvg({ initialParameters, minFitClients: 12, minAvailableClients: 2 }).configureFit(1, initialParameters, clients), {
    code: 'FL_NOT_ENOUGH_CLIENTS',
  });
  assert.deepEqual(fedAvg({ initialParameters, fractionEvaluate: 0 }).configureEvaluate(1, initialParameters, clients), []);
});

test('aggregateEvaluate is the example-weighted mean loss; a non-finite loss is refused', () => {
  const strategy = fedAvg({ initialParameters });
  const evaluated = strategy.aggregateEvaluate(
    1,
    [
      { client: 0, loss: 1, numExamples: 1 },
      { client: 1, loss: 3, numExamples: 3 },
    ],
    [],
  );
  assert.equal(evaluated.loss, 2.5);
  assert.equal(strategy.aggregateEvaluate(1, [], []).loss, undefined);
  assert.throws(() => strategy.aggregateEvaluate(1, [{ client: 0, loss: Number.NaN, numExamples: 1 }], []), { code: 'FL_VALUE_NOT_FINITE' });
  const twice = { client: 1, loss: 0, numExamples: 1000 };
  assert.throws(() => strategy.aggregateEvaluate(1, [twice, twice], []), { code: 'FL_DUPLICATE_CLIENT' });
  assert.throws(() => strategy.aggregateEvaluate(1, [{ ...twice, numExamples: 0 }], []), { code: 'FL_BAD_EXAMPLE_COUNT' });
});

test('bad strategy parameters are refused by name', () => {
  assert.throws(() => fedAvg({ initialParameters, fractionFit: 1.5 }), { code: 'FL_BAD_STRATEGY_CONFIG' });
  assert.throws(() => fedAvg({ initialParameters, minFitClients: 0 }), { code: 'FL_BAD_STRATEGY_CONFIG' });
  assert.throws(() => fedAvg({ initialParameters: [0, Number.NaN] }), { code: 'FL_VALUE_NOT_FINITE' });
});
