import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DpError } from './errors.ts';
import { epsilonBoundMicros, logInverseAtto, MAX_MICROS, noiseMicrosFor, roundsWithinBudget } from './gaussian-bound.ts';
import { computeRdp, epsilonFromRdp } from './rdp.ts';

const ORDERS = Array.from({ length: 255 }, (_, i) => i + 2);
/** The floating-point accountant without subsampling (q = 1) over every integer order 2..256. */
const floatEpsilon = (z: number, delta: number, rounds: number) => epsilonFromRdp(ORDERS, computeRdp(1, z, rounds, ORDERS), delta).epsilon;

describe('the coordinator’s epsilon bound in fixed point', () => {
  test('ln(1 / delta) is never below the true value and within 1.5e-7 of it', () => {
    for (const delta of [1e-18, 3e-12, 1e-5, 0.01, 0.5, 0.999999]) {
      const got = Number(logInverseAtto(BigInt(Math.round(delta * 1e18)))) / 1e18;
      const want = -Math.log(delta);
      assert.ok(got >= want - 1e-15 && got - want < 1.5e-7, `delta ${delta}: ${got} vs ${want}`);
    }
  });

  test('it never understates the accountant and stays within a millionth of it (the owner cannot understate the spend)', () => {
    for (const z of [0.3, 0.8, 1.1, 2.5, 4, 17.3, 250]) {
      for (const delta of [1e-12, 1e-5, 0.01, 0.3]) {
        for (const rounds of [1, 2, 7, 50, 1000]) {
          const bound = Number(epsilonBoundMicros(BigInt(Math.round(z * 1e6)), BigInt(Math.round(delta * 1e18)), rounds)) / 1e6;
          const exact = floatEpsilon(z, delta, rounds);
          assert.ok(bound >= exact - 1e-9, `z ${z}, delta ${delta}, ${rounds} rounds: ${bound} < ${exact}`);
          // The orders above 256 would give a little less for very large z; below that the two agree.
          if (z <= 17.3) assert.ok(bound - exact < 2e-6 * Math.max(1, exact), `z ${z}, delta ${delta}, ${rounds} rounds: ${bound} vs ${exact}`);
        }
      }
    }
  });

  test('the noise for a budget is the least that fits it; the rounds a budget allows stop at the first that passes it', () => {
    const delta = 10n ** 13n;
    const z = noiseMicrosFor(3_000_000n, delta, 3);
    assert.ok(epsilonBoundMicros(z, delta, 3) <= 3_000_000n);
    assert.ok(epsilonBoundMicros(z - 1n, delta, 3) > 3_000_000n, 'one millionth less noise passes the budget');
    assert.equal(roundsWithinBudget(3_000_000n, z, delta, 10), 3);
    assert.equal(roundsWithinBudget(3_000_000n, z, delta, 2), 2, 'never more than the task has');
    assert.equal(roundsWithinBudget(1n, z, delta, 10), 0);
    assert.throws(
      () => noiseMicrosFor(1n, delta, 1000),
      (e: unknown) => e instanceof DpError && e.code === 'DP_BUDGET_EXCEEDED',
    );
  });

  test('parameters out of the contract’s range are refused by name', () => {
    for (const [z, d, r] of [
      [0n, 10n ** 13n, 1],
      [MAX_MICROS + 1n, 10n ** 13n, 1],
      [1_000_000n, 0n, 1],
      [1_000_000n, 10n ** 18n, 1],
      [1_000_000n, 10n ** 13n, -1],
      [1_000_000n, 10n ** 13n, 1.5],
    ] as const) {
      assert.throws(
        () => epsilonBoundMicros(z, d, r),
        (e: unknown) => e instanceof DpError && e.code === 'DP_BAD_CONFIG',
        `${z} ${d} ${r}`,
      );
    }
  });
});
