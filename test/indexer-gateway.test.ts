// The gateway's request log and the indexer following it: the log records what an
// /v1/infer exchange reported (provider, attempts, latency, status, verification), and
// the follower stores it over HTTP. The gateway is not trusted: malformed entries,
// entries out of order or replayed, and a restart that starts the numbers over are
// each refused or handled, and the summary the API serves counts only what was stored.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Hono } from 'hono';
import { logRequests, RequestLog, requestLogRoutes } from '../src/gateway/request-log.ts';
import { createIndexerApp } from '../src/indexer/api/server.ts';
import type { Database } from '../src/indexer/db/database.ts';
import { startGatewayFollower } from '../src/indexer/gateway-follower.ts';
import type { Indexer } from '../src/indexer/indexer.ts';
import { listen, type RunningServer } from '../src/net/http.ts';
import { ProtocolError } from '../src/protocol/errors.ts';
import { migratedDatabase } from './support/indexer.ts';

const provider = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const hash = (byte: string) => `0x${byte.repeat(32)}`;

describe("the gateway's request log, followed by the indexer", () => {
  let db: Database;
  let gateway: RunningServer;
  let liar: RunningServer;
  let lies: unknown = { instance: 'x', items: [] };
  const requests = new RequestLog();

  before(async () => {
    db = await migratedDatabase();
    // The gateway's own wiring (server.ts): the middleware in front of /v1/infer, the log's routes.
    const app = new Hono();
    app.onError((error, c) => c.json((error as ProtocolError).toJSON(), (error as ProtocolError).status as 400));
    app.use('/v1/infer', logRequests(requests));
    app.route('/', requestLogRoutes(requests));
    app.post('/v1/infer', async (c) => {
      const body = (await c.req.json()) as { fail?: boolean };
      if (body.fail) throw new ProtocolError('NO_PROVIDER', 'No provider serves the model.');
      return c.json({ output: [1], receipt: { requestHash: hash('ab'), modelId: hash('cd'), verification: 2 }, provider, attempts: 2 });
    });
    app.get('/v1/providers', (c) => c.json({ providers: [{ address: provider, latencyMs: 12.5, errorRate: 0.25, healthy: true, healthReason: 'ok' }] }));
    gateway = await listen(app, '127.0.0.1', 0);

    const lying = new Hono();
    lying.get('/v1/requests', (c) => c.json(lies));
    lying.get('/v1/providers', (c) => c.json({ providers: [{ address: 'not an address', latencyMs: -1, errorRate: 7 }] }));
    liar = await listen(lying, '127.0.0.1', 0);
  });
  after(async () => {
    await gateway?.close();
    await liar?.close();
    await db?.close();
  });

  const infer = (body: object) => fetch(`${gateway.url}/v1/infer`, { method: 'POST', body: JSON.stringify(body) });

  test('each exchange is logged with its routing; the follower stores it and the summary counts it', async () => {
    assert.equal((await infer({})).status, 200);
    assert.equal((await infer({ fail: true })).status, 503);
    const log = (await (await fetch(`${gateway.url}/v1/requests?after=0`)).json()) as { instance: string; items: Record<string, unknown>[] };
    assert.deepEqual(
      log.items.map((e) => [e.seq, e.status, e.attempts, e.verification, e.providers]),
      [
        [1, 'ok', 2, 'optimistic', [provider]],
        [2, 'NO_PROVIDER', null, null, []],
      ],
    );
    assert.equal((await fetch(`${gateway.url}/v1/requests?after=-1`)).status, 400, 'a bad cursor is refused');

    const follower = startGatewayFollower({ gatewayUrl: gateway.url, db, pollIntervalMs: 60_000 });
    try {
      await follower.syncOnce();
      await follower.syncOnce();
      assert.equal(follower.status().stored, 2);
    } finally {
      await follower.stop();
    }
    const api = createIndexerApp({ db, indexer: {} as Pick<Indexer, 'status' | 'subscribe'> });
    const summary = (await (await api.request('/v1/gateway')).json()) as Record<string, unknown> & { providers: Record<string, unknown>[] };
    assert.equal(summary.requests, 2);
    assert.equal(summary.failed, 1);
    assert.equal(summary.errorRate, 0.5);
    assert.ok((summary.requestsPerSecond as number) > 0);
    assert.deepEqual(
      summary.providers.map((p) => [p.address, p.latencyMs, p.errorRate, p.served]),
      [[provider, 12.5, 0.25, 1]],
    );
    const page = (await (await api.request('/v1/gateway/requests?limit=1')).json()) as { items: unknown[]; nextCursor: string };
    assert.equal(page.items.length, 1);
    assert.equal((await api.request(`/v1/gateway/requests?cursor=${page.nextCursor}`)).status, 200);
    assert.equal((await api.request('/v1/gateway/requests?cursor=abc')).status, 400);
  });

  test('a lying gateway: malformed, replayed and out-of-order entries are refused; a restart is followed without duplicates', async () => {
    const instance = '11111111-2222-3333-4444-555555555555';
    const good = (seq: number) => ({
      seq,
      at: Date.now(),
      requestHash: hash('01'),
      modelId: null,
      providers: [provider],
      attempts: 1,
      latencyMs: 5,
      status: 'ok',
      verification: 'none',
    });
    lies = {
      instance,
      items: [good(1), { ...good(2), status: "ok'); DROP TABLE gateway_requests;--" }, { ...good(3), providers: ['0x12'] }, good(1), good(4)],
    };
    const follower = startGatewayFollower({ gatewayUrl: liar.url, db, pollIntervalMs: 60_000 });
    try {
      await follower.syncOnce();
      const seqs = await db.query<{ seq: string }>("SELECT seq FROM gateway_requests WHERE gateway = '0x11111111222233334444555555555555' ORDER BY seq");
      assert.deepEqual(
        seqs.map((r) => Number(r.seq)),
        [1, 4],
        'entries 1 and 4 only',
      );
      assert.ok(follower.status().rejected >= 3, 'the bad status, the bad provider and the repeated entry are counted');
      // The same entries again (the gateway replays its log): nothing new is stored.
      await follower.syncOnce();
      const [count] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM gateway_requests WHERE gateway = '0x11111111222233334444555555555555'");
      assert.equal(count?.n, 2);
      // Restarted: a new instance whose numbers start over; they are stored as its own.
      lies = { instance: 'aaaaaaaa-2222-3333-4444-555555555555', items: [good(1)] };
      await follower.syncOnce();
      const [total] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM gateway_requests WHERE gateway LIKE '0xaaaa%'");
      assert.equal(total?.n, 1);
      // No instance id: the whole answer is refused, and the failure is reported.
      lies = { items: [good(9)] };
      await assert.rejects(follower.syncOnce(), /without an instance id/);
      // Measurements out of range are not stored.
      const [stats] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM gateway_provider_stats WHERE provider = 'not an address'");
      assert.equal(stats?.n, 0);
    } finally {
      await follower.stop();
    }
  });
});
