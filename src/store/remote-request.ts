// One HTTP request to a remote source, bounded three ways: a deadline for the whole
// exchange, an idle limit between two chunks of the body (a source that stalls is
// dropped without waiting for the deadline), and a byte limit counted as the body
// streams in, so an endless body is cut off at the limit instead of filling memory.
import { StoreError } from './errors.ts';

export type RequestBounds = {
  /** Milliseconds for the whole request, body included. */
  timeoutMs: number;
  /** Milliseconds the body may go without a byte. */
  idleTimeoutMs: number;
  /** Bytes the body may hold. */
  maxBytes: number;
};

export const DEFAULT_TIMEOUT_MS = 120_000;
export const DEFAULT_IDLE_TIMEOUT_MS = 15_000;

export type RemoteBody = {
  status: number;
  contentType: string;
  chunks: AsyncGenerator<Uint8Array>;
  /** Lets the connection go, read to the end or not; a caller that stops early must call it. */
  close(): Promise<void>;
};

/** Sends the request; a non-2xx answer, a dead host or the deadline is a StoreError naming `from`. */
export async function openRemote(url: string, init: RequestInit, bounds: RequestBounds, from: string): Promise<RemoteBody> {
  const controller = new AbortController();
  let timedOut: string | undefined;
  const abort = (why: string) => {
    timedOut ??= why;
    controller.abort();
  };
  const deadline = setTimeout(() => abort(`no complete answer within ${bounds.timeoutMs} ms`), bounds.timeoutMs);
  const fail = (cause: unknown): StoreError =>
    cause instanceof StoreError
      ? cause
      : timedOut !== undefined
        ? new StoreError('STORE_SOURCE_TIMEOUT', `${from} did not answer in time.`, { details: [`source: ${from}`, timedOut] })
        : new StoreError('STORE_SOURCE_FAILED', `${from} could not be reached.`, { details: [`source: ${from}`], cause });
  let response: Response;
  try {
    response = await fetch(url, { ...init, signal: controller.signal, redirect: 'error' });
  } catch (cause) {
    clearTimeout(deadline);
    throw fail(cause);
  }
  if (response.status < 200 || response.status > 299) {
    const text = await errorExcerpt(response);
    clearTimeout(deadline);
    throw new StoreError('STORE_SOURCE_FAILED', `${from} answered ${response.status}.`, {
      details: [`source: ${from}`, `url: ${url}`, ...(text ? [`body: ${text.slice(0, 200).trim()}`] : [])],
    });
  }
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > bounds.maxBytes) {
    clearTimeout(deadline);
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge(from, bounds.maxBytes, `declared ${declared} bytes`);
  }

  const reader = response.body?.getReader();
  const close = async () => {
    clearTimeout(deadline);
    await reader?.cancel().catch(() => undefined);
  };

  async function* chunks(): AsyncGenerator<Uint8Array> {
    if (!reader) return;
    let size = 0;
    let idle: NodeJS.Timeout | undefined;
    try {
      for (;;) {
        idle = setTimeout(() => abort(`no byte for ${bounds.idleTimeoutMs} ms`), bounds.idleTimeoutMs);
        let next: Awaited<ReturnType<typeof reader.read>>;
        try {
          next = await reader.read();
        } catch (cause) {
          throw fail(cause);
        }
        clearTimeout(idle);
        if (next.done) return;
        size += next.value.byteLength;
        if (size > bounds.maxBytes) throw tooLarge(from, bounds.maxBytes, `more than ${bounds.maxBytes} bytes received`);
        yield next.value;
      }
    } finally {
      clearTimeout(idle);
      await close();
    }
  }
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', chunks: chunks(), close };
}

/** The whole body of a bounded request. */
export async function readRemote(url: string, init: RequestInit, bounds: RequestBounds, from: string): Promise<Uint8Array> {
  const body = await openRemote(url, init, bounds, from);
  const parts: Uint8Array[] = [];
  try {
    for await (const chunk of body.chunks) parts.push(chunk);
  } finally {
    await body.close();
  }
  return Buffer.concat(parts);
}

/** The start of an error answer, for the message; the rest, however long, is not read. */
async function errorExcerpt(response: Response): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return '';
  try {
    const first = await reader.read();
    return first.done ? '' : Buffer.from(first.value.subarray(0, 200)).toString('utf8');
  } catch {
    return '';
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

const tooLarge = (from: string, max: number, got: string) =>
  new StoreError('STORE_BODY_TOO_LARGE', `${from} sent more than ${max} bytes.`, { details: [`source: ${from}`, `got ${got}`] });
