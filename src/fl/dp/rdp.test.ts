import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { canStartRound } from './budget.ts';
import { DpError } from './errors.ts';
import { computeRdp, epsilonAfter, epsilonFromRdp, noiseMultiplierFor } from './rdp.ts';

// Reference values from TensorFlow Privacy's RDP accountant tests
// (tensorflow_privacy/privacy/analysis/rdp_accountant_test.py: test_compute_rdp and
// test_get_privacy_spent; the latter is the MNIST setting of Abadi et al. 2016,
// q = 0.01, sigma = 4, 10000 steps, delta = 1e-5).
describe('RDP accountant for the sampled Gaussian mechanism', () => {
  test('RDP matches TensorFlow Privacy at integer orders', () => {
    assert.ok(Math.abs(computeRdp(0.1, 2, 10, [5])[0]! - 0.07737) < 5e-6);
    const [a, b, c] = computeRdp(0.01, 2.5, 50, [5, 50, 100]) as [number, number, number];
    assert.ok(Math.abs(a - 0.00218075) < 5e-6, `order 5: ${a}`);
    assert.ok(Math.abs(b - 0.023846) < 5e-6, `order 50: ${b}`);
    assert.ok(Math.abs(c - 167.416307) < 5e-6, `order 100: ${c}`);
  });

  test('epsilon for q = 0.01, sigma = 4, 10000 steps, delta = 1e-5 is 1.258575 at order 20', () => {
    const orders = Array.from({ length: 31 }, (_, i) => i + 2);
    const { epsilon, order } = epsilonFromRdp(orders, computeRdp(0.01, 4, 10_000, orders), 1e-5);
    assert.ok(Math.abs(epsilon - 1.258575) < 5e-6, `epsilon ${epsilon}`);
    assert.equal(order, 20);
  });

  test('without sampling the bound is the Gaussian mechanism’s alpha / (2 sigma^2) per round', () => {
    assert.deepEqual(computeRdp(1, 2, 3, [2, 10]), [(3 * 2) / 8, (3 * 10) / 8]);
    assert.equal(epsilonAfter({ noiseMultiplier: 1, samplingRate: 0.5, rounds: 0, delta: 1e-5 }), 0);
  });

  test('more rounds or less noise spend more; the noise found for a target spends at most it', () => {
    const base = { noiseMultiplier: 1.1, samplingRate: 0.1, delta: 1e-5 };
    assert.ok(epsilonAfter({ ...base, rounds: 20 }) < epsilonAfter({ ...base, rounds: 40 }));
    assert.ok(epsilonAfter({ ...base, rounds: 20 }) < epsilonAfter({ ...base, noiseMultiplier: 0.9, rounds: 20 }));
    const z = noiseMultiplierFor(3, { samplingRate: 0.2, rounds: 10, delta: 1e-5 });
    const spent = epsilonAfter({ noiseMultiplier: z, samplingRate: 0.2, rounds: 10, delta: 1e-5 });
    assert.ok(spent <= 3 && spent > 2.98, `epsilon ${spent} at z ${z}`);
  });

  test('a round that would exceed the budget cannot start, and the error names the epsilon it would reach', () => {
    const budget = { epsilon: 3, delta: 1e-5, noiseMultiplier: 1.1, samplingRate: 0.2 };
    let rounds = 0;
    for (;;) {
      try {
        const next = canStartRound({ rounds }, budget);
        assert.ok(next <= 3);
        rounds++;
      } catch (error) {
        assert.ok(error instanceof DpError && error.code === 'DP_BUDGET_EXCEEDED');
        const reached = epsilonAfter({ ...budget, rounds: rounds + 1 });
        assert.ok(reached > 3);
        assert.ok(
          error.details.some((d) => d.includes(reached.toFixed(4))),
          error.message,
        );
        break;
      }
    }
    assert.ok(rounds > 0 && epsilonAfter({ ...budget, rounds }) <= 3);
    assert.throws(
      () => canStartRound({ rounds: -1 }, budget),
      (e: unknown) => e instanceof DpError && e.code === 'DP_BAD_CONFIG',
    );
    assert.throws(
      () => computeRdp(1.5, 1, 1),
      (e: unknown) => e instanceof DpError && e.code === 'DP_BAD_CONFIG',
    );
  });
});
