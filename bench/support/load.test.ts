import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runLoad } from './load.ts';

describe('time-boxed load', () => {
  test('stops at the request cap, shared by all workers', async () => {
    const calls: number[] = [];
    const result = await runLoad({
      workers: 4,
      seconds: 60,
      maxRequests: 25,
      step: async (worker) => {
        calls.push(worker);
      },
    });
    assert.equal(calls.length, 25);
    assert.equal(result.latenciesMs.length, 25);
    assert.equal(result.failed, 0);
    assert.equal(new Set(calls).size, 4, 'every worker took part');
  });

  test('each worker runs its calls one after the other', async () => {
    let running = 0;
    let most = 0;
    await runLoad({
      workers: 3,
      seconds: 60,
      maxRequests: 30,
      step: async () => {
        most = Math.max(most, ++running);
        await new Promise((resolve) => setImmediate(resolve));
        running--;
      },
    });
    assert.equal(most, 3);
  });

  test('failures are counted, the first kept, and a worker that only fails gives up', async () => {
    const result = await runLoad({
      workers: 2,
      seconds: 60,
      maxRequests: 1000,
      step: async (worker, index) => {
        throw new Error(`boom ${worker}/${index}`);
      },
    });
    assert.equal(result.latenciesMs.length, 0);
    assert.equal(result.failed, 10, 'five consecutive failures per worker');
    assert.match(String(result.firstError), /boom 0\/0/);
  });

  test('stops when the time is up', async () => {
    let calls = 0;
    const result = await runLoad({
      workers: 1,
      seconds: 0.05,
      maxRequests: 1_000_000,
      step: () => new Promise((resolve) => setTimeout(() => resolve(++calls), 5)),
    });
    assert.ok(result.latenciesMs.length < 1_000_000);
    assert.equal(result.latenciesMs.length, calls);
  });

  test('an aborted signal starts no further call', async () => {
    const controller = new AbortController();
    let calls = 0;
    const result = await runLoad({
      workers: 2,
      seconds: 60,
      maxRequests: 1000,
      signal: controller.signal,
      step: async () => {
        if (++calls === 3) controller.abort();
      },
    });
    assert.equal(calls, 3, 'the two loops stop after the aborting call');
    assert.equal(result.latenciesMs.length, 3);
  });
});
