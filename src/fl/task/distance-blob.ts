// A Krum post's distance matrix as it travels through the store (docs/fl.md, "Krum's
// selection"): one raw block per pair holding its prefix sums, and one matrix block
// naming every pair with its distance, prefix root and the address of its prefix block.
// The matrix block's address is committed on chain with the post (DistancesCommitted);
// a reader checks each prefix block against the prefix root the chain holds for it.
import type { Hex } from 'viem';
import { RAW_CODE, blockCid, parseIpfsUri, toIpfsUri, type CID } from '../../store/cid.ts';
import type { BlockStore } from '../../store/index.ts';
import { prefixTree, type DistanceMatrix } from '../distances.ts';
import { FlTaskError } from './errors.ts';

const MATRIX_FORMAT = 'trellis-fl-distances-1';
const PREFIX_FORMAT = 'trellis-fl-prefix-sums-1';

export type ListedPair = { a: number; b: number; distance: bigint; prefixRoot: Hex; prefix: string };
export type DistanceListing = { participants: number[]; pairs: ListedPair[] };

async function putJson(stores: readonly BlockStore[], value: unknown): Promise<string> {
  const bytes = new TextEncoder().encode(JSON.stringify(value));
  const cid = await blockCid(RAW_CODE, bytes);
  for (const store of stores) await store.putBlock(cid, bytes);
  return toIpfsUri(cid);
}

async function getJson(store: BlockStore, uri: string, what: string): Promise<Record<string, unknown>> {
  let cid: CID;
  try {
    cid = parseIpfsUri(uri);
  } catch (cause) {
    throw new FlTaskError('FL_BLOB_MALFORMED', `The ${what} address ${JSON.stringify(uri.slice(0, 80))} is not ipfs://<cid>.`, { cause });
  }
  if (!(await store.has(cid))) throw new FlTaskError('FL_BLOB_MISSING', `The ${what} ${uri} is not in the store.`, { details: [`store: ${store.dir}`] });
  try {
    return JSON.parse(new TextDecoder().decode(await store.getBlock(cid))) as Record<string, unknown>;
  } catch (cause) {
    throw new FlTaskError('FL_BLOB_MALFORMED', `The ${what} ${uri} is not JSON.`, { cause });
  }
}

const integer = (value: unknown, where: string): bigint => {
  if (typeof value !== 'string' || !/^\d{1,80}$/.test(value)) throw new FlTaskError('FL_BLOB_MALFORMED', `${where} is not a non-negative integer.`);
  return BigInt(value);
};

/** Puts every pair's prefix sums and the matrix block into `stores`; returns the matrix block's address. */
export async function putDistances(stores: readonly BlockStore[], matrix: DistanceMatrix): Promise<string> {
  const pairs = [];
  for (const p of matrix.pairs) {
    const prefix = await putJson(stores, { format: PREFIX_FORMAT, sums: p.prefix.map(String) });
    pairs.push({ a: p.a, b: p.b, distance: String(p.distance), prefixRoot: p.prefixRoot, prefix });
  }
  return putJson(stores, { format: MATRIX_FORMAT, participants: matrix.participants, pairs });
}

/** The matrix block at `uri`: pairs with their distances, prefix roots and prefix block addresses. */
export async function getDistanceListing(store: BlockStore, uri: string): Promise<DistanceListing> {
  const parsed = await getJson(store, uri, 'distance matrix');
  if (parsed.format !== MATRIX_FORMAT || !Array.isArray(parsed.participants) || !Array.isArray(parsed.pairs)) {
    throw new FlTaskError('FL_BLOB_MALFORMED', `The distance matrix ${uri} is not a ${MATRIX_FORMAT} blob.`);
  }
  const pairs = (parsed.pairs as Record<string, unknown>[]).map((p, i) => ({
    a: Number(p.a),
    b: Number(p.b),
    distance: integer(p.distance, `Distance ${i} of ${uri}`),
    prefixRoot: String(p.prefixRoot) as Hex,
    prefix: String(p.prefix),
  }));
  return { participants: (parsed.participants as unknown[]).map(Number), pairs };
}

/** One pair's prefix sums, checked against the prefix root committed for them. */
export async function getPrefixSums(store: BlockStore, uri: string, expected: { root: Hex; elementCount: number }): Promise<bigint[]> {
  const parsed = await getJson(store, uri, 'prefix-sum blob');
  if (parsed.format !== PREFIX_FORMAT || !Array.isArray(parsed.sums)) {
    throw new FlTaskError('FL_BLOB_MALFORMED', `The prefix-sum blob ${uri} is not a ${PREFIX_FORMAT} blob.`);
  }
  const sums = parsed.sums.map((s, e) => integer(s, `Prefix sum ${e} of ${uri}`));
  if (sums.length !== expected.elementCount || prefixTree(sums).root.toLowerCase() !== expected.root.toLowerCase()) {
    throw new FlTaskError('FL_BLOB_MISMATCH', `The prefix-sum blob ${uri} does not match the prefix root committed for it.`, {
      details: [`committed: ${expected.root}`, `sums: ${sums.length}, expected ${expected.elementCount}`],
    });
  }
  return sums;
}
