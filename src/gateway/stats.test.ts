// A provider's failures fade with passing health checks, not only with traffic: the
// ranking is deterministic, so a cheaper provider that failed once and then gets no
// traffic would otherwise stay behind the dearer ones for good.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Address } from 'viem';
import { rankProviders, type RouteCandidate } from './routing.ts';
import { StatsBook } from './stats.ts';

const cheap = '0x00000000000000000000000000000000000000c1' as Address;
const dear = '0x00000000000000000000000000000000000000d2' as Address;

function first(stats: StatsBook): Address {
  const candidate = (provider: Address, price: bigint): RouteCandidate => ({
    provider,
    price,
    activeStake: 100n,
    active: true,
    healthy: true,
    servesModel: true,
    latencyMs: 100,
    inFlight: 0,
    errorRate: stats.get(provider).errorRate,
  });
  return rankProviders([candidate(cheap, 8n), candidate(dear, 10n)], 100n).ranked[0]!.provider;
}

test('after one failure the cheap provider wins again once it passes enough health checks', () => {
  const stats = new StatsBook();
  assert.equal(first(stats), cheap);
  stats.begin(cheap);
  stats.end(cheap, { fault: true });
  assert.equal(first(stats), dear, 'one failure puts it behind');
  let checks = 0;
  while (first(stats) !== cheap && checks < 50) {
    stats.passedHealthCheck(cheap);
    checks += 1;
  }
  assert.equal(first(stats), cheap, 'it is routed to again');
  assert.ok(checks > 1, `one check is not enough to forgive a failure (${checks} were needed)`);
});

test('a provider failing its traffic keeps a high error rate despite passing checks', () => {
  const stats = new StatsBook();
  // Five failed requests per health check: one request a second against checks every 5 s.
  for (let round = 0; round < 20; round++) {
    for (let i = 0; i < 5; i++) {
      stats.begin(cheap);
      stats.end(cheap, { fault: true });
    }
    stats.passedHealthCheck(cheap);
  }
  assert.ok(stats.get(cheap).errorRate > 0.5, `error rate ${stats.get(cheap).errorRate}`);
  assert.equal(first(stats), dear);
});

test('a health check leaves a clean provider clean and creates no failure', () => {
  const stats = new StatsBook();
  stats.passedHealthCheck(cheap);
  assert.equal(stats.get(cheap).errorRate, 0);
  assert.equal(stats.get(cheap).requests, 0);
});
