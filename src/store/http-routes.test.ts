// The trustless-gateway routes, mounted on an app as the gateway and provider nodes
// would mount them: raw blocks, CARs and file paths come back with the right bytes and
// content types; HEAD has the headers without the body; malformed CIDs, unknown
// content, unsupported formats and path tricks get 400 or 404 with a code.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Hono } from 'hono';
import type { CID } from 'multiformats/cid';
import { BlockStore } from './block-store.ts';
import { readCar } from './car.ts';
import { blockCid, RAW_CODE } from './cid.ts';
import { walkDag } from './dag.ts';
import { addDirectory } from './directory.ts';
import { CAR_CONTENT_TYPE, RAW_CONTENT_TYPE, storeRoutes } from './http-routes.ts';
import { fixtureFiles, once, tempDir, writeFixture } from './testing.ts';

const temp = tempDir('http');
let app: Hono;
let store: BlockStore;
let root: CID;

before(async () => {
  store = await BlockStore.open(join(temp.dir, 'store'));
  root = await addDirectory(store, writeFixture(join(temp.dir, 'pkg')));
  app = new Hono();
  app.get('/health', (c) => c.text('ok'));
  app.route('/', storeRoutes(store));
});
after(() => temp.remove());

const get = (path: string, headers: Record<string, string> = {}, method = 'GET') => app.request(path, { method, headers });
const bytesOf = async (response: Response) => new Uint8Array(await response.arrayBuffer());
const errorCode = async (response: Response) => ((await response.json()) as { error: { code: string } }).error.code;

test('a raw block is served by ?format=raw and by Accept, with its content type and length', async () => {
  for (const response of [await get(`/ipfs/${root}?format=raw`), await get(`/ipfs/${root}`, { accept: RAW_CONTENT_TYPE })]) {
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), RAW_CONTENT_TYPE);
    const bytes = await bytesOf(response);
    assert.deepEqual(bytes, new Uint8Array(await store.getBlock(root)));
    assert.equal(response.headers.get('content-length'), String(bytes.length));
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
  }
  // The block a path leads to.
  const leaf = await get(`/ipfs/${root}/trellis-model.json?format=raw`);
  assert.deepEqual(await bytesOf(leaf), new Uint8Array(fixtureFiles()['trellis-model.json']!));
});

test('a CAR holds every block of the DAG once, depth-first, rooted at the CID; dag-scope=block holds the root alone', async () => {
  const response = await get(`/ipfs/${root}`, { accept: 'application/vnd.ipld.car' });
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), CAR_CONTENT_TYPE);
  const got: string[] = [];
  for await (const block of readCar(once(await bytesOf(response)), root, 1 << 20, 'the test')) got.push(block.cid.toString());
  const expected: string[] = [];
  for await (const block of walkDag(store, root)) expected.push(block.cid.toString());
  assert.deepEqual(got, expected);
  const single = await get(`/ipfs/${root}?format=car&dag-scope=block`);
  const one: string[] = [];
  for await (const block of readCar(once(await bytesOf(single)), root, 1 << 20, 'the test')) one.push(block.cid.toString());
  assert.deepEqual(one, [root.toString()]);
});

test('file paths give the file bytes with a content type by name, and a folder gives its listing', async () => {
  const files = fixtureFiles();
  const types: Record<string, string> = {
    'model.onnx': 'application/octet-stream',
    'trellis-model.json': 'application/json',
    'MODEL_CARD.md': 'text/markdown; charset=utf-8',
    'data/labels.txt': 'text/plain; charset=utf-8',
  };
  for (const [path, type] of Object.entries(types)) {
    const response = await get(`/ipfs/${root}/${path}`);
    assert.equal(response.status, 200, path);
    assert.equal(response.headers.get('content-type'), type, path);
    assert.equal(response.headers.get('content-length'), String(files[path]!.length), path);
    assert.deepEqual(await bytesOf(response), new Uint8Array(files[path]!), path);
  }
  const listing = (await (await get(`/ipfs/${root}/`)).json()) as { entries: { name: string }[] };
  assert.deepEqual(
    listing.entries.map((e) => e.name),
    ['MODEL_CARD.md', 'data', 'model.onnx', 'trellis-model.json'],
  );
});

test('HEAD answers the headers of GET without a body', async () => {
  for (const path of [`/ipfs/${root}?format=raw`, `/ipfs/${root}/model.onnx`, `/ipfs/${root}?format=car`]) {
    const [full, head] = [await get(path), await get(path, {}, 'HEAD')];
    assert.equal(head.status, 200, path);
    assert.equal(head.headers.get('content-type'), full.headers.get('content-type'), path);
    assert.equal(head.headers.get('content-length'), full.headers.get('content-length'), path);
    assert.equal((await bytesOf(head)).length, 0, path);
  }
  assert.equal((await get(`/ipfs/not-a-cid`, {}, 'HEAD')).status, 400);
});

test('malformed CIDs, unknown content, unsupported formats and path tricks are refused with a code', async () => {
  const absent = await blockCid(RAW_CODE, Buffer.from('not stored'));
  const cases: [string, number, string][] = [
    ['/ipfs/not-a-cid', 400, 'STORE_CID_INVALID'],
    ['/ipfs/bafyreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku?format=raw', 400, 'STORE_CID_INVALID'],
    [`/ipfs/${absent}?format=raw`, 404, 'STORE_BLOCK_NOT_FOUND'],
    [`/ipfs/${absent}?format=car`, 404, 'STORE_BLOCK_NOT_FOUND'],
    [`/ipfs/${root}/weights.bin`, 404, 'STORE_PATH_NOT_FOUND'],
    [`/ipfs/${root}?format=tar`, 400, 'STORE_REQUEST_INVALID'],
    [`/ipfs/${root}?format=car&dag-scope=entity`, 400, 'STORE_REQUEST_INVALID'],
    [`/ipfs/${root}/model.onnx?format=car`, 400, 'STORE_REQUEST_INVALID'],
    // An encoded separator or dot segment stays one segment and is refused as a name.
    [`/ipfs/${root}/data%2Flabels.txt`, 400, 'STORE_PATH_INVALID'],
    [`/ipfs/${root}/data/%2E%2E%2Fmodel.onnx`, 400, 'STORE_PATH_INVALID'],
    [`/ipfs/${root}/data%5C..%5Cmodel.onnx`, 400, 'STORE_PATH_INVALID'],
    [`/ipfs/${root}/model.onnx%00`, 400, 'STORE_PATH_INVALID'],
    [`/ipfs/${root}/%E0%A4%A`, 400, 'STORE_PATH_INVALID'],
  ];
  for (const [path, status, code] of cases) {
    const response = await get(path);
    assert.equal(response.status, status, path);
    assert.equal(await errorCode(response), code, path);
  }
  // A literal dot segment never reaches the store: the URL is normalised before routing.
  assert.notEqual((await get(`/ipfs/${root}/data/../../../etc/passwd`)).status, 200);
  assert.equal((await get('/health')).status, 200);
});
