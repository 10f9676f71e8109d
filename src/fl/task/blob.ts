// A weight vector as it travels through the store: one raw block (CIDv1, raw codec,
// sha256) holding JSON with the model name and the fixed-point elements as decimal
// strings. The CID proves the bytes; the Merkle root committed on chain proves the
// elements, so a reader checks both and refuses a blob that matches neither by name.
import { RAW_CODE, blockCid, parseIpfsUri, toIpfsUri, type CID } from '../../store/cid.ts';
import type { BlockStore } from '../../store/index.ts';
import { commitWeights } from '../commitment.ts';
import { FlTaskError } from './errors.ts';

const FORMAT = 'trellis-fl-weights-1';

export type WeightBlob = { model: string; elements: bigint[] };

export function encodeWeights(blob: WeightBlob): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({ format: FORMAT, model: blob.model, elements: blob.elements.map(String) }));
}

export function decodeWeights(bytes: Uint8Array, source: string): WeightBlob {
  let parsed: { format?: unknown; model?: unknown; elements?: unknown };
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes));
  } catch (cause) {
    throw new FlTaskError('FL_BLOB_MALFORMED', `The weight blob ${source} is not JSON.`, { cause });
  }
  if (parsed.format !== FORMAT || typeof parsed.model !== 'string' || !Array.isArray(parsed.elements)) {
    throw new FlTaskError('FL_BLOB_MALFORMED', `The weight blob ${source} is not a ${FORMAT} blob.`, {
      details: ['expected: { format, model, elements: ["<integer>", ...] }'],
    });
  }
  const elements = parsed.elements.map((e, i) => {
    if (typeof e !== 'string' || !/^-?\d{1,20}$/.test(e)) {
      throw new FlTaskError('FL_BLOB_MALFORMED', `Element ${i} of the weight blob ${source} is not an integer.`, {
        details: [`got: ${String(e).slice(0, 40)}`],
      });
    }
    return BigInt(e);
  });
  return { model: parsed.model, elements };
}

/** Adds the blob to the store; returns its `ipfs://` address. */
export async function putWeights(store: BlockStore, blob: WeightBlob): Promise<string> {
  const bytes = encodeWeights(blob);
  const cid = await blockCid(RAW_CODE, bytes);
  await store.putBlock(cid, bytes);
  return toIpfsUri(cid);
}

/**
 * The blob at `uri`, checked against the root and element count committed for it on
 * chain: a blob that is missing, malformed or commits to another root is refused by name.
 */
export async function getWeights(store: BlockStore, uri: string, expected?: { root: string; elementCount: number }): Promise<WeightBlob> {
  let cid: CID;
  try {
    cid = parseIpfsUri(uri);
  } catch (cause) {
    throw new FlTaskError('FL_BLOB_MALFORMED', `The weight blob address ${JSON.stringify(uri.slice(0, 80))} is not ipfs://<cid>.`, { cause });
  }
  if (!(await store.has(cid))) throw new FlTaskError('FL_BLOB_MISSING', `The weight blob ${uri} is not in the store.`, { details: [`store: ${store.dir}`] });
  const blob = decodeWeights(await store.getBlock(cid), uri);
  if (expected) {
    if (blob.elements.length !== expected.elementCount) {
      throw new FlTaskError('FL_BLOB_MISMATCH', `The weight blob ${uri} has ${blob.elements.length} elements, not the ${expected.elementCount} committed.`);
    }
    let root: string;
    try {
      root = commitWeights(blob.elements).root;
    } catch (cause) {
      throw new FlTaskError('FL_BLOB_MISMATCH', `The weight blob ${uri} holds a value outside the fixed-point range.`, { cause });
    }
    if (root.toLowerCase() !== expected.root.toLowerCase()) {
      throw new FlTaskError('FL_BLOB_MISMATCH', `The weight blob ${uri} does not match the root committed for it.`, {
        details: [`committed: ${expected.root}`, `blob's root: ${root}`],
      });
    }
  }
  return blob;
}
