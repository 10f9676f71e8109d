// How a package is addressed. A folder's CID is the one standard IPFS tooling gives
// for the same folder with the settings below, so a package added here can be pinned,
// served and checked by any IPFS node, and a CID published on chain means the same
// bytes everywhere. The settings are those of kubo's
// `ipfs add -r --cid-version=1 --raw-leaves --chunker=size-262144` (its long-standing
// defaults with CIDv1); they are spelled out rather than left to library defaults so
// that an upgrade of the importer, or of kubo's defaults, cannot change a package's CID.
import * as dagPb from '@ipld/dag-pb';
import { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import { sha256 } from 'multiformats/hashes/sha2';
import { StoreError } from './errors.ts';

export const CID_SETTINGS = {
  /** CIDv1, written in base32 (`bafy...` for folders and large files, `bafk...` for single-block files). */
  cidVersion: 1,
  /** File data sits in `raw` blocks, not wrapped in UnixFS protobuf nodes. */
  rawLeaves: true,
  /** Every block is hashed with sha2-256. */
  hash: 'sha2-256',
  /** Fixed-size chunks of 256 KiB (kubo's `size-262144`). */
  chunkSize: 262_144,
  /** Balanced DAG of at most 174 links per node. */
  maxChildrenPerNode: 174,
  /** A folder whose node would pass 256 KiB becomes a HAMT shard, estimated from link bytes as kubo does. */
  shardSplitThresholdBytes: 262_144,
  /** A file of one chunk is that raw block itself, with no UnixFS node above it. */
  reduceSingleLeafToSelf: true,
  /** No mode or modification time is recorded, so the CID depends only on names and bytes. */
} as const;

export type { CID };

/** The codecs a package is made of: `raw` leaves and `dag-pb` UnixFS nodes. */
export const RAW_CODE = raw.code;
export const DAG_PB_CODE = dagPb.code;

/** Parses a CID string and refuses any kind the store does not hold. */
export function parseCid(text: string): CID {
  let cid: CID;
  try {
    cid = CID.parse(text.trim());
  } catch (cause) {
    throw new StoreError('STORE_CID_INVALID', 'This is not a CID.', { details: [`got: ${JSON.stringify(text.slice(0, 100))}`], cause });
  }
  return checkCid(cid);
}

/** Only raw and dag-pb blocks hashed with sha2-256 make up a package; CIDv0 is read as its CIDv1 twin. */
export function checkCid(cid: CID): CID {
  if (cid.code !== RAW_CODE && cid.code !== DAG_PB_CODE) {
    throw new StoreError('STORE_CID_INVALID', 'The CID names a codec a package does not use.', {
      details: [`cid: ${cid.toString()}`, `codec: 0x${cid.code.toString(16)}; expected raw (0x55) or dag-pb (0x70)`],
    });
  }
  if (cid.multihash.code !== sha256.code) {
    throw new StoreError('STORE_CID_INVALID', 'The CID names a hash other than sha2-256.', {
      details: [`cid: ${cid.toString()}`, `multihash: 0x${cid.multihash.code.toString(16)}`],
    });
  }
  return cid.toV1();
}

/** The key of a block: its CIDv1 in base32, the same whichever version it was asked by. */
export const cidKey = (cid: CID): string => cid.toV1().toString();

/** Refuses bytes whose sha2-256 is not the digest the CID names. */
export async function verifyBlock(cid: CID, bytes: Uint8Array, from = 'the data'): Promise<void> {
  const digest = await sha256.digest(bytes);
  const expected = cid.multihash.digest;
  if (digest.digest.length !== expected.length || !digest.digest.every((byte, i) => byte === expected[i])) {
    throw new StoreError('STORE_BLOCK_MISMATCH', `The bytes of block ${cid.toString()} from ${from} do not match its CID.`, {
      details: [`cid: ${cid.toString()}`, `source: ${from}`, `sha2-256 of the bytes: ${Buffer.from(digest.digest).toString('hex')}`],
    });
  }
}

/** The CID of a block of `code` with these bytes. */
export async function blockCid(code: number, bytes: Uint8Array): Promise<CID> {
  return CID.createV1(code, await sha256.digest(bytes));
}

const URI_SCHEME = 'ipfs://';

/** The metadata URI published on chain for a package: `ipfs://<cid>`. */
export const toIpfsUri = (cid: CID): string => `${URI_SCHEME}${cid.toV1().toString()}`;

/** Reads `ipfs://<cid>` back; paths, queries, other schemes and gateway URLs are refused. */
export function parseIpfsUri(uri: string): CID {
  if (!uri.startsWith(URI_SCHEME)) {
    throw new StoreError('STORE_URI_INVALID', 'A package URI must start with ipfs://.', { details: [`got: ${JSON.stringify(uri.slice(0, 100))}`] });
  }
  const rest = uri.slice(URI_SCHEME.length);
  if (!/^[A-Za-z0-9]+$/.test(rest)) {
    throw new StoreError('STORE_URI_INVALID', 'A package URI must be ipfs:// followed by a CID alone, with no path or query.', {
      details: [`got: ${JSON.stringify(uri.slice(0, 100))}`],
    });
  }
  try {
    return parseCid(rest);
  } catch (cause) {
    throw new StoreError('STORE_URI_INVALID', 'The package URI does not hold a valid CID.', { details: [`got: ${JSON.stringify(uri.slice(0, 100))}`], cause });
  }
}
