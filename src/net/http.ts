// HTTP plumbing shared by the provider node and the gateway: JSON bodies with a size
// limit and clear errors, one error handler that turns every thrown value into the
// protocol's error body, and a server that listens and stops cleanly.
import { serve, type ServerType } from '@hono/node-server';
import type { Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { isChainUnreachable } from '../chain/chain-status.ts';
import { TrellisError } from '../errors.ts';
import { ProtocolError } from '../protocol/errors.ts';
import type { Logger } from '../log.ts';

/** Requests carry one sample and a few signatures; anything bigger is refused. */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * Reads a JSON body of at most `maxBytes`. The limit is enforced while the body streams
 * in, chunk by chunk, so a body without a content-length (chunked) is never held in
 * memory past the limit: the first chunk that crosses it ends the reading with
 * BODY_TOO_LARGE, and the server discards the rest of the upload after answering.
 */
export async function readJson(c: Context, maxBytes = MAX_BODY_BYTES): Promise<unknown> {
  const declared = Number(c.req.header('content-length') ?? 0);
  if (declared > maxBytes) throw tooLarge(maxBytes, `declared ${declared} bytes`);
  const text = await readLimited(c.req.raw.body, maxBytes);
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new ProtocolError('MALFORMED_JSON', 'The request body is not valid JSON.', { details: [cause instanceof Error ? cause.message : String(cause)] });
  }
}

async function readLimited(body: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<string> {
  if (!body) return '';
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      let next: Awaited<ReturnType<typeof reader.read>>;
      try {
        next = await reader.read();
      } catch (cause) {
        throw new ProtocolError('INVALID_BODY', 'The request body could not be read.', { details: [cause instanceof Error ? cause.message : String(cause)] });
      }
      if (next.done) break;
      size += next.value.byteLength;
      if (size > maxBytes) throw tooLarge(maxBytes, `more than ${maxBytes} bytes received`);
      chunks.push(next.value);
    }
  } finally {
    // Only unlock: cancelling would tear the connection down before the 413 is written.
    // The server drains what is left of the upload once the answer is out.
    reader.releaseLock();
  }
  return Buffer.concat(chunks, size).toString('utf8');
}

const tooLarge = (max: number, got: string) =>
  new ProtocolError('BODY_TOO_LARGE', `The request body is larger than ${max} bytes.`, { details: [`got ${got}`] });

/** Maps any error to the protocol's error body; unexpected ones are logged and hidden. */
export function errorHandler(log: Logger) {
  return (error: Error, c: Context) => {
    const known = asProtocolError(error);
    if (known.code === 'INTERNAL') log.error('request failed', { path: c.req.path, reason: error.message.split('\n')[0] });
    if (known.code === 'CHAIN_UNREACHABLE')
      log.warn('request failed: the chain node does not answer', { path: c.req.path, reason: error.message.split('\n')[0] });
    return c.json(known.toJSON(), known.status as ContentfulStatusCode);
  };
}

/** Engine input errors are the caller's fault (422); a dead chain node is named (503); other errors are hidden. */
export function asProtocolError(error: unknown): ProtocolError {
  if (error instanceof ProtocolError) return error;
  if (isChainUnreachable(error)) return chainUnreachable();
  if (error instanceof TrellisError && error.code.startsWith('ENGINE_INPUT')) {
    return new ProtocolError('INVALID_INPUT', error.shortMessage, { details: [...error.details] });
  }
  return new ProtocolError('INTERNAL', 'The server failed to handle the request.');
}

/** The server's chain node does not answer: nothing that needs the chain can be done now. */
export const chainUnreachable = (details: string[] = []): ProtocolError =>
  new ProtocolError('CHAIN_UNREACHABLE', 'The chain node this server depends on does not answer.', {
    details: [...details, 'retry later; the operator must bring the chain node back'],
  });

export type RunningServer = { url: string; port: number; close(): Promise<void> };

export function listen(app: Hono, host: string, port: number): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    let server: ServerType;
    try {
      server = serve({ fetch: app.fetch, hostname: host, port }, (info) => {
        resolve({
          url: `http://${host}:${info.port}`,
          port: info.port,
          // Stop accepting connections; the ones in flight finish first.
          close: () => new Promise<void>((done) => server.close(() => done())),
        });
      });
      server.once('error', reject);
    } catch (error) {
      reject(error);
    }
  });
}
