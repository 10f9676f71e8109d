// Reading JSON bodies under a size limit: declared and chunked bodies over the limit get
// 413 without being read whole, a body at the limit is read, and the server keeps
// serving on a fresh connection afterwards.
import assert from 'node:assert/strict';
import { request, type IncomingMessage } from 'node:http';
import { after, before, test } from 'node:test';
import { Hono } from 'hono';
import { silentLogger } from '../log.ts';
import { errorHandler, listen, readJson, type RunningServer } from './http.ts';

const LIMIT = 1_000;
let server: RunningServer;
/** Sizes of the bodies the route handed to JSON.parse, to prove what was read. */
const parsed: number[] = [];

before(async () => {
  const app = new Hono();
  app.onError(errorHandler(silentLogger));
  app.post('/echo', async (c) => {
    const body = await readJson(c, LIMIT);
    parsed.push(JSON.stringify(body).length);
    return c.json({ ok: true });
  });
  server = await listen(app, '127.0.0.1', 0);
});
after(() => server?.close());

type Answer = { status: number; body: { error?: { code: string; details: string[] } } };

/** POSTs `chunks` with chunked transfer encoding (no content-length); resolves on the answer. */
function postChunked(chunks: readonly string[]): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${server.url}/echo`, { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } });
    req.on('response', (res: IncomingMessage) => {
      const parts: Buffer[] = [];
      res.on('data', (part: Buffer) => parts.push(part));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(parts).toString('utf8')) as Answer['body'] }));
    });
    // The server may close the connection once it has answered; only a missing answer is an error.
    req.on('error', (error) => reject(error));
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

test('a chunked body over the limit is refused with 413 BODY_TOO_LARGE, never parsed', async () => {
  const before = parsed.length;
  const answer = await postChunked(['{"pad":"', 'x'.repeat(600), 'x'.repeat(600), '"}']);
  assert.equal(answer.status, 413);
  assert.equal(answer.body.error?.code, 'BODY_TOO_LARGE');
  assert.match(answer.body.error?.details.join(' ') ?? '', /more than 1000 bytes/);
  assert.equal(parsed.length, before, 'the route never saw the oversized body');
});

test('a declared content-length over the limit is refused before reading', async () => {
  const response = await fetch(`${server.url}/echo`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ pad: 'x'.repeat(2_000) }),
  });
  assert.equal(response.status, 413);
  const body = (await response.json()) as Answer['body'];
  assert.match(body.error?.details.join(' ') ?? '', /declared 2010 bytes/);
});

test('a chunked body exactly at the limit is read whole, across chunks and multi-byte characters', async () => {
  // "é" is two bytes in UTF-8: the limit counts bytes, not characters.
  const text = JSON.stringify({ pad: 'é'.repeat(100) + 'x'.repeat(LIMIT - 210) });
  assert.equal(Buffer.byteLength(text), LIMIT);
  const answer = await postChunked([text.slice(0, 7), text.slice(7, 500), text.slice(500)]);
  assert.equal(answer.status, 200);
  assert.equal(parsed.at(-1), text.length);
});

test('an empty or broken body is MALFORMED_JSON, and the server still serves afterwards', async () => {
  assert.equal((await postChunked([])).body.error?.code, 'MALFORMED_JSON');
  assert.equal((await postChunked(['{"a": '])).body.error?.code, 'MALFORMED_JSON');
  assert.equal((await postChunked(['{"a": 1}'])).status, 200);
});
