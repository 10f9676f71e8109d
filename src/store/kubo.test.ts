// The IPFS node route, tested against a small in-test HTTP server that mimics the
// kubo RPC endpoints the store uses, shaped as kubo documents them: POST
// /api/v0/block/get?arg=<cid> answers the raw block (500 with a JSON Message when it
// lacks it), POST /api/v0/dag/import takes a CAR in a multipart `file` field and
// answers one JSON line per root. No real kubo runs here.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Hono } from 'hono';
import type { CID } from 'multiformats/cid';
import { listen, type RunningServer } from '../net/http.ts';
import { BlockStore } from './block-store.ts';
import { readCar } from './car.ts';
import { parseCid, RAW_CODE } from './cid.ts';
import { walkDag } from './dag.ts';
import { addDirectory, exportDirectory } from './directory.ts';
import { fetchPackage } from './fetcher.ts';
import { storeRoutes } from './http-routes.ts';
import { kuboImportPackage } from './kubo.ts';
import { errorCode, once, recordingLogger, tempDir, writeFixture } from './testing.ts';

const temp = tempDir('kubo');
const servers: RunningServer[] = [];
let source: BlockStore;
let root: CID;
const fresh = temp.fresh;

before(async () => {
  source = await BlockStore.open(fresh());
  root = await addDirectory(source, writeFixture(fresh()));
});
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
  temp.remove();
});

type Mimic = { server: RunningServer; store: BlockStore; calls: string[] };

/** A kubo look-alike over `store`; `tamper` may change a block's bytes before they are sent. */
async function mimicKubo(
  store: BlockStore,
  options: { tamper?: (cid: CID, bytes: Uint8Array) => Uint8Array; importAnswer?: (root: string) => string } = {},
): Promise<Mimic> {
  const calls: string[] = [];
  const app = new Hono();
  const kuboError = (message: string) => new Response(JSON.stringify({ Message: message, Code: 0, Type: 'error' }), { status: 500 });
  app.all('/api/v0/*', async (c, next) => {
    calls.push(`${c.req.method} ${new URL(c.req.url).pathname}${new URL(c.req.url).search}`);
    // Kubo's RPC refuses GET: every command is a POST.
    if (c.req.method !== 'POST') return c.text('405 - Method Not Allowed', 405);
    return next();
  });
  app.post('/api/v0/block/get', async (c) => {
    const cid = parseCid(c.req.query('arg') ?? '');
    if (!(await store.has(cid))) return kuboError('block was not found locally (offline)');
    const bytes = await store.getBlock(cid);
    return c.body((options.tamper?.(cid, bytes) ?? bytes) as Uint8Array<ArrayBuffer>, 200, { 'content-type': 'text/plain' });
  });
  app.post('/api/v0/dag/import', async (c) => {
    const file = (await c.req.formData()).get('file');
    if (!(file instanceof Blob)) return kuboError('file argument was nil');
    const bytes = new Uint8Array(await file.arrayBuffer());
    const { CarReader } = await import('@ipld/car');
    const reader = await CarReader.fromBytes(bytes);
    const [carRoot] = await reader.getRoots();
    for await (const block of readCar(once(bytes), carRoot!, 1 << 20, 'the import')) await store.putBlock(block.cid, block.bytes);
    const answer = options.importAnswer?.(carRoot!.toString()) ?? JSON.stringify({ Root: { Cid: { '/': carRoot!.toString() }, PinErrorMsg: '' } });
    return c.body(`${answer}\n`, 200, { 'content-type': 'application/json' });
  });
  const server = await listen(app, '127.0.0.1', 0);
  servers.push(server);
  return { server, store, calls };
}

test('a package is fetched block by block from an IPFS node through its RPC API, every call a POST with arg', async () => {
  const kubo = await mimicKubo(source);
  const store = await BlockStore.open(fresh());
  const result = await fetchPackage(store, root, { sources: [{ kind: 'kubo', url: kubo.server.url }] });
  let blocks = 0;
  for await (const _ of walkDag(source, root)) blocks++;
  assert.equal(result.fetched, blocks);
  await exportDirectory(store, root, fresh());
  assert.equal(kubo.calls.length, blocks);
  for (const call of kubo.calls) assert.match(call, /^POST \/api\/v0\/block\/get\?arg=baf[a-z0-9]+$/);
});

test('an IPFS node that returns a tampered block is refused and the gateway after it is used', async () => {
  const kubo = await mimicKubo(source, {
    tamper: (cid, bytes) => (cid.code === RAW_CODE && bytes.length > 1000 ? Uint8Array.from(bytes, (b, i) => (i === 7 ? b ^ 0x80 : b)) : bytes),
  });
  const gateway = await listen(storeRoutes(source), '127.0.0.1', 0);
  servers.push(gateway);
  const log = recordingLogger();
  const store = await BlockStore.open(fresh());
  await fetchPackage(store, root, {
    sources: [
      { kind: 'kubo', url: kubo.server.url },
      { kind: 'gateway', url: gateway.url },
    ],
    log,
  });
  await exportDirectory(store, root, fresh());
  const refusal = log.lines.find((l) => l.message.startsWith('source failed'));
  assert.equal(refusal?.fields.code, 'STORE_BLOCK_MISMATCH');
  assert.equal(refusal?.fields.source, `the IPFS node at ${kubo.server.url}`);
});

test('an IPFS node that lacks a block fails with its own message, naming the node', async () => {
  const kubo = await mimicKubo(await BlockStore.open(fresh()));
  await assert.rejects(fetchPackage(await BlockStore.open(fresh()), root, { sources: [{ kind: 'kubo', url: kubo.server.url }] }), (error) => {
    assert.equal(errorCode(error), 'STORE_FETCH_FAILED');
    assert.match(String(error), /the IPFS node at http:\/\/127\.0\.0\.1:\d+: STORE_SOURCE_FAILED: .*answered 500.*block was not found locally/);
    return true;
  });
});

test('a package is handed to an IPFS node as a CAR with dag/import, and a root it does not report is an error', async () => {
  const kubo = await mimicKubo(await BlockStore.open(fresh()));
  await kuboImportPackage(kubo.server.url, source, root, { timeoutMs: 10_000, idleTimeoutMs: 5_000 });
  assert.deepEqual(kubo.calls, ['POST /api/v0/dag/import?pin-roots=true']);
  for await (const block of walkDag(source, root)) assert.equal(await kubo.store.has(block.cid), true);
  const unpinned = await mimicKubo(await BlockStore.open(fresh()), {
    importAnswer: (r) => JSON.stringify({ Root: { Cid: { '/': r }, PinErrorMsg: 'pinning is disabled' } }),
  });
  await assert.rejects(kuboImportPackage(unpinned.server.url, source, root, { timeoutMs: 10_000, idleTimeoutMs: 5_000 }), /could not pin it/);
  const elsewhere = await mimicKubo(await BlockStore.open(fresh()), { importAnswer: () => JSON.stringify({ Root: { Cid: { '/': 'bafkqaaa' } } }) });
  await assert.rejects(kuboImportPackage(elsewhere.server.url, source, root, { timeoutMs: 10_000, idleTimeoutMs: 5_000 }), /did not report/);
});
