// The HTTP client of the request path (SDK to gateway, gateway to provider): node:http
// on a keep-alive agent, so a call reuses a warm connection and skips the stream layers
// of fetch. Only what those calls need: a string body, an abort signal that also cuts
// a body still arriving, and a size limit counted while the body streams in.
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };

export type HttpCall = {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
  /** Largest body accepted, in bytes; a larger one fails with BodyTooLarge. */
  maxBytes?: number;
};

export type HttpAnswer = { status: number; headers: IncomingHttpHeaders; body: Buffer };

/** An answer body over the caller's limit; `seen` says how that was known. */
export class BodyTooLarge extends Error {
  constructor(
    readonly maxBytes: number,
    readonly seen: string,
  ) {
    super(`answer larger than ${maxBytes} bytes: ${seen}`);
  }
}

export function httpCall(url: string, call: HttpCall = {}): Promise<HttpAnswer> {
  return send(url, call, true);
}

// A server closes an idle keep-alive connection on its own clock, so a request written
// to a reused socket just as it closes fails with ECONNRESET before the server read any
// of it. That one case is tried again, once, on a fresh connection (what Node's http
// documentation advises, `request.reusedSocket`); any other failure is the caller's.
function send(url: string, call: HttpCall, mayRetry: boolean): Promise<HttpAnswer> {
  const target = new URL(url);
  const secure = target.protocol === 'https:';
  if (!secure && target.protocol !== 'http:') return Promise.reject(new Error(`unsupported protocol ${target.protocol}`));
  const maxBytes = call.maxBytes ?? Number.POSITIVE_INFINITY;
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...call.headers };
    if (call.body !== undefined) headers['content-length'] = Buffer.byteLength(call.body);
    const req = (secure ? httpsRequest : httpRequest)(
      target,
      { method: call.method ?? 'GET', headers, agent: secure ? agents.https : agents.http, signal: call.signal },
      (res) => {
        const declared = Number(res.headers['content-length'] ?? 0);
        if (declared > maxBytes) {
          res.destroy();
          reject(new BodyTooLarge(maxBytes, `it declares ${declared} bytes`));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.byteLength;
          if (size > maxBytes) {
            res.destroy();
            reject(new BodyTooLarge(maxBytes, `${size} bytes read so far`));
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks, size) }));
        // An abort or a dropped connection while the body streams in.
        res.on('error', reject);
        res.on('aborted', () => reject(new Error('the answer was cut off')));
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (mayRetry && req.reusedSocket && error.code === 'ECONNRESET' && !call.signal?.aborted) resolve(send(url, call, false));
      else reject(error);
    });
    req.end(call.body);
  });
}

/** `fetch` for the SDK's calls, over httpCall: the subset of init it uses (method, headers, string body, signal). */
export async function keepAliveFetch(input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
  if (typeof input !== 'string' && !(input instanceof URL)) return fetch(input, init);
  if (init.body !== undefined && init.body !== null && typeof init.body !== 'string') return fetch(input, init);
  const answer = await httpCall(String(input), {
    method: init.method,
    headers: init.headers ? Object.fromEntries(new Headers(init.headers)) : undefined,
    body: init.body ?? undefined,
    signal: init.signal ?? undefined,
  });
  const headers = new Headers();
  for (const [name, value] of Object.entries(answer.headers)) if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  const empty = answer.status === 204 || answer.status === 304 || answer.status < 200;
  return new Response(empty ? null : answer.body, { status: answer.status, headers });
}
