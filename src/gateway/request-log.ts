// The gateway's recent routing decisions, for anyone watching the network (the
// indexer stores them, docs/indexer.md): per inference request its hash, model,
// the provider that answered, the attempts it took, the latency seen by the gateway,
// the status (ok or the error code) and the verification mode. Held in memory, the
// newest LOG_SIZE only, each with a sequence number that callers page on with
// GET /v1/requests?after=. `instance` changes when the gateway restarts (the numbers
// start over), so a reader knows to start over too.
import { randomUUID } from 'node:crypto';
import { Hono, type MiddlewareHandler } from 'hono';
import { verificationModes } from '../protocol/messages.ts';
import { ProtocolError } from '../protocol/errors.ts';

export const LOG_SIZE = 1000;
export const MAX_PAGE = 500;

export type RequestEntry = {
  seq: number;
  /** Unix milliseconds when the request arrived. */
  at: number;
  requestHash: string | null;
  modelId: string | null;
  /** Every provider whose receipt came back (several in redundant mode). */
  providers: string[];
  attempts: number | null;
  latencyMs: number;
  /** 'ok', or the error code the gateway answered with. */
  status: string;
  verification: string | null;
};

export class RequestLog {
  readonly instance = randomUUID();
  private readonly entries: RequestEntry[] = [];
  private next = 1;

  record(entry: Omit<RequestEntry, 'seq'>): RequestEntry {
    const stored = { seq: this.next++, ...entry };
    this.entries.push(stored);
    if (this.entries.length > LOG_SIZE) this.entries.shift();
    return stored;
  }

  /** Entries after `seq`, oldest first, at most `limit`. */
  after(seq: number, limit: number): RequestEntry[] {
    return this.entries.filter((e) => e.seq > seq).slice(0, limit);
  }
}

type Receiptish = { receipt?: { requestHash?: unknown; modelId?: unknown; verification?: unknown }; provider?: unknown };
type AnswerBody = Receiptish & { receipts?: Receiptish[]; attempts?: unknown; error?: { code?: unknown } };

const text = (value: unknown) => (typeof value === 'string' ? value : null);

/** What a finished /v1/infer exchange says about the routing: read from the answer the client got. */
export function entryOf(body: AnswerBody | undefined, status: number, at: number, latencyMs: number): Omit<RequestEntry, 'seq'> {
  const receipts = body?.receipts ?? (body?.receipt ? [body] : []);
  const first = receipts[0]?.receipt;
  const mode = typeof first?.verification === 'number' ? (verificationModes[first.verification] ?? String(first.verification)) : null;
  return {
    at,
    requestHash: text(first?.requestHash),
    modelId: text(first?.modelId),
    providers: receipts.map((r) => text(r.provider)).filter((p): p is string => p !== null),
    attempts: typeof body?.attempts === 'number' ? body.attempts : null,
    latencyMs: Math.round(latencyMs),
    status: status < 400 ? 'ok' : (text(body?.error?.code) ?? `HTTP_${status}`),
    verification: mode,
  };
}

/** Times every request it wraps and records the routing its answer reports. */
export function logRequests(log: RequestLog): MiddlewareHandler {
  return async (c, next) => {
    const at = Date.now();
    const started = performance.now();
    await next();
    const latencyMs = performance.now() - started;
    const body = (await c.res
      .clone()
      .json()
      .catch(() => undefined)) as AnswerBody | undefined;
    log.record(entryOf(body, c.res.status, at, latencyMs));
  };
}

/** GET /v1/requests?after=<seq>&limit=<n>: read-only, no secrets (hashes and addresses only). */
export function requestLogRoutes(log: RequestLog): Hono {
  const app = new Hono();
  app.get('/v1/requests', (c) => {
    const after = whole('after', c.req.query('after') ?? '0', 0, Number.MAX_SAFE_INTEGER);
    const limit = whole('limit', c.req.query('limit') ?? '100', 1, MAX_PAGE);
    return c.json({ instance: log.instance, items: log.after(after, limit) });
  });
  return app;
}

function whole(name: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d{1,16}$/.test(value) || n < min || n > max) {
    throw new ProtocolError('INVALID_BODY', `${name} must be a whole number from ${min} to ${max}.`, {
      details: [`got ${JSON.stringify(value.slice(0, 40))}`],
    });
  }
  return n;
}
