// A time-boxed closed-loop load: `workers` loops each run `step` one call after the
// other until the time is up or `maxRequests` calls have started in all. A failed call
// is counted, not thrown, so one bad answer does not end a phase; a worker that only
// fails stops early, so a broken network ends the phase quickly; an abort signal ends
// it at once (Ctrl-C).
import { performance } from 'node:perf_hooks';

export type LoadOptions = {
  workers: number;
  seconds: number;
  maxRequests: number;
  /** One request; `worker` says which loop calls it, `index` counts that loop's calls. */
  step(worker: number, index: number): Promise<unknown>;
  /** Ends the phase early: no new call starts once it is aborted. */
  signal?: AbortSignal;
};

export type LoadResult = {
  latenciesMs: number[];
  failed: number;
  /** Wall time from the first start to the last call's end. */
  elapsedMs: number;
  firstError?: unknown;
};

/** Consecutive failures after which a worker gives up. */
const MAX_CONSECUTIVE_FAILURES = 5;

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const latenciesMs: number[] = [];
  let started = 0;
  let failed = 0;
  let firstError: unknown;
  const begin = performance.now();
  const deadline = begin + options.seconds * 1000;
  const worker = async (id: number) => {
    let failures = 0;
    for (
      let index = 0;
      performance.now() < deadline && started < options.maxRequests && failures < MAX_CONSECUTIVE_FAILURES && !options.signal?.aborted;
      index++
    ) {
      started++;
      const t0 = performance.now();
      try {
        await options.step(id, index);
        latenciesMs.push(performance.now() - t0);
        failures = 0;
      } catch (error) {
        failed++;
        failures++;
        firstError ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: options.workers }, (_, id) => worker(id)));
  return { latenciesMs, failed, elapsedMs: performance.now() - begin, ...(firstError === undefined ? {} : { firstError }) };
}
