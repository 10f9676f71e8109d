// The keep-alive client tries a request again only when the server reset a reused
// connection before answering (the idle-close race), and only once; a reset of a fresh
// connection is the caller's to see.
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, test } from 'node:test';
import { httpCall } from './http-client.ts';

const answer = (keep: boolean) => `HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: ${keep ? 'keep-alive' : 'close'}\r\n\r\nok`;

/** What the server does with request `request` of connection `connection`: answer and keep the connection, answer and close it, or reset it. */
type Move = 'answer' | 'answer-and-close' | 'reset';
let plan: (connection: number, request: number) => Move = () => 'answer';
let connections = 0;
let requests = 0;
let server: Server;
let url: string;

before(async () => {
  server = createServer((socket: Socket) => {
    const connection = ++connections;
    let seen = 0;
    socket.on('data', (chunk) => {
      // One request per chunk: these requests are small and sent one at a time.
      if (!chunk.toString('latin1').includes('\r\n\r\n')) return;
      requests++;
      seen++;
      const move = plan(connection, seen);
      if (move === 'reset') socket.resetAndDestroy();
      else if (move === 'answer') socket.write(answer(true));
      else socket.end(answer(false));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  url = `http://127.0.0.1:${address.port}/`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

test('a reset of a reused connection before the answer is tried once more on a fresh one', async () => {
  const [connectionsBefore, requestsBefore] = [connections, requests];
  // The first connection answers, then resets its second request; the retry's connection
  // answers and closes, so that no kept-alive socket is left for the next test.
  plan = (connection, request) => (connection === connectionsBefore + 1 ? (request === 2 ? 'reset' : 'answer') : 'answer-and-close');
  assert.equal((await httpCall(url)).body.toString(), 'ok');
  const answer = await httpCall(url);
  assert.equal(answer.status, 200);
  assert.equal(answer.body.toString(), 'ok');
  assert.equal(requests - requestsBefore, 3, 'the first call, the reset one, and its one retry');
  assert.equal(connections - connectionsBefore, 2, 'the retry opened a fresh connection');
});

test('a reset of a fresh connection is not retried', async () => {
  plan = () => 'reset';
  const [connectionsBefore, requestsBefore] = [connections, requests];
  await assert.rejects(httpCall(url), (error: NodeJS.ErrnoException) => error.code === 'ECONNRESET');
  assert.equal(requests - requestsBefore, 1, 'sent once');
  assert.equal(connections - connectionsBefore, 1);
});

test('a reused connection reset twice in a row fails after the one retry', async () => {
  // The first call leaves a kept-alive socket; from then on every request is reset.
  let calls = 0;
  plan = () => (calls === 0 ? 'answer' : 'reset');
  assert.equal((await httpCall(url)).status, 200);
  calls = 1;
  const requestsBefore = requests;
  await assert.rejects(httpCall(url), (error: NodeJS.ErrnoException) => error.code === 'ECONNRESET');
  assert.equal(requests - requestsBefore, 2, 'the reset request and one retry, no more');
});
