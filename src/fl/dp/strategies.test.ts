import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { seededRandomBytes } from '../secagg/random-bytes.ts';
import type { FlClient } from '../simulation.ts';
import { fedAvg } from '../strategies/fedavg.ts';
import { FIXED_SCALE, fromFixed, toFixed } from '../strategies/parameters.ts';
import { clipUpdate, deltaOf, l2Norm } from './noise.ts';
import { CLIPPING_NORM_KEY, dpClientSideFixedClipping, dpServerSideFixedClipping, fixedClippingClient } from './strategies.ts';

const global = toFixed([0.5, -0.25, 1, 0]);

describe('DP-FedAvg with fixed clipping', () => {
  test('clipping bounds the delta’s L2 norm and leaves a small update alone', () => {
    const big = toFixed([3.5, 3.75, 1, 0]); // delta (3, 4, 0, 0): norm 5
    const { parameters, norm } = clipUpdate(big, global, 1);
    assert.equal(norm, 5);
    assert.ok(Math.abs(l2Norm(deltaOf(parameters, global)) - 1) < 2 / FIXED_SCALE);
    assert.deepEqual(
      Array.from(fromFixed(parameters)).map((v) => Math.round(v * 1000) / 1000),
      [1.1, 0.55, 1, 0],
    );
    const small = toFixed([0.6, -0.25, 1, 0]);
    assert.deepEqual(clipUpdate(small, global, 1).parameters, small);
  });

  test('server side: one client’s huge update moves the noiseless mean by at most clippingNorm / m', () => {
    const strategy = dpServerSideFixedClipping(fedAvg({ initialParameters: global }), { noiseMultiplier: 0, clippingNorm: 1, numSampledClients: 4 });
    strategy.configureFit(1, global, [0, 1, 2, 3]);
    const honest = { parameters: global, numExamples: 10 };
    const attacker = { client: 3, parameters: toFixed([1000, -1000, 1000, 1000]), numExamples: 1_000_000 };
    const out = strategy.aggregateFit(1, [0, 1, 2].map((client) => ({ client, ...honest })).concat(attacker), []).parameters!;
    assert.ok(l2Norm(deltaOf(out, global)) <= 1 / 4 + 4 / FIXED_SCALE, `moved ${l2Norm(deltaOf(out, global))}`);
  });

  test('the noise has standard deviation noiseMultiplier * clippingNorm / m, seeded and reproducible', () => {
    const length = 20_000;
    const zero = new Array(length).fill(0);
    const run = (seed: string) => {
      const s = dpServerSideFixedClipping(fedAvg({ initialParameters: zero }), {
        noiseMultiplier: 2,
        clippingNorm: 0.5,
        numSampledClients: 5,
        random: seededRandomBytes(seed),
      });
      s.configureFit(1, zero, [0, 1]);
      return s.aggregateFit(
        1,
        [0, 1].map((client) => ({ client, parameters: zero, numExamples: 1 })),
        [],
      );
    };
    const out = run('noise');
    const values = fromFixed(out.parameters!);
    const mean = values.reduce((s, v) => s + v, 0) / length;
    const std = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / length);
    assert.equal(out.metrics.dp_noise_std, 0.2);
    assert.ok(Math.abs(std - 0.2) < 0.01, `std ${std}`);
    assert.ok(Math.abs(mean) < 0.01, `mean ${mean}`);
    assert.deepEqual(run('noise').parameters, out.parameters);
    assert.notDeepEqual(run('other').parameters, out.parameters);
  });

  test('client side: clients clip to the norm the round names; an update that skipped clipping is dropped as a failure', () => {
    const strategy = dpClientSideFixedClipping(fedAvg({ initialParameters: global }), { noiseMultiplier: 0, clippingNorm: 1, numSampledClients: 3 });
    const instructions = strategy.configureFit(1, global, [0, 1, 2]);
    assert.equal(instructions[0]!.ins.config[CLIPPING_NORM_KEY], 1);
    const pushy: FlClient = { index: 0, fit: () => ({ parameters: toFixed([10, 10, 10, 10]), numExamples: 5 }) };
    const clipped = fixedClippingClient(pushy).fit(instructions[0]!.ins, 1);
    assert.ok(l2Norm(deltaOf(clipped.parameters, global)) <= 1 + 2 / FIXED_SCALE);
    const cheat = { client: 1, ...pushy.fit(instructions[1]!.ins, 1) };
    const out = strategy.aggregateFit(1, [{ client: 0, ...clipped }, cheat, { client: 2, parameters: global, numExamples: 1 }], []);
    // The mean of the clipped update and the unchanged one: the cheat is not in it.
    const expected = Array.from(fromFixed(clipped.parameters)).map((v, i) => (v + fromFixed(global)[i]!) / 2);
    const got = fromFixed(out.parameters!);
    for (let i = 0; i < got.length; i++) assert.ok(Math.abs(got[i]! - expected[i]!) < 2 / FIXED_SCALE, `element ${i}`);
  });
});
