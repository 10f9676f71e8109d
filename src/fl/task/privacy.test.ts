import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DpError } from '../dp/errors.ts';
import { epsilonBoundMicros } from '../dp/gaussian-bound.ts';
import { deltaOf, l2Norm } from '../dp/noise.ts';
import { seededRandomBytes } from '../secagg/random-bytes.ts';
import { FIXED_SCALE, toFixed } from '../strategies/parameters.ts';
import { NO_PRIVACY, privacyFields, privatizeUpdate, roundsAllowed, taskPrivacy } from './privacy.ts';

const refused = (code: string) => (e: unknown) => e instanceof DpError && e.code === code;

describe('differential privacy on a task (SDK)', () => {
  test('the owner’s parameters become the contract’s fields; bad ones are refused by name', () => {
    assert.deepEqual(privacyFields(undefined, 3), NO_PRIVACY);
    const f = privacyFields({ epsilon: 3, delta: 1e-5, noiseMultiplier: 4, clippingNorm: 0.5 }, 3);
    assert.deepEqual(f, { dpEpsilonMicros: 3_000_000, dpDeltaAtto: 10n ** 13n, dpNoiseMicros: 4_000_000, dpClipMicros: 500_000 });
    assert.deepEqual(taskPrivacy(f), { epsilon: 3, delta: 1e-5, noiseMultiplier: 4, clippingNorm: 0.5 });
    assert.equal(taskPrivacy(NO_PRIVACY), undefined);
    // Without a noise multiplier: the least whose rounds all fit.
    const auto = privacyFields({ epsilon: 3 }, 3);
    assert.equal(roundsAllowed({ ...auto, rounds: 3 }), 3);
    assert.ok(epsilonBoundMicros(BigInt(auto.dpNoiseMicros - 1), auto.dpDeltaAtto, 3) > 3_000_000n);
    // A budget covering fewer rounds than the task has is a spending limit, not an error.
    assert.equal(roundsAllowed({ ...privacyFields({ epsilon: 2, noiseMultiplier: 4 }, 5), rounds: 5 }), 2);

    for (const bad of [
      { epsilon: -1 },
      { epsilon: Number.NaN },
      { epsilon: 0 },
      { epsilon: 3, delta: 1 },
      { epsilon: 3, delta: 0 },
      { epsilon: 3, delta: Number.NaN },
      { epsilon: 3, noiseMultiplier: -2 },
      { epsilon: 3, noiseMultiplier: 0 },
      { epsilon: 3, clippingNorm: Number.POSITIVE_INFINITY },
      { epsilon: 3, clippingNorm: 1e-9 },
      { epsilon: 5000 },
    ]) {
      assert.throws(() => privacyFields(bad, 3), refused('DP_BAD_CONFIG'), JSON.stringify(bad));
    }
    assert.throws(() => privacyFields({ epsilon: 1, noiseMultiplier: 4 }, 3), refused('DP_BUDGET_EXCEEDED'), 'too small for round 1');
  });

  test('an update is clipped to the committed norm and carries noise of standard deviation z C', () => {
    const n = 1_000;
    const global = toFixed(Array.from({ length: n }, (_, i) => Math.sin(i)));
    const update = toFixed(Array.from({ length: n }, (_, i) => Math.sin(i) + 0.05));
    const committed = { epsilon: 3, delta: 1e-5, noiseMultiplier: 2, clippingNorm: 0.5 };
    const out = privatizeUpdate(update, global, committed, { random: seededRandomBytes('dp-update') });
    assert.ok(Math.abs(out.norm - 0.05 * Math.sqrt(n)) < 1e-3, `the norm before clipping: ${out.norm}`);
    assert.equal(out.noiseStd, 1);
    const delta = deltaOf(out.parameters, global);
    const mean = delta.reduce((s, v) => s + v, 0) / n;
    const std = Math.sqrt(delta.reduce((s, v) => s + (v - mean) ** 2, 0) / n);
    // Seeded: the same draw every run; the bounds are four standard errors wide.
    assert.ok(Math.abs(std - 1) < 0.09, `noise std ${std}`);
    // The clipped signal is 0.5 / sqrt(n) per element; the mean of the noise is about 0.
    assert.ok(Math.abs(mean - 0.5 / Math.sqrt(n)) < 0.13, `mean ${mean}`);
    // Without noise (a request for more noise would be allowed; here the clip alone) the norm is C.
    const clippedOnly = privatizeUpdate(update, global, { ...committed, noiseMultiplier: 0 });
    assert.ok(Math.abs(l2Norm(deltaOf(clippedOnly.parameters, global)) - 0.5) < Math.sqrt(n) / FIXED_SCALE);
  });

  test('a participant asked for less noise or a larger norm than committed refuses; stricter is allowed', () => {
    const global = toFixed([0, 0, 0, 0]);
    const update = toFixed([3, 4, 0, 0]);
    const committed = { epsilon: 3, delta: 1e-5, noiseMultiplier: 4, clippingNorm: 1 };
    assert.throws(() => privatizeUpdate(update, global, committed, { noiseMultiplier: 3.99 }), refused('DP_WEAKER_THAN_TASK'));
    assert.throws(() => privatizeUpdate(update, global, committed, { clippingNorm: 2 }), refused('DP_WEAKER_THAN_TASK'));
    assert.throws(() => privatizeUpdate(update, global, committed, { noiseMultiplier: Number.NaN }), refused('DP_WEAKER_THAN_TASK'));
    const stricter = privatizeUpdate(update, global, committed, { noiseMultiplier: 8, clippingNorm: 0.5, random: seededRandomBytes('s') });
    assert.equal(stricter.noiseStd, 4);
  });
});
