// The routing policy alone: filters, each score term, tie-breaking and determinism.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Address } from 'viem';
import { LOAD_HALF, defaultRoutingWeights, rankProviders, type RouteCandidate } from './routing.ts';

const address = (n: number) => `0x${n.toString(16).padStart(40, '0')}` as Address;

const candidate = (n: number, over: Partial<RouteCandidate> = {}): RouteCandidate => ({
  provider: address(n),
  price: 10n,
  activeStake: 100n,
  active: true,
  healthy: true,
  servesModel: true,
  latencyMs: 100,
  inFlight: 0,
  errorRate: 0,
  ...over,
});

const order = (candidates: RouteCandidate[], maxFee = 100n) => rankProviders(candidates, maxFee).ranked.map((r) => r.provider);

describe('routing policy', () => {
  test('filters out inactive, unhealthy, unpriced, unserved and too expensive providers, naming why', () => {
    const result = rankProviders(
      [
        candidate(1, { active: false }),
        candidate(2, { healthy: false }),
        candidate(3, { price: undefined }),
        candidate(4, { servesModel: false }),
        candidate(5, { price: 101n }),
        candidate(6, { price: 100n }),
      ],
      100n,
    );
    assert.deepEqual(
      result.ranked.map((r) => r.provider),
      [address(6)],
    );
    assert.deepEqual(result.excluded, [
      { provider: address(1), reason: 'inactive' },
      { provider: address(2), reason: 'unhealthy' },
      { provider: address(3), reason: 'model not offered' },
      { provider: address(4), reason: 'model not served' },
      { provider: address(5), reason: 'price above maxFee' },
    ]);
  });

  test('a price of exactly maxFee is allowed, and maxFee 0 admits only free providers', () => {
    assert.deepEqual(order([candidate(1, { price: 0n }), candidate(2, { price: 1n })], 0n), [address(1)]);
  });

  test('cheaper, faster, less loaded, more reliable and better staked providers come first', () => {
    assert.deepEqual(order([candidate(1, { price: 50n }), candidate(2, { price: 20n })]), [address(2), address(1)]);
    assert.deepEqual(order([candidate(1, { latencyMs: 400 }), candidate(2, { latencyMs: 40 })]), [address(2), address(1)]);
    assert.deepEqual(order([candidate(1, { inFlight: 3 }), candidate(2, { inFlight: 1 })]), [address(2), address(1)]);
    assert.deepEqual(order([candidate(1, { errorRate: 0.5 }), candidate(2, { errorRate: 0.1 })]), [address(2), address(1)]);
    assert.deepEqual(order([candidate(1, { activeStake: 100n }), candidate(2, { activeStake: 1000n })]), [address(2), address(1)]);
  });

  test('the score is the weighted sum of the documented terms', () => {
    const [ranked] = rankProviders(
      [
        candidate(1, { price: 25n, latencyMs: 50, inFlight: LOAD_HALF, errorRate: 0.25, activeStake: 50n }),
        candidate(2, { price: 100n, latencyMs: 200, activeStake: 200n }),
      ],
      100n,
    ).ranked.filter((r) => r.provider === address(1));
    assert.ok(ranked);
    assert.deepEqual(ranked.terms, { price: 0.25, latency: 0.25, load: 0.5, errors: 0.25, stake: 0.25 });
    const w = defaultRoutingWeights;
    assert.equal(ranked.score, w.price * 0.25 + w.latency * 0.25 + w.load * 0.5 + w.errors * 0.25 - w.stake * 0.25);
  });

  test('an unmeasured provider is scored at the mean latency of the measured ones', () => {
    const result = rankProviders([candidate(1, { latencyMs: 100 }), candidate(2, { latencyMs: 300 }), candidate(3, { latencyMs: undefined })], 100n);
    const unmeasured = result.ranked.find((r) => r.provider === address(3));
    assert.equal(unmeasured?.terms.latency, 200 / 300);
    assert.deepEqual(
      result.ranked.map((r) => r.provider),
      [address(1), address(3), address(2)],
    );
  });

  test('weights change the order: with price weighted heavily the cheap slow provider wins', () => {
    const candidates = [candidate(1, { price: 90n, latencyMs: 10 }), candidate(2, { price: 10n, latencyMs: 500 })];
    assert.deepEqual(order(candidates), [address(1), address(2)]);
    const heavy = rankProviders(candidates, 100n, { ...defaultRoutingWeights, price: 10 }).ranked.map((r) => r.provider);
    assert.deepEqual(heavy, [address(2), address(1)]);
  });

  test('ties break by address, and the result does not depend on input order', () => {
    const candidates = [candidate(3), candidate(1), candidate(2)];
    assert.deepEqual(order(candidates), [address(1), address(2), address(3)]);
    assert.deepEqual(order([...candidates].reverse()), [address(1), address(2), address(3)]);
  });

  test('huge token amounts do not lose the comparison to float rounding', () => {
    const big = 10n ** 30n;
    assert.deepEqual(order([candidate(1, { price: big - 10n ** 25n }), candidate(2, { price: big - 2n * 10n ** 25n })], big), [address(2), address(1)]);
  });

  test('no candidates gives an empty order', () => {
    assert.deepEqual(rankProviders([], 10n), { ranked: [], excluded: [] });
  });
});
