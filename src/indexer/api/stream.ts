// GET /v1/stream: server-sent events, one `event` message per indexed event as its
// range commits, optionally filtered by contract and event name. A comment line goes
// out every 15 seconds so that proxies keep an idle stream open.
import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { IndexedEvent } from '../events.ts';
import type { Indexer } from '../indexer.ts';

const KEEPALIVE_MS = 15_000;

export function streamEvents(c: Context, indexer: Pick<Indexer, 'subscribe'>, filter: { contract?: string; name?: string }, closing?: AbortSignal) {
  return streamSSE(c, async (stream) => {
    let writing = Promise.resolve();
    // Writes are chained so that events go out in the order they were indexed.
    const send = (message: Parameters<typeof stream.writeSSE>[0]) => {
      writing = writing.then(() => stream.writeSSE(message)).catch(() => {});
    };
    const matches = (e: IndexedEvent) =>
      (filter.contract === undefined || e.contract === filter.contract) && (filter.name === undefined || e.name === filter.name);
    const unsubscribe = indexer.subscribe((events) => {
      for (const e of events.filter(matches)) {
        send({ event: 'event', id: `${e.blockNumber}:${e.logIndex}`, data: JSON.stringify(e) });
      }
    });
    const keepalive = setInterval(() => {
      writing = writing
        .then(() => stream.write(': keepalive\n\n'))
        .then(
          () => {},
          () => {},
        );
    }, KEEPALIVE_MS);
    send({ event: 'ready', data: JSON.stringify({ filter }) });
    await new Promise<void>((resolve) => {
      stream.onAbort(resolve);
      if (closing?.aborted) resolve();
      closing?.addEventListener('abort', () => resolve(), { once: true });
    });
    await writing;
    clearInterval(keepalive);
    unsubscribe();
  });
}
