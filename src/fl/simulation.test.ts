import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runSimulation, type FlClient } from './simulation.ts';
import { fedAvg } from './strategies/fedavg.ts';

// Each client moves every parameter to its own target; client 2 drops in round 2.
const client = (index: number, target: number): FlClient => ({
  index,
  fit(ins, round) {
    if (index === 2 && round === 2) throw new Error('connection lost');
    return { parameters: ins.parameters.map(() => target), numExamples: 1 };
  },
  evaluate: (ins) => ({ loss: Math.abs(ins.parameters[0]! - target), numExamples: 1 }),
});

test('a client that drops is a failure; the round closes with the updates it has', () => {
  const clients = [client(0, 3), client(1, 6), client(2, 30)];
  const { history } = runSimulation({ strategy: fedAvg({ initialParameters: [0, 0], minFitClients: 2 }), clients, rounds: 2 });
  assert.deepEqual(history[0]!.parameters, [13, 13]); // (3 + 6 + 30) / 3
  assert.deepEqual(history[1]!.parameters, [5, 5]); // (3 + 6) / 2 = 4.5 -> 5
  assert.deepEqual(
    history[1]!.failures.map((f) => f.client),
    [2],
  );
  assert.equal(history[1]!.clientLoss, (2 + 1 + 25) / 3);
});

test('with acceptFailures false a round with a failure keeps the previous model', () => {
  const clients = [client(0, 3), client(1, 6), client(2, 30)];
  const { history } = runSimulation({ strategy: fedAvg({ initialParameters: [0, 0], acceptFailures: false }), clients, rounds: 2 });
  assert.deepEqual(history[1]!.parameters, history[0]!.parameters);
});

test('too many dropped clients stop the round with a named error', () => {
  const clients = [client(0, 3), client(2, 30)];
  assert.throws(() => runSimulation({ strategy: fedAvg({ initialParameters: [0] }), clients, rounds: 2 }), { code: 'FL_TOO_FEW_RESULTS' });
});
