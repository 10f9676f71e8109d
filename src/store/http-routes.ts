// The store over HTTP, following the IPFS trustless gateway conventions, as a Hono
// sub-app to mount on the gateway or a provider node (`app.route('/', storeRoutes(store))`):
//   GET /ipfs/<cid>?format=raw (or Accept: application/vnd.ipld.raw)  the block's bytes
//   GET /ipfs/<cid>?format=car (or Accept: application/vnd.ipld.car)  a CARv1 of the DAG, dag-scope=all or block
//   GET /ipfs/<cid>/<path>                                             a file's bytes; a folder gives a JSON listing
// HEAD answers the same headers without a body. What is served is content-addressed,
// so every answer may be cached forever; the client checks the bytes against the CID.
import { Hono, type Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { CID } from 'multiformats/cid';
import type { BlockStore } from './block-store.ts';
import { carStream, type DagScope } from './car.ts';
import { parseCid } from './cid.ts';
import { checkName, resolvePath } from './directory.ts';
import { StoreError, type StoreErrorCode } from './errors.ts';
import { toWebStream } from './web-stream.ts';

export const RAW_CONTENT_TYPE = 'application/vnd.ipld.raw';
export const CAR_CONTENT_TYPE = 'application/vnd.ipld.car; version=1; order=dfs; dups=n';

const IMMUTABLE = 'public, max-age=29030400, immutable';

const STATUS: Partial<Record<StoreErrorCode, ContentfulStatusCode>> = {
  STORE_CID_INVALID: 400,
  STORE_PATH_INVALID: 400,
  STORE_REQUEST_INVALID: 400,
  STORE_BLOCK_NOT_FOUND: 404,
  STORE_PATH_NOT_FOUND: 404,
};

/** File types a package holds; anything else is served as bytes, and never sniffed. */
const FILE_TYPES: Record<string, string> = {
  json: 'application/json',
  md: 'text/markdown; charset=utf-8',
  txt: 'text/plain; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  yaml: 'application/yaml',
  yml: 'application/yaml',
};

export function contentTypeOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return (dot > 0 && FILE_TYPES[name.slice(dot + 1).toLowerCase()]) || 'application/octet-stream';
}

type Request = { cid: CID; segments: string[]; format: 'raw' | 'car' | undefined; scope: DagScope };

export function storeRoutes(store: BlockStore): Hono {
  const app = new Hono();
  app.onError((error, c) => {
    const status = (error instanceof StoreError && STATUS[error.code]) || 500;
    // Only the caller's own mistakes are explained; what went wrong inside stays inside.
    const body =
      error instanceof StoreError && status !== 500
        ? { code: error.code, message: error.shortMessage, details: [...error.details] }
        : { code: 'INTERNAL', message: 'The store failed to serve this request.', details: [] };
    return c.json({ error: body }, status);
  });
  app.get('/ipfs/*', async (c) => {
    const request = parseRequest(c);
    // HEAD runs this GET handler; a stream made for it would start reading and never be drained.
    const head = c.req.method === 'HEAD';
    const common = { 'x-content-type-options': 'nosniff', 'cache-control': IMMUTABLE, 'x-ipfs-path': `/ipfs/${[request.cid, ...request.segments].join('/')}` };
    if (request.format === 'car') {
      if (request.segments.length > 0) throw badRequest('A CAR is served for a bare CID only; ask for the CID the path leads to.');
      // Known before the first byte: an unknown root is a 404, not an empty CAR.
      await store.getBlock(request.cid);
      return streamed(head, () => carStream(store, request.cid, request.scope), {
        ...common,
        'content-type': CAR_CONTENT_TYPE,
        etag: `"${request.cid}.car.${request.scope}"`,
        'content-disposition': `attachment; filename="${request.cid}.car"`,
      });
    }
    const target = request.segments.length > 0 ? (await resolvePath(store, request.cid, request.segments)).cid : request.cid;
    if (request.format === 'raw') {
      const bytes = await store.getBlock(target);
      return c.body(bytes as Uint8Array<ArrayBuffer>, 200, {
        ...common,
        'content-type': RAW_CONTENT_TYPE,
        'content-length': String(bytes.byteLength),
        etag: `"${target}.raw"`,
        'content-disposition': `attachment; filename="${target}.bin"`,
      });
    }
    const entry = await resolvePath(store, request.cid, request.segments);
    if (entry.type === 'directory') {
      const entries: { name: string; cid: string; size: number }[] = [];
      for await (const child of entry.entries()) entries.push({ name: child.name, cid: child.cid.toString(), size: Number(child.size) });
      return c.json({ cid: entry.cid.toString(), entries }, 200, common);
    }
    if (entry.type !== 'file' && entry.type !== 'raw')
      throw new StoreError('STORE_DAG_INVALID', `${entry.cid} is a ${entry.type}, which a package cannot hold.`);
    return streamed(head, () => entry.content(), {
      ...common,
      'content-type': contentTypeOf(request.segments.at(-1) ?? ''),
      'content-length': String(entry.size),
      etag: `"${entry.cid}"`,
    });
  });
  return app;
}

/** A streamed answer; for HEAD the stream is never made. */
const streamed = (head: boolean, source: () => AsyncIterable<Uint8Array>, headers: Record<string, string>) =>
  new Response(head ? null : toWebStream(source()), { status: 200, headers });

const badRequest = (message: string, details: string[] = []) => new StoreError('STORE_REQUEST_INVALID', message, { details });

function parseRequest(c: Context): Request {
  // The raw path, split before decoding, so that an encoded "/" stays inside its segment and is refused there.
  const raw = new URL(c.req.url).pathname.slice('/ipfs/'.length).replace(/\/$/, '');
  const [first = '', ...rest] = raw.split('/');
  const segments = rest.map((segment) => {
    try {
      return checkName(decodeURIComponent(segment), 'the request path');
    } catch (cause) {
      if (cause instanceof StoreError) throw cause;
      throw new StoreError('STORE_PATH_INVALID', 'The request path is not valid percent-encoding.');
    }
  });
  const cid = parseCid(first);
  const formatQuery = c.req.query('format');
  const accept = c.req.header('accept') ?? '';
  let format: Request['format'];
  if (formatQuery !== undefined) {
    if (formatQuery !== 'raw' && formatQuery !== 'car') throw badRequest(`The format ${JSON.stringify(formatQuery)} is not served.`, ['formats: raw, car']);
    format = formatQuery;
  } else if (accept.includes('application/vnd.ipld.car')) format = 'car';
  else if (accept.includes('application/vnd.ipld.raw')) format = 'raw';
  const scope = c.req.query('dag-scope') ?? 'all';
  if (scope !== 'all' && scope !== 'block') throw badRequest(`The dag-scope ${JSON.stringify(scope)} is not served.`, ['dag-scope: all, block']);
  return { cid, segments, format, scope };
}
