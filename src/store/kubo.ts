// An existing IPFS node (kubo) reached through its HTTP RPC API, for operators who
// already run one: blocks are read with `POST /api/v0/block/get?arg=<cid>` (the raw
// block bytes) and a package is handed over with `POST /api/v0/dag/import` (a CAR as
// a multipart `file` field; kubo answers one JSON line per root,
// `{"Root":{"Cid":{"/":"<cid>"},"PinErrorMsg":""}}`, and pins it). The RPC API is an
// admin interface meant for localhost, so the URL is the operator's own node.
import { randomBytes } from 'node:crypto';
import { CID } from 'multiformats/cid';
import type { BlockStore } from './block-store.ts';
import { carStream } from './car.ts';
import { cidKey } from './cid.ts';
import { StoreError } from './errors.ts';
import { readRemote, type RequestBounds } from './remote-request.ts';
import { toWebStream } from './web-stream.ts';

/** How errors and logs name a node. */
export const kuboName = (base: string) => `the IPFS node at ${base}`;

const rpcUrl = (base: string, command: string, query: Record<string, string>) => `${base.replace(/\/+$/, '')}/api/v0/${command}?${new URLSearchParams(query)}`;

/** One block's bytes as the node holds them; checking them against the CID is the caller's. */
export function kuboGetBlock(base: string, cid: CID, bounds: RequestBounds): Promise<Uint8Array> {
  return readRemote(rpcUrl(base, 'block/get', { arg: cid.toString() }), { method: 'POST' }, bounds, kuboName(base));
}

/** Sends the package `root` to the node as a CAR and checks that the node pinned that root. */
export async function kuboImportPackage(base: string, store: BlockStore, root: CID, bounds: Omit<RequestBounds, 'maxBytes'>): Promise<void> {
  const from = kuboName(base);
  const boundary = `trellis-${randomBytes(12).toString('hex')}`;
  const answer = await readRemote(
    rpcUrl(base, 'dag/import', { 'pin-roots': 'true' }),
    {
      method: 'POST',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      body: toWebStream(multipart(boundary, carStream(store, root))),
      duplex: 'half',
    } as RequestInit,
    { ...bounds, maxBytes: 64 * 1024 },
    from,
  );
  const lines = Buffer.from(answer)
    .toString('utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');
  for (const line of lines) {
    let parsed: { Root?: { Cid?: { '/'?: unknown }; PinErrorMsg?: unknown } };
    try {
      parsed = JSON.parse(line) as typeof parsed;
    } catch {
      continue;
    }
    const cid = parsed.Root?.Cid?.['/'];
    if (typeof cid !== 'string') continue;
    if (!sameCid(cid, root)) continue;
    const pinError = parsed.Root?.PinErrorMsg;
    if (typeof pinError === 'string' && pinError !== '') {
      throw new StoreError('STORE_SOURCE_FAILED', `${from} imported ${root.toString()} but could not pin it.`, { details: [`source: ${from}`, pinError] });
    }
    return;
  }
  throw new StoreError('STORE_SOURCE_FAILED', `${from} did not report ${cidKey(root)} as imported.`, {
    details: [`source: ${from}`, `answer: ${lines.join(' ').slice(0, 200) || 'empty'}`],
  });
}

const sameCid = (text: string, cid: CID): boolean => {
  try {
    return cidKey(CID.parse(text)) === cidKey(cid);
  } catch {
    return false;
  }
};

async function* multipart(boundary: string, content: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  yield Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="package.car"\r\nContent-Type: application/vnd.ipld.car\r\n\r\n`);
  yield* content;
  yield Buffer.from(`\r\n--${boundary}--\r\n`);
}
