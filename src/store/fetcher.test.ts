// The fetcher from the attacker's side. Each lying source is a loopback HTTP server
// that answers like a trustless gateway but tampers with what it sends: a flipped
// byte in a leaf, two leaves swapped, an oversized block, a CAR rooted elsewhere, a
// block of another DAG, an endless body, a body that stalls. Listed before an honest
// source, each is refused with a reason that names it, and the package still arrives
// whole from the honest one. Alone, each makes the fetch fail naming the CID and source.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Hono } from 'hono';
import type { CID } from 'multiformats/cid';
import { listen, type RunningServer } from '../net/http.ts';
import { BlockStore } from './block-store.ts';
import { blockCid, RAW_CODE } from './cid.ts';
import { walkDag } from './dag.ts';
import { addDirectory, exportDirectory } from './directory.ts';
import { fetchPackage, type FetchOptions } from './fetcher.ts';
import { storeRoutes } from './http-routes.ts';
import { assertFixtureFiles, carOf, errorCode, recordingLogger, tempDir, writeFixture } from './testing.ts';

const temp = tempDir('fetch');
const servers: RunningServer[] = [];
let honest: RunningServer;
let root: CID;
let blocks: { cid: CID; bytes: Uint8Array }[];
/** Two leaves of model.onnx, full 256 KiB chunks. */
let leafA: { cid: CID; bytes: Uint8Array };
let leafB: { cid: CID; bytes: Uint8Array };
const fresh = temp.fresh;

before(async () => {
  const store = await BlockStore.open(fresh());
  root = await addDirectory(store, writeFixture(fresh()));
  blocks = [];
  for await (const block of walkDag(store, root)) blocks.push(block);
  [leafA, leafB] = blocks.filter((b) => b.cid.code === RAW_CODE && b.bytes.length === 262_144) as [typeof leafA, typeof leafB];
  assert.ok(leafA && leafB);
  honest = await serve(storeRoutes(store));
});
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
  temp.remove();
});

async function serve(app: Hono): Promise<RunningServer> {
  const server = await listen(app, '127.0.0.1', 0);
  servers.push(server);
  return server;
}

type Body = ConstructorParameters<typeof Response>[0];
type Lies = { car?: () => Body | Promise<Body>; raw?: (cid: string) => Body | undefined; status?: number };

/** A source that answers CAR and raw requests with what `lies` says; anything it does not cover is a 404. */
function liar(lies: Lies): Promise<RunningServer> {
  const app = new Hono();
  app.get('/ipfs/:cid', async (c) => {
    const body = c.req.query('format') === 'car' ? await lies.car?.() : lies.raw?.(c.req.param('cid'));
    return body === undefined
      ? c.text('not here', 404)
      : new Response(body, { status: lies.status ?? 200, headers: { 'content-type': 'application/octet-stream' } });
  });
  return serve(app);
}

/** Honest raw blocks, except those `swap` replaces. */
const rawBlocks =
  (swap: Record<string, Uint8Array> = {}) =>
  (cid: string) =>
    swap[cid] ?? blocks.find((b) => b.cid.toString() === cid)?.bytes;

const withBytes = (replace: Record<string, Uint8Array>) => blocks.map((b) => ({ cid: b.cid, bytes: replace[b.cid.toString()] ?? b.bytes }));

const flipped = (bytes: Uint8Array) => {
  const copy = new Uint8Array(bytes);
  copy[1000] = copy[1000]! ^ 0x01;
  return copy;
};

/** A body that never ends: `first`, then `chunk` again and again for as long as it is read. */
const endless = (first: Uint8Array, chunk: Uint8Array) => {
  let started = false;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      controller.enqueue(started ? chunk : first);
      started = true;
    },
  });
};

/** A body that sends `first` and then nothing, never closing. */
const stalled = (first: Uint8Array) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      if (first.length > 0) controller.enqueue(first);
    },
  });

const options = (sources: RunningServer[], extra: Partial<FetchOptions> = {}) => ({
  sources: sources.map((s) => ({ kind: 'gateway' as const, url: s.url })),
  idleTimeoutMs: 300,
  ...extra,
});

async function assertWhole(store: BlockStore): Promise<void> {
  const out = fresh();
  await exportDirectory(store, root, out);
  assertFixtureFiles(out);
  assert.deepEqual((await store.roots()).map(String), [root.toString()]);
}

type Attack = {
  name: string;
  lies: () => Promise<Lies>;
  /** Why the source is dropped in the end. */
  refusedWith: string;
  /** Why its CAR was given up before its blocks were asked for one by one, if it was. */
  carGivenUpWith?: string;
  limits?: { maxBlockBytes: number };
};

const attacks: Attack[] = [
  {
    name: 'one flipped byte in a leaf',
    lies: async () => ({
      car: () => carOf([root], withBytes({ [leafA.cid.toString()]: flipped(leafA.bytes) })),
      raw: rawBlocks({ [leafA.cid.toString()]: flipped(leafA.bytes) }),
    }),
    refusedWith: 'STORE_BLOCK_MISMATCH',
  },
  {
    name: 'two leaves swapped',
    lies: async () => {
      const swap = { [leafA.cid.toString()]: leafB.bytes, [leafB.cid.toString()]: leafA.bytes };
      return { car: () => carOf([root], withBytes(swap)), raw: rawBlocks(swap) };
    },
    refusedWith: 'STORE_BLOCK_MISMATCH',
  },
  {
    name: 'an oversized block',
    lies: async () => {
      const big = new Uint8Array(400_000).fill(7);
      return { car: () => carOf([root], withBytes({ [leafA.cid.toString()]: big })), raw: rawBlocks({ [leafA.cid.toString()]: big }) };
    },
    refusedWith: 'STORE_BODY_TOO_LARGE',
    carGivenUpWith: 'STORE_BLOCK_TOO_LARGE',
    limits: { maxBlockBytes: 300_000 },
  },
  {
    name: 'a CAR rooted at another CID',
    lies: async () => {
      const other = await blockCid(RAW_CODE, Buffer.from('another package'));
      return { car: () => carOf([other], blocks) };
    },
    refusedWith: 'STORE_SOURCE_FAILED',
    carGivenUpWith: 'STORE_CAR_INVALID',
  },
  {
    name: 'a block of another DAG slipped into the CAR',
    lies: async () => {
      const stray = { cid: await blockCid(RAW_CODE, Buffer.from('stray')), bytes: Buffer.from('stray') };
      return { car: () => carOf([root], [blocks[0]!, stray, ...blocks.slice(1)]) };
    },
    refusedWith: 'STORE_SOURCE_FAILED',
    carGivenUpWith: 'STORE_UNEXPECTED_BLOCK',
  },
  {
    name: 'an endless body',
    lies: async () => {
      const withRoot = await carOf([root], [blocks[0]!]);
      // The root block's section alone, repeated: each repeat is a duplicate the fetcher skips.
      const section = withRoot.subarray((await carOf([root], [])).length);
      return { car: () => endless(withRoot, section), raw: () => endless(new Uint8Array(64 * 1024), new Uint8Array(64 * 1024)) };
    },
    refusedWith: 'STORE_BODY_TOO_LARGE',
    carGivenUpWith: 'STORE_BODY_TOO_LARGE',
  },
  {
    name: 'an error answer with an endless body',
    lies: async () => {
      const junk = new Uint8Array(64 * 1024).fill(0x41);
      return { status: 500, car: () => endless(junk, junk), raw: () => endless(junk, junk) };
    },
    refusedWith: 'STORE_SOURCE_FAILED',
    carGivenUpWith: 'STORE_SOURCE_FAILED',
  },
  {
    name: 'a body that stalls',
    lies: async () => {
      const head = await carOf([root], []);
      return { car: () => stalled(head), raw: () => stalled(new Uint8Array(0)) };
    },
    refusedWith: 'STORE_SOURCE_TIMEOUT',
    carGivenUpWith: 'STORE_SOURCE_TIMEOUT',
  },
];

for (const attack of attacks) {
  test(`a source sending ${attack.name} is refused and the honest source after it is used`, async () => {
    const bad = await liar(await attack.lies());
    const log = recordingLogger();
    const store = await BlockStore.open(fresh(), { limits: { maxPackageBytes: 1024 * 1024, maxBlocks: 100, ...attack.limits } });
    const result = await fetchPackage(store, root, { ...options([bad, honest]), log });
    assert.equal(result.blocks, blocks.length);
    await assertWhole(store);
    const refusal = log.lines.find((line) => line.level === 'warn' && line.fields.source === bad.url && line.message.startsWith('source failed'));
    assert.ok(refusal, `no refusal of ${bad.url} logged: ${JSON.stringify(log.lines)}`);
    assert.equal(refusal.fields.code, attack.refusedWith);
    const carGivenUp = log.lines.find((line) => line.fields.source === bad.url && line.message.startsWith('CAR fetch incomplete'));
    assert.equal(carGivenUp?.fields.code, attack.carGivenUpWith);
  });
}

test('with only lying sources the fetch fails, naming the block, each source and its reason', async () => {
  const bad = await liar(await attacks[0]!.lies());
  const stalling = await liar(await attacks.find((a) => a.name === 'a body that stalls')!.lies());
  const store = await BlockStore.open(fresh());
  await assert.rejects(fetchPackage(store, root, options([bad, stalling])), (error) => {
    assert.equal(errorCode(error), 'STORE_FETCH_FAILED');
    const text = String((error as Error).message);
    assert.match(text, new RegExp(`${bad.url}: STORE_BLOCK_MISMATCH: .*${leafA.cid.toString()}`));
    assert.match(text, new RegExp(`${stalling.url}: STORE_SOURCE_TIMEOUT`));
    assert.ok(text.includes(root.toString()));
    return true;
  });
  assert.deepEqual(await store.roots(), []);
});

test('a package larger than the limits fails at once, whichever source sends it', async () => {
  const store = await BlockStore.open(fresh(), { limits: { maxPackageBytes: 100_000 } });
  const second = await serve(storeRoutes(await BlockStore.open(fresh())));
  await assert.rejects(fetchPackage(store, root, options([honest, second])), (error) => errorCode(error) === 'STORE_PACKAGE_TOO_LARGE');
});

test('block by block from a gateway, and nothing asked for when the store already holds the package', async () => {
  const store = await BlockStore.open(fresh());
  const first = await fetchPackage(store, root, options([honest], { mode: 'blocks' }));
  assert.equal(first.fetched, blocks.length);
  await assertWhole(store);
  const again = await fetchPackage(store, root, { sources: [] });
  assert.deepEqual([again.fetched, again.blocks], [0, blocks.length]);
});

test('a source that cannot be reached is skipped', async () => {
  const gone = await liar({});
  await gone.close();
  const store = await BlockStore.open(fresh());
  const log = recordingLogger();
  await fetchPackage(store, root, { ...options([gone, honest]), log });
  await assertWhole(store);
  assert.equal(log.lines.find((l) => l.fields.source === gone.url && l.message.startsWith('source failed'))?.fields.code, 'STORE_SOURCE_FAILED');
});
