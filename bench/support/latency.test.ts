import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { percentile, summarizeLatencies } from './latency.ts';

describe('latency summary', () => {
  test('nearest-rank percentiles pick observed samples', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1); // 1..100
    assert.equal(percentile(sorted, 0.5), 50);
    assert.equal(percentile(sorted, 0.99), 99);
    assert.equal(percentile(sorted, 1), 100);
    assert.equal(percentile([7], 0.99), 7);
    assert.equal(percentile([3, 9], 0.5), 3);
    assert.ok(Number.isNaN(percentile([], 0.5)));
  });

  test('summary sorts its input and divides completions by wall time', () => {
    const s = summarizeLatencies([30, 10, 20, 40], 2000);
    assert.deepEqual(s, { count: 4, perSecond: 2, p50Ms: 20, p99Ms: 40 });
  });
});
