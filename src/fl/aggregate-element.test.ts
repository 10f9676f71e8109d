import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { aggregateElement, divRoundHalfUp, flStrategyIds } from './aggregate-element.ts';
import { FL_MAX_ABS } from './commitment.ts';
import { FlCommitmentError } from './commitment-errors.ts';

// Every expected value below is worked out by hand in the comment beside it.
describe('aggregateElement', () => {
  test('rounding is half up toward +inf, with floor division for negatives', () => {
    assert.equal(divRoundHalfUp(3n, 2n), 2n); // 1.5 -> 2
    assert.equal(divRoundHalfUp(-3n, 2n), -1n); // -1.5 -> -1
    assert.equal(divRoundHalfUp(-7n, 3n), -2n); // -2.33 -> -2
    assert.equal(divRoundHalfUp(-8n, 3n), -3n); // -2.67 -> -3
    assert.equal(divRoundHalfUp(5n, 2n), 3n); // 2.5 -> 3
  });

  test('FedAvg and FedProx weigh by the committed example counts', () => {
    // (100*10 + 300*20) / 400 = 7000 / 400 = 17.5 -> 18
    assert.equal(aggregateElement('FedAvg', {}, [10n, 20n], [100n, 300n]), 18n);
    assert.equal(aggregateElement('FedProx', {}, [10n, 20n], [100n, 300n]), 18n);
    // (1*-5 + 1*-6) / 2 = -5.5 -> -5
    assert.equal(aggregateElement('FedAvg', {}, [-5n, -6n], [1n, 1n]), -5n);
  });

  test('FedMedian takes the middle, or the rounded mean of the middle pair', () => {
    assert.equal(aggregateElement('FedMedian', {}, [9n, -4n, 2n], [1n, 1n, 1n]), 2n);
    // sorted -4, 2, 3, 9: (2 + 3) / 2 = 2.5 -> 3
    assert.equal(aggregateElement('FedMedian', {}, [9n, -4n, 3n, 2n], [1n, 5n, 1n, 1n]), 3n);
    // sorted -9, -4: -6.5 -> -6
    assert.equal(aggregateElement('FedMedian', {}, [-4n, -9n], [1n, 1n]), -6n);
  });

  test('FedTrimmedAvg drops floor(beta * K) at each end, then the plain mean', () => {
    const values = [100n, -7n, 3n, 4n, -1000n];
    const ones = values.map(() => 1n);
    // beta 0.2, K 5: drop 1 each end -> (-7 + 3 + 4) / 3 = 0
    assert.equal(aggregateElement('FedTrimmedAvg', { trimBetaBps: 2000 }, values, ones), 0n);
    // beta 0.1999: floor(0.9995) = 0 dropped -> -900 / 5 = -180
    assert.equal(aggregateElement('FedTrimmedAvg', { trimBetaBps: 1999 }, values, ones), -180n);
    // beta 0.25, K 4: drop 1 each end of -7, 3, 4, 100 -> 3.5 -> 4
    assert.equal(aggregateElement('FedTrimmedAvg', { trimBetaBps: 2500 }, [100n, -7n, 3n, 4n], [1n, 1n, 1n, 1n]), 4n);
  });

  test('Krum and MultiKrum average the selection by example counts', () => {
    assert.equal(aggregateElement('Krum', {}, [-123n], [7n]), -123n);
    // (2*1 + 1*4) / 3 = 2
    assert.equal(aggregateElement('MultiKrum', {}, [1n, 4n], [2n, 1n]), 2n);
  });

  test('inputs beyond the range count as the bound, as on chain', () => {
    // (2^47 - 1 + 1) / 2 = 2^46
    assert.equal(aggregateElement('FedAvg', {}, [2n ** 200n, 1n], [1n, 1n]), (FL_MAX_ABS + 1n) / 2n);
  });

  test('the strategy ids are the contract enum order', () => {
    assert.deepEqual(Object.values(flStrategyIds), [0, 1, 2, 3, 4, 5]);
  });

  test('refuses malformed input by name', () => {
    const invalid = (e: unknown) => e instanceof FlCommitmentError && e.code === 'FL_AGGREGATE_INPUT_INVALID';
    assert.throws(() => aggregateElement('FedAvg', {}, [], []), invalid);
    assert.throws(() => aggregateElement('FedAvg', {}, [1n], [1n, 2n]), invalid);
    assert.throws(() => aggregateElement('FedAvg', {}, [1n], [0n]), invalid);
    assert.throws(() => aggregateElement('FedTrimmedAvg', { trimBetaBps: 5000 }, [1n], [1n]), invalid);
  });
});
