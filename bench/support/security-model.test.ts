import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { defaultDisputeParameters, tokens } from '../../src/chain/parameters.ts';
import { descentRounds, MAX_TENSOR_SIZE, measuredGas, roundsOf } from './dispute-gas.ts';
import {
  defaultAssumptions,
  defaultGameSettings,
  gasCost,
  securityReport,
  slashSplit,
  type Assumptions,
  type GameSettings,
  type StrategyName,
} from './security-model.ts';

const close = (actual: number, expected: number, what: string) => assert.ok(Math.abs(actual - expected) < 1e-9, `${what}: ${actual} is not ${expected}`);

const settings: GameSettings = {
  minBond: 10,
  slashAmount: 50,
  challengerShare: 0.5,
  defenceCompensation: 2,
  maxRefund: 1,
  maxOpenPerProvider: 16,
  moveTimeoutS: 3_600,
  jailDurationS: 7 * 86_400,
  challengeWindowS: 86_400,
  unbondingDelayS: 2 * 86_400,
  minStake: 100,
};
// Gas free, so every figure below is worked out by hand from the settings alone.
const hand: Assumptions = {
  price: 1,
  computeCost: 1,
  cheapAnswerShare: 0.5,
  watcherSampleRate: 0.1,
  redundantShare: 0.5,
  clientDisputeRate: 0,
  requestsPerDay: 1_000,
  gasPriceGwei: 0,
  ethPrice: 3_000,
  jailCostPerDay: 0,
};

function profit(report: ReturnType<typeof securityReport>, name: StrategyName): number {
  return report.strategies.find((s) => s.strategy === name)!.profitPerRequest;
}

describe('security model', () => {
  test('reads the deployment defaults', () => {
    const s = defaultGameSettings();
    assert.equal(s.slashAmount, Number(defaultDisputeParameters.slashAmount) / 1e6);
    assert.equal(tokens(String(s.minBond)), defaultDisputeParameters.minBond);
    assert.equal(s.challengerShare, 0.5);
  });

  test('a hand-worked case', () => {
    const r = securityReport(settings, hand);
    // lazy: saves half the cost, caught by 1 sample in 10, loses the slash: 0.5 - 0.1 x 50.
    close(profit(r, 'lazy'), -4.5, 'lazy');
    // random output: saves all, caught by a sample or a disagreeing peer: 1 - (1 - 0.9 x 0.5) x 50.
    close(profit(r, 'random_output'), -26.5, 'random output');
    close(profit(r, 'colluding_redundancy'), -4.5, 'colluding');
    // self-challenge: the refund (min(1, 1) = 1) and the reward (49 / 2) come back: 0.5 - 0.1 x 24.5.
    close(profit(r, 'self_challenge'), -1.95, 'self-challenge');
    close(profit(r, 'griefing'), -10, 'griefing');
    // squatting: 16 slots held 13 h each (14 moves over a 2^24 tensor: 2^20 chunks, 5
    // rounds) at 8 tUSD a dispute: 16 x 24/13 x 8 = 236.3 a day over 1000 requests;
    // 0.5 - 0.2363 pays.
    close(r.squatting.disputeHours, 13, 'squat hours');
    close(r.squatting.costPerDay, (16 * 24 * 8) / 13, 'squat per day');
    close(profit(r, 'squatting'), 0.5 - (16 * 24 * 8) / 13 / 1000, 'squatting');
    close(r.squatting.breakEvenRequestsPerDay, (16 * 24 * 8) / 13 / 0.5, 'squat break-even');
    assert.deepEqual(r.positive, ['squatting']);
    close(r.lazyBreakEvenSampleRate, 0.01, 'lazy break-even');
    close(r.window.unbondingMarginHours, 48 - 24 - 13, 'unbonding margin');
    // The jail, when counted, adds 7 days x 2 to the loss: 0.5 - 0.1 x 64.
    close(profit(securityReport(settings, { ...hand, jailCostPerDay: 2 }), 'lazy'), -5.9, 'lazy with jail');
  });

  test('gas, the slash split and descent rounds', () => {
    close(gasCost(1_000_000, { ...hand, gasPriceGwei: 1 }), 3, 'a million gas at 1 gwei and 3000');
    const split = slashSplit(settings, 0.01);
    close(split.refund, 0.01, 'refund');
    close(split.reward, 24.995, 'reward');
    close(split.treasury, 24.995, 'treasury');
    assert.equal(descentRounds(MAX_TENSOR_SIZE), 5);
    assert.equal(descentRounds(32 * 28 * 28), roundsOf(measuredGas['large-layer']));
    assert.equal(descentRounds(1), 0);
    const r = securityReport(settings, { ...hand, gasPriceGwei: 1 });
    const mlp = r.defence.find((d) => d.model === 'digits-mlp')!;
    assert.equal(mlp.gas, 163_950 + 63_328);
    close(mlp.net, 2 - mlp.gas * 3e-6, 'digits-mlp defence net');
  });

  test('at the defaults every cheating strategy loses money, as the table says', () => {
    const r = securityReport();
    for (const s of r.strategies) assert.ok(s.profitPerRequest < 0, `${s.strategy} comes out at ${s.profitPerRequest}`);
    assert.deepEqual(r.positive, []);
    assert.ok(r.watcher.profitPerCatch > 0, 'a watcher that catches a cheat is paid for it');
    assert.ok(r.watcher.profitWhenPreempted < 0, 'a watcher pre-empted by a self-challenge is out of its gas');
    assert.ok(r.window.unbondingMarginHours > 0, 'the stake outlasts the window and the longest dispute');
  });

  test('without sampling, or at high volume, cheating pays: the model can say so', () => {
    const unsampled = securityReport(undefined, { ...defaultAssumptions, watcherSampleRate: 0 });
    assert.ok(profit(unsampled, 'lazy') > 0);
    const busy = securityReport(undefined, { ...defaultAssumptions, requestsPerDay: 100_000 });
    assert.deepEqual(busy.positive, ['squatting']);
    const checked = securityReport(undefined, { ...defaultAssumptions, requestsPerDay: 100_000, clientDisputeRate: 0.001 });
    assert.deepEqual(checked.positive, [], 'clients that re-execute 1 in 1000 of their results stop it');
  });
});
