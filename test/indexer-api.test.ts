// The index's HTTP API over a real indexed chain: records and lists, keyset pages and
// their bounds, bad input answered with 4xx and a code (never a 500), the OpenAPI
// document matching the routes, and the event stream delivering a new event.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { tokens } from '../src/chain/parameters.ts';
import { indexerOpenApi } from '../src/indexer/api/openapi.ts';
import { createIndexerApp, startIndexerApi } from '../src/indexer/api/server.ts';
import type { Database } from '../src/indexer/db/database.ts';
import { startIndexer, type Indexer } from '../src/indexer/indexer.ts';
import type { RunningServer } from '../src/net/http.ts';
import { providerRegistryAbi } from '../src/chain/generated/ProviderRegistry.ts';
import { loadModel } from '../src/models/catalog.ts';
import { deposit } from '../src/sdk/accounts.ts';
import { transact } from '../src/sdk/transact.ts';
import { apiClient, migratedDatabase, roles, someActivity, startTestChain, type Activity, type ApiBody, type TestChain } from './support/indexer.ts';

describe('the index API', () => {
  let chain: TestChain;
  let db: Database;
  let indexer: Indexer;
  let api: RunningServer;
  let activity: Activity;
  const { get, refused } = apiClient(() => api.url);

  before(async () => {
    chain = await startTestChain();
    activity = await someActivity(chain);
    db = await migratedDatabase();
    indexer = await startIndexer({ rpcUrl: chain.rpcUrl, deployment: chain.deployment, db, pollIntervalMs: 50 });
    await indexer.syncOnce();
    api = await startIndexerApi({ db, indexer });
  });
  after(async () => {
    await api?.close();
    await indexer?.stop();
    await db?.close();
    await chain?.dispose();
  });

  test('status names the indexed block, the head and the lag', async () => {
    const { status, body } = await get('/v1/status');
    assert.equal(status, 200);
    assert.equal(body.chainId, chain.deployment.chainId);
    assert.equal(body.confirmations, 0);
    assert.equal(typeof body.indexedBlock, 'number');
    assert.equal(typeof body.lag, 'number');
  });

  test('providers, models and payments as projected', async () => {
    const provider = chain.accounts[roles.provider]!.address;
    const providers = await get('/v1/providers');
    assert.deepEqual(
      providers.body.items?.map((p) => p.address),
      [provider],
    );
    const one = await get(`/v1/providers/${provider.toLowerCase()}`);
    assert.equal(one.status, 200);
    assert.equal(one.body.activeStake, activity.stake.toString());
    assert.deepEqual(one.body.slashes, []);

    const model = await get(`/v1/models/${activity.modelId.toUpperCase().replace('0X', '0x')}`);
    assert.equal(model.status, 200);
    assert.equal(model.body.owner, chain.accounts[roles.modelOwner]!.address);
    assert.equal(model.body.royaltyBps, 500);
    const owned = await get(`/v1/models?owner=${chain.accounts[roles.modelOwner]!.address}`);
    assert.equal(owned.body.items?.length, 1);

    const redemptions = await get(`/v1/payments?kind=redemption&provider=${provider}`);
    assert.equal(redemptions.status, 200);
    assert.deepEqual(
      redemptions.body.items?.map((p) => p.amount),
      [activity.paid.toString()],
    );
    const deposits = await get(`/v1/payments?kind=deposit&account=${chain.accounts[roles.client]!.address}`);
    assert.equal(deposits.body.items?.[0]?.amount, activity.deposited.toString());
    assert.deepEqual((await get('/v1/disputes')).body, { items: [], nextCursor: null });
  });

  test('list rows carry what a page shows: a provider its prices by model and reputation, a model its providers and earnings', async () => {
    const provider = await chain.signer(roles.provider);
    const price = tokens('0.25');
    await transact(provider, 'set price', () =>
      provider.walletClient.writeContract({
        address: chain.deployment.contracts.providerRegistry,
        abi: providerRegistryAbi,
        functionName: 'setPrice',
        args: [activity.modelId, price],
      }),
    );
    await indexer.syncOnce();
    const row = (await get('/v1/providers')).body.items?.[0] ?? {};
    const prices = row.prices as Record<string, unknown>[];
    assert.deepEqual(
      prices.map((p) => [p.provider, p.modelId, p.price, p.metadataURI]),
      [[provider.account.address, activity.modelId.toLowerCase(), price.toString(), loadModel('digits-mlp').metadataURI]],
      'the price, and the model it is for with its metadata URI (its name)',
    );
    assert.equal(typeof prices[0]?.updatedBlock, 'number');
    assert.deepEqual(row.slashes, []);
    assert.deepEqual(row.reputation, []);
    // One record is its list row narrowed to its key.
    assert.deepEqual((await get(`/v1/providers/${provider.account.address}`)).body, row);

    const model = (await get('/v1/models')).body.items?.[0] ?? {};
    assert.deepEqual(
      (model.prices as Record<string, unknown>[]).map((p) => [p.provider, p.price]),
      [[provider.account.address, price.toString()]],
    );
    // Its earnings are the split of its one redemption, as the overview sums them.
    const { earningsByModel } = (await get('/v1/overview')).body as unknown as { earningsByModel: Record<string, unknown>[] };
    const { modelId: _, ...split } = earningsByModel[0]!;
    assert.deepEqual(model.earnings, split);
    assert.equal((model.earnings as { redemptions: number }).redemptions, 1);
    assert.deepEqual((await get(`/v1/models/${activity.modelId}`)).body, model);
  });

  test('the joined lists refuse bad input by name: page sizes, cursors, filters, hashes, SQL-looking strings', async () => {
    for (const route of ['/v1/providers', '/v1/models', '/v1/disputes', '/v1/fl/tasks']) {
      for (const limit of ['0', '101', '-1', '1e2', '1;DROP TABLE providers'])
        await refused(`${route}?limit=${encodeURIComponent(limit)}`, 400, 'INVALID_LIMIT');
      for (const cursor of ['bm9wZQ', Buffer.from('["0x1", 2]').toString('base64url'), encodeURIComponent("' OR 1=1 --")])
        await refused(`${route}?cursor=${cursor}`, 400, 'INVALID_CURSOR');
      await refused(`${route}?join=prices`, 400, 'INVALID_QUERY');
    }
    // A page of models ends at its one model; the cursor of another list does not fit its key.
    const events = await get('/v1/events?limit=1');
    await refused(`/v1/models?cursor=${events.body.nextCursor}`, 400, 'INVALID_CURSOR');
    await refused(`/v1/providers?cursor=${events.body.nextCursor}`, 400, 'INVALID_CURSOR');
    await refused(`/v1/models?owner=${encodeURIComponent("0x' OR '1'='1")}`, 400, 'INVALID_ADDRESS');
    await refused('/v1/disputes?provider=0x12', 400, 'INVALID_ADDRESS');
    await refused(`/v1/models/0x${'ab'.repeat(31)}`, 400, 'INVALID_ID');
    await refused(`/v1/models/0x${'gg'.repeat(32)}`, 400, 'INVALID_ID');
    await refused(`/v1/disputes/${activity.modelId}x`, 400, 'INVALID_ID');
    await refused('/v1/fl/tasks/1%20OR%201=1', 400, 'INVALID_ID');
    assert.equal((await get('/v1/models')).body.items?.length, 1, 'the tables are intact');
  });

  test('events page by cursor, newest first, without overlap or gaps', async () => {
    const all = await get('/v1/events?contract=token&limit=100');
    const expected = all.body.items!.map((e) => `${e.blockNumber}:${e.logIndex}`);
    assert.ok(expected.length > 3, `token events: ${expected.length}`);
    const seen: string[] = [];
    let cursor: string | null | undefined;
    do {
      const page = await get(`/v1/events?contract=token&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(page.status, 200);
      assert.ok(page.body.items!.length <= 2);
      seen.push(...page.body.items!.map((e) => `${e.blockNumber}:${e.logIndex}`));
      cursor = page.body.nextCursor;
    } while (cursor);
    assert.deepEqual(seen, expected);
    const named = await get('/v1/events?contract=escrow&name=Deposited');
    assert.ok(named.body.items!.every((e) => e.name === 'Deposited' && e.contract === 'escrow'));
    assert.equal(named.body.items!.length, 1);
  });

  test('page sizes out of range and foreign cursors are refused', async () => {
    for (const limit of ['0', '101', '-1', '1.5', 'abc', '', '100000']) await refused(`/v1/events?limit=${limit}`, 400, 'INVALID_LIMIT');
    assert.equal((await get('/v1/events?limit=100')).status, 200);
    for (const cursor of ['nope', Buffer.from('[1]').toString('base64url'), Buffer.from('["x","y"]').toString('base64url'), "'%20OR%201=1"]) {
      await refused(`/v1/events?cursor=${cursor}`, 400, 'INVALID_CURSOR');
    }
  });

  test('wrong addresses and hashes, unknown ids, routes and parameters: 4xx with a code', async () => {
    await refused('/v1/providers/0x1234', 400, 'INVALID_ADDRESS');
    await refused(`/v1/providers/${'0x'.padEnd(42, 'g')}`, 400, 'INVALID_ADDRESS');
    await refused(`/v1/providers/0x${'12'.repeat(20)}`, 404, 'PROVIDER_NOT_FOUND');
    await refused('/v1/models/0x1234', 400, 'INVALID_ID');
    await refused(`/v1/models/0x${'ab'.repeat(32)}`, 404, 'MODEL_NOT_FOUND');
    await refused(`/v1/disputes/0x${'cd'.repeat(32)}`, 404, 'DISPUTE_NOT_FOUND');
    await refused('/v1/disputes?resolved=maybe', 400, 'INVALID_QUERY');
    await refused('/v1/payments?kind=gift', 400, 'INVALID_QUERY');
    await refused('/v1/payments?account=client', 400, 'INVALID_ADDRESS');
    await refused('/v1/events?contract=bank', 400, 'INVALID_QUERY');
    await refused('/v1/events?contract=escrow&name=ModelPublished', 400, 'INVALID_QUERY');
    await refused('/v1/events?sort=name', 400, 'INVALID_QUERY');
    await refused('/v1/events?limit=5&limit=6', 400, 'INVALID_QUERY');
    await refused('/v1/status?verbose=1', 400, 'INVALID_QUERY');
    await refused('/v2/anything', 404, 'ROUTE_NOT_FOUND');
  });

  test('SQL-looking input is refused as input, and the tables are intact', async () => {
    const sql = ["'; DROP TABLE raw_events; --", "0x' OR '1'='1", 'Deposited) OR (1=1', '1; SELECT pg_sleep(10)'].map(encodeURIComponent);
    for (const value of sql) {
      await refused(`/v1/providers/${value}`, 400, 'INVALID_ADDRESS');
      await refused(`/v1/models/${value}`, 400, 'INVALID_ID');
      await refused(`/v1/disputes/${value}`, 400, 'INVALID_ID');
      await refused(`/v1/events?name=${value}`, 400, 'INVALID_QUERY');
      await refused(`/v1/events?contract=${value}`, 400, 'INVALID_QUERY');
      await refused(`/v1/payments?kind=${value}`, 400, 'INVALID_QUERY');
      await refused(`/v1/events?cursor=${value}`, 400, 'INVALID_CURSOR');
      await refused(`/v1/events?limit=${value}`, 400, 'INVALID_LIMIT');
    }
    assert.ok((await get('/v1/events')).body.items!.length > 0);
  });

  test('overview totals and activity buckets add up to the activity on chain', async () => {
    const { status, body } = await get('/v1/overview');
    assert.equal(status, 200);
    const o = body as unknown as {
      providers: { count: number; activeStake: string };
      escrow: { deposited: string; redeemed: string; redemptions: number };
      fees: { providerAmount: string; royalty: string; protocolFee: string };
      earningsByModel: { modelId: string; royalty: string; redemptions: number }[];
    };
    assert.deepEqual(o.providers, { ...o.providers, count: 1, activeStake: activity.stake.toString() });
    assert.equal(o.escrow.redeemed, activity.paid.toString());
    assert.equal(o.escrow.redemptions, 1);
    const split = BigInt(o.fees.providerAmount) + BigInt(o.fees.royalty) + BigInt(o.fees.protocolFee);
    assert.equal(split, activity.paid, 'the split of the redemption sums to what was paid');
    assert.equal(BigInt(o.fees.royalty), (activity.paid * 500n) / 10_000n, 'the royalty is the model owner 5 %');
    assert.deepEqual(
      o.earningsByModel.map((e) => [e.modelId, e.royalty, e.redemptions]),
      [[activity.modelId.toLowerCase(), o.fees.royalty, 1]],
    );

    const buckets = (await get('/v1/activity?bucket=3600')).body as unknown as { bucketSeconds: number; buckets: { redemptions: number; paid: string }[] };
    assert.equal(buckets.bucketSeconds, 3600);
    assert.equal(buckets.buckets.length, 60);
    assert.equal(
      buckets.buckets.reduce((n, b) => n + b.redemptions, 0),
      1,
    );
    assert.equal(
      buckets.buckets.reduce((n, b) => n + BigInt(b.paid), 0n),
      activity.paid,
    );
    for (const bucket of ['0', '86401', '-5', '1e3', 'hour', "1' OR '1'='1"])
      await refused(`/v1/activity?bucket=${encodeURIComponent(bucket)}`, 400, 'INVALID_QUERY');
    await refused('/v1/overview?all=1', 400, 'INVALID_QUERY');
  });

  test('search finds a transaction and a model by hash; an unknown or malformed hash is refused by name', async () => {
    const [published] = (await get('/v1/events?name=ModelPublished')).body.items!;
    const tx = await get(`/v1/search/${String(published!.txHash).toUpperCase().replace('0X', '0x')}`);
    assert.equal(tx.status, 200);
    const found = tx.body as unknown as { transaction: { events: { name: string }[] }; model: null; receipt: null };
    assert.ok(found.transaction.events.some((e) => e.name === 'ModelPublished'));
    const model = (await get(`/v1/search/${activity.modelId}`)).body as unknown as { model: { owner: string }; transaction: null };
    assert.equal(model.model.owner, chain.accounts[roles.modelOwner]!.address);
    assert.equal(model.transaction, null);
    await refused(`/v1/search/0x${'ef'.repeat(32)}`, 404, 'HASH_NOT_FOUND');
    for (const bad of ['0x1234', 'hello', `0x${'zz'.repeat(32)}`, encodeURIComponent("' OR 1=1 --")]) await refused(`/v1/search/${bad}`, 400, 'INVALID_ID');
  });

  test('the matrix route gives the grid, Trellis and the catalog', async () => {
    const { status, body } = await get('/v1/matrix');
    assert.equal(status, 200);
    const m = body as unknown as { grid: unknown[]; trellis: { cells: unknown[] }; catalog: { id: string }[] };
    assert.equal(m.grid.length, 9);
    assert.equal(m.trellis.cells.length, 9);
    assert.ok(m.catalog.some((p) => p.id === 'bittensor'));
  });

  test('dashboard files are served from their folder only, and never in place of an API answer', async () => {
    const root = mkdtempSync(join(tmpdir(), 'trellis-dashboard-'));
    try {
      const dir = join(root, 'dist');
      mkdirSync(join(dir, 'assets'), { recursive: true });
      writeFileSync(join(dir, 'index.html'), '<!doctype html><title>index page</title>');
      writeFileSync(join(dir, 'assets', 'app-1.js'), 'console.log(1)');
      writeFileSync(join(root, 'secret.txt'), 'outside the folder');
      const app = createIndexerApp({ db, indexer, dashboardDir: dir });
      const page = await app.request('/');
      assert.equal(page.status, 200);
      assert.match(page.headers.get('content-type') ?? '', /text\/html/);
      assert.match(await page.text(), /index page/);
      const script = await app.request('/assets/app-1.js');
      assert.match(script.headers.get('content-type') ?? '', /javascript/);
      assert.match(script.headers.get('cache-control') ?? '', /immutable/);
      for (const outside of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/%E0%A4%A']) {
        const answer = await app.request(outside);
        const text = await answer.text();
        assert.doesNotMatch(text, /outside the folder/, outside);
      }
      const api = await app.request('/v1/nothing');
      assert.equal(api.status, 404);
      assert.equal(((await api.json()) as ApiBody).error?.code, 'ROUTE_NOT_FOUND');
      assert.equal((await createIndexerApp({ db, indexer }).request('/')).status, 404, 'no dashboard unless one is given');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test('the OpenAPI document describes exactly the routes the server answers', async () => {
    const { status, body } = await get('/openapi.json');
    assert.equal(status, 200);
    assert.equal(body.openapi, '3.1.0');
    const app = createIndexerApp({ db, indexer });
    const routes = new Set(app.routes.filter((r) => r.method === 'GET').map((r) => r.path.replace(/:(\w+)/g, '{$1}')));
    assert.deepEqual([...routes].sort(), Object.keys(indexerOpenApi.paths).sort());
  });

  test('the stream sends a new event once it is indexed', async () => {
    const controller = new AbortController();
    const response = await fetch(`${api.url}/v1/stream?contract=escrow&name=Deposited`, { signal: controller.signal });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /text\/event-stream/);
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    const readUntil = async (pattern: RegExp) => {
      while (!pattern.test(text)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended: ${text}`);
        text += value;
      }
    };
    try {
      await readUntil(/event: ready/);
      await deposit(await chain.signer(roles.client), chain.deployment, tokens('7'));
      await readUntil(/event: event\ndata: .*\n/);
      const line = text.split('\n').find((l) => l.startsWith('data: {"blockNumber"'))!;
      const event = JSON.parse(line.slice('data: '.length)) as { name: string; contract: string; args: { amount: string } };
      assert.equal(event.name, 'Deposited');
      assert.equal(event.contract, 'escrow');
      assert.equal(event.args.amount, tokens('7').toString());
    } finally {
      controller.abort();
      await reader.cancel().catch(() => {});
    }
    await refused('/v1/stream?name=Nothing', 400, 'INVALID_QUERY');
  });
});
