// Addressing and the store on disk: the CID of a fixed folder equals a DAG built node
// by node from the UnixFS spec, the well-known kubo values and a pinned constant;
// blocks survive a reopen; a folder comes back byte for byte; bad input is refused
// with a code that names it.
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import * as dagPb from '@ipld/dag-pb';
import { UnixFS } from 'ipfs-unixfs';
import type { CID } from 'multiformats/cid';
import { BlockStore } from './block-store.ts';
import { blockCid, CID_SETTINGS, DAG_PB_CODE, parseCid, parseIpfsUri, RAW_CODE, toIpfsUri } from './cid.ts';
import { walkDag } from './dag.ts';
import { addDirectory, exportDirectory } from './directory.ts';
import { assertFixtureFiles, errorCode, FIXTURE_CID, fixtureFiles, tempDir, writeFixture } from './testing.ts';

const temp = tempDir('store');
after(() => temp.remove());
const fresh = temp.fresh;

type Node = { cid: CID; size: number };

/** A file the UnixFS way with raw leaves: one chunk is the raw block; more sit under a dag-pb file node. */
async function fileNode(bytes: Uint8Array): Promise<Node> {
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += CID_SETTINGS.chunkSize) chunks.push(bytes.subarray(at, at + CID_SETTINGS.chunkSize));
  if (chunks.length <= 1) return { cid: await blockCid(RAW_CODE, bytes), size: bytes.length };
  const leaves = await Promise.all(chunks.map(async (chunk) => ({ cid: await blockCid(RAW_CODE, chunk), size: chunk.length })));
  const data = new UnixFS({ type: 'file', blockSizes: chunks.map((c) => BigInt(c.length)) }).marshal();
  const block = dagPb.encode({ Data: data, Links: leaves.map((l) => ({ Hash: l.cid, Name: '', Tsize: l.size })) });
  return { cid: await blockCid(DAG_PB_CODE, block), size: block.length + leaves.reduce((s, l) => s + l.size, 0) };
}

/** A folder node: links sorted by name, each Tsize the whole size of the child's DAG. */
async function dirNode(children: Record<string, Node>): Promise<Node> {
  const links = Object.entries(children).map(([Name, child]) => ({ Name, Hash: child.cid, Tsize: child.size }));
  const block = dagPb.encode(dagPb.prepare({ Data: new UnixFS({ type: 'directory' }).marshal(), Links: links }));
  return { cid: await blockCid(DAG_PB_CODE, block), size: block.length + links.reduce((s, l) => s + l.Tsize, 0) };
}

test('the CID of the fixture folder is the DAG built by hand from the UnixFS spec, and the pinned constant', async () => {
  const store = await BlockStore.open(fresh());
  const root = await addDirectory(store, writeFixture(fresh()));
  const files = fixtureFiles();
  const expected = await dirNode({
    'MODEL_CARD.md': await fileNode(files['MODEL_CARD.md']!),
    data: await dirNode({ 'labels.txt': await fileNode(files['data/labels.txt']!) }),
    'model.onnx': await fileNode(files['model.onnx']!),
    'trellis-model.json': await fileNode(files['trellis-model.json']!),
  });
  assert.equal(root.toString(), expected.cid.toString());
  assert.equal(root.toString(), FIXTURE_CID);
  // model.onnx is three chunks under one node; the other files are single raw leaves.
  let blocks = 0;
  for await (const _ of walkDag(store, root)) blocks++;
  assert.equal(blocks, 2 + 1 + 3 + 3);
});

test('well-known CIDs that kubo prints with --cid-version=1 come out the same', async () => {
  const store = await BlockStore.open(fresh());
  // `ipfs add -r --cid-version=1` of an empty folder.
  const empty = fresh();
  mkdirSync(empty);
  assert.equal((await addDirectory(store, empty)).toString(), 'bafybeiczsscdsbs7ffqz55asqdf3smv6klcw3gofszvwlyarci47bgf354');
  // `printf 'hello world' | ipfs add --cid-version=1`: a single-chunk file is its raw leaf.
  const hello = fresh();
  writeFixture(hello, { 'hello.txt': Buffer.from('hello world') });
  const root = await addDirectory(store, hello);
  const cids: string[] = [];
  for await (const block of walkDag(store, root)) cids.push(block.cid.toString());
  assert.equal(cids[1], 'bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e');
});

test('blocks and roots survive closing and reopening the store, and the folder exports byte for byte', async () => {
  const dir = fresh();
  const root = await addDirectory(await BlockStore.open(dir), writeFixture(fresh()));
  const reopened = await BlockStore.open(dir);
  assert.deepEqual((await reopened.roots()).map(String), [FIXTURE_CID]);
  assert.equal(await reopened.has(root), true);
  const out = fresh();
  await exportDirectory(reopened, root, out);
  assertFixtureFiles(out);
  await assert.rejects(exportDirectory(reopened, root, out), (e) => errorCode(e) === 'STORE_OUTPUT_EXISTS');
});

test('a block whose bytes do not match its CID is refused on write and on read', async () => {
  const dir = fresh();
  const store = await BlockStore.open(dir);
  const cid = await blockCid(RAW_CODE, Buffer.from('honest'));
  await assert.rejects(
    store.putBlock(cid, Buffer.from('forged'), 'a test'),
    (e) => errorCode(e) === 'STORE_BLOCK_MISMATCH' && String(e).includes(cid.toString()),
  );
  await store.putBlock(cid, Buffer.from('honest'));
  // A bit flipped on disk is reported, not served.
  const key = cid.toString();
  writeFileSync(join(dir, 'blocks', key.slice(-3, -1), key), 'hondst');
  await assert.rejects(store.getBlock(cid), (e) => errorCode(e) === 'STORE_BLOCK_MISMATCH');
  await assert.rejects(store.getBlock(await blockCid(RAW_CODE, Buffer.from('absent'))), (e) => errorCode(e) === 'STORE_BLOCK_NOT_FOUND');
});

test('a folder holding a link, or larger than the limits, is refused before it is stored', async () => {
  const linked = writeFixture(fresh(), { 'a.txt': Buffer.from('a') });
  symlinkSync('/etc/hostname', join(linked, 'b.txt'));
  await assert.rejects(addDirectory(await BlockStore.open(fresh()), linked), (e) => errorCode(e) === 'STORE_DIRECTORY_INVALID' && String(e).includes('b.txt'));
  const small = await BlockStore.open(fresh(), { limits: { maxPackageBytes: 100_000 } });
  await assert.rejects(addDirectory(small, writeFixture(fresh())), (e) => errorCode(e) === 'STORE_PACKAGE_TOO_LARGE');
  const few = await BlockStore.open(fresh(), { limits: { maxBlocks: 3 } });
  await assert.rejects(addDirectory(few, writeFixture(fresh())), (e) => errorCode(e) === 'STORE_PACKAGE_TOO_LARGE');
  await assert.rejects(BlockStore.open(fresh(), { limits: { maxBlocks: 0 } }), (e) => errorCode(e) === 'STORE_LIMITS_INVALID');
});

test('ipfs:// URIs round-trip, and anything else is refused with a clear error', () => {
  const cid = parseCid(FIXTURE_CID);
  assert.equal(toIpfsUri(cid), `ipfs://${FIXTURE_CID}`);
  assert.equal(parseIpfsUri(`ipfs://${FIXTURE_CID}`).toString(), FIXTURE_CID);
  for (const bad of ['', FIXTURE_CID, `https://ipfs.io/ipfs/${FIXTURE_CID}`, `ipfs://${FIXTURE_CID}/model.onnx`, 'ipfs://notacid', `ipns://${FIXTURE_CID}`]) {
    assert.throws(
      () => parseIpfsUri(bad),
      (e) => errorCode(e) === 'STORE_URI_INVALID',
      bad,
    );
  }
  assert.throws(
    () => parseCid('bafy-not-a-cid'),
    (e) => errorCode(e) === 'STORE_CID_INVALID',
  );
  // A CID of another codec (dag-cbor) names nothing a package holds.
  assert.throws(
    () => parseCid('bafyreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku'),
    (e) => errorCode(e) === 'STORE_CID_INVALID',
  );
});
