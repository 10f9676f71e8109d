// Fetching a package by its root CID from untrusted sources. A source is a trellis
// store or any IPFS trustless gateway (asked for a CAR, then block by block for what
// the CAR left out), or an IPFS node's RPC API (block by block). Every block is
// checked against its CID before it is stored; a source that sends a wrong, oversized
// or unasked-for block, or stalls, is dropped and the next one is tried, keeping the
// good blocks already received. A package that is itself too large or malformed fails
// at once: every honest source would send the same bytes.
import type { CID } from 'multiformats/cid';
import { silentLogger, type Logger } from '../log.ts';
import type { BlockStore } from './block-store.ts';
import { readCar } from './car.ts';
import { checkCid } from './cid.ts';
import { StoreError, type StoreErrorCode } from './errors.ts';
import { kuboGetBlock, kuboName } from './kubo.ts';
import { MissingBlocks } from './missing-blocks.ts';
import { DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_TIMEOUT_MS, openRemote, readRemote, type RequestBounds } from './remote-request.ts';

/** `gateway`: a trustless gateway (`GET /ipfs/<cid>`); `kubo`: an IPFS node's HTTP RPC API (`POST /api/v0/...`). */
export type StoreSource = { kind: 'gateway' | 'kubo'; url: string };

export type FetchOptions = {
  sources: readonly StoreSource[];
  /** `car` (the default) asks a gateway for the whole DAG in one CAR first; `blocks` asks block by block only. */
  mode?: 'car' | 'blocks';
  /** Milliseconds for one request, body included (default 120000). */
  timeoutMs?: number;
  /** Milliseconds a body may go without a byte (default 15000). */
  idleTimeoutMs?: number;
  log?: Logger;
};

export type FetchResult = {
  root: CID;
  blocks: number;
  bytes: number;
  /** Blocks this fetch stored; 0 when the store already held the package. */
  fetched: number;
};

/** Errors that say the package itself is unacceptable, whoever sends it. */
const PACKAGE_FAULTS = new Set<StoreErrorCode>(['STORE_PACKAGE_TOO_LARGE', 'STORE_DAG_INVALID']);

const CAR_ACCEPT = 'application/vnd.ipld.car; version=1; order=dfs; dups=n';
const RAW_ACCEPT = 'application/vnd.ipld.raw';

/** Fetches `root` into the store until it holds the whole DAG, and records it as a root. */
export async function fetchPackage(store: BlockStore, root: CID, options: FetchOptions): Promise<FetchResult> {
  const log = (options.log ?? silentLogger).child('store');
  const missing = await MissingBlocks.start(store, checkCid(root));
  const timing = { timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS, idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS };
  const failures: string[] = [];
  for (const source of options.sources) {
    if (missing.done) break;
    const name = sourceName(source);
    try {
      if (source.kind === 'gateway' && options.mode !== 'blocks') {
        try {
          await fromCar(missing, source.url, { ...timing, maxBytes: carByteLimit(store) }, name, store.limits.maxBlockBytes);
        } catch (error) {
          // A lie ends the source; a CAR that is merely cut short or refused leaves the blocks route.
          if (!(error instanceof StoreError) || error.code === 'STORE_BLOCK_MISMATCH' || PACKAGE_FAULTS.has(error.code)) throw error;
          log.warn('CAR fetch incomplete; asking block by block', { source: name, code: error.code, reason: error.shortMessage });
        }
      }
      await blockByBlock(missing, source, { ...timing, maxBytes: store.limits.maxBlockBytes }, name);
    } catch (error) {
      if (error instanceof StoreError && PACKAGE_FAULTS.has(error.code)) throw error;
      const code = error instanceof StoreError ? error.code : 'UNEXPECTED';
      const reason = error instanceof Error ? error.message.split('\n').join('; ') : String(error);
      log.warn('source failed; trying the next', { source: name, code, reason });
      failures.push(`${name}: ${code}: ${reason}`);
    }
  }
  if (!missing.done) {
    throw new StoreError('STORE_FETCH_FAILED', `No source delivered the whole package ${missing.root.toString()}.`, {
      details: [...failures, `still missing: ${missing.list().length} blocks`, ...(options.sources.length === 0 ? ['no source was given'] : [])],
    });
  }
  await store.addRoot(missing.root);
  return { root: missing.root, blocks: missing.tally.blocks, bytes: missing.tally.bytes, fetched: missing.fetched };
}

const sourceName = (source: StoreSource) => (source.kind === 'kubo' ? kuboName(source.url) : source.url);

const gatewayUrl = (base: string, cid: CID, format: 'car' | 'raw') =>
  `${base.replace(/\/+$/, '')}/ipfs/${cid.toString()}?format=${format}${format === 'car' ? '&dag-scope=all' : ''}`;

/** A CAR carries each block and a few dozen bytes of framing; its header is small. */
const carByteLimit = (store: BlockStore) => store.limits.maxPackageBytes + store.limits.maxBlocks * 128 + 64 * 1024;

async function fromCar(missing: MissingBlocks, base: string, bounds: RequestBounds, from: string, maxBlockBytes: number): Promise<void> {
  const body = await openRemote(gatewayUrl(base, missing.root, 'car'), { headers: { accept: CAR_ACCEPT } }, bounds, from);
  try {
    for await (const block of readCar(body.chunks, missing.root, maxBlockBytes, from)) {
      await missing.accept(block.cid, block.bytes, from);
      if (missing.done) return;
    }
  } finally {
    await body.close();
  }
}

async function blockByBlock(missing: MissingBlocks, source: StoreSource, bounds: RequestBounds, from: string): Promise<void> {
  while (!missing.done) {
    for (const cid of missing.list()) {
      const bytes =
        source.kind === 'kubo'
          ? await kuboGetBlock(source.url, cid, bounds)
          : await readRemote(gatewayUrl(source.url, cid, 'raw'), { headers: { accept: RAW_ACCEPT } }, bounds, from);
      await missing.accept(cid, bytes, from);
    }
  }
}
