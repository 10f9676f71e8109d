// Oversized uploads on a real network: a 100 MB chunked body (no content-length) sent to
// every route of a provider node and of the gateway that reads a body is refused with
// 413 BODY_TOO_LARGE after the first 64 KiB, without the server holding the body in
// memory, and every server goes on serving paid requests afterwards.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request, type IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { TrellisClient } from '../src/sdk/client.ts';
import { localRoles } from '../src/network/local-network.ts';
import { startTestNetwork, type TestNetwork } from './support/network.ts';

const digit = JSON.parse(readFileSync(new URL('../examples/digit-3.json', import.meta.url), 'utf8')) as number[];
const UPLOAD_BYTES = 100 * 1024 * 1024;
/** Far below the upload: a server that buffered the body would grow by a multiple of it. */
const MAX_RSS_GROWTH = 40 * 1024 * 1024;

let net: TestNetwork;
before(async () => {
  net = await startTestNetwork();
});
after(() => net?.dispose());

type Upload = { status: number; code: string | undefined; peakGrowth: number };

/**
 * Streams up to UPLOAD_BYTES of one JSON string as chunked transfer encoding, honouring
 * backpressure and reusing one buffer, so the uploader itself allocates next to nothing.
 * Stops writing as soon as the server answers. The servers run in this process, so the
 * resident set sampled while uploading is theirs.
 */
function upload(url: string): Promise<Upload> {
  const chunk = Buffer.alloc(64 * 1024, 'x'.charCodeAt(0));
  const baseline = process.memoryUsage.rss();
  let peak = baseline;
  return new Promise((resolve, reject) => {
    let answered = false;
    let wake: () => void = () => {};
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } });
    req.on('response', (res: IncomingMessage) => {
      peak = Math.max(peak, process.memoryUsage.rss());
      answered = true;
      wake();
      const parts: Buffer[] = [];
      res.on('data', (part: Buffer) => parts.push(part));
      res.on('end', () => {
        req.destroy();
        const body = JSON.parse(Buffer.concat(parts).toString('utf8')) as { error?: { code: string } };
        resolve({ status: res.statusCode ?? 0, code: body.error?.code, peakGrowth: peak - baseline });
      });
    });
    // Once the server has answered it may close the connection under the upload.
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    req.on('drain', () => wake());
    void (async () => {
      req.write('{"pad":"');
      for (let sent = 0; sent < UPLOAD_BYTES && !answered; sent += chunk.length) {
        peak = Math.max(peak, process.memoryUsage.rss());
        if (!req.write(chunk)) await new Promise<void>((resume) => (wake = resume));
      }
      peak = Math.max(peak, process.memoryUsage.rss());
      if (!answered) req.end('"}');
    })();
  });
}

test('a 100 MB chunked body is refused with 413 by every body-reading route, in bounded memory, and everything keeps serving', async () => {
  const provider = net.providers[0]!;
  const routes = [`${provider.url}/v1/infer`, `${provider.url}/v1/vouchers`, `${net.gatewayUrl}/v1/infer`, `${net.gatewayUrl}/v1/vouchers`];
  for (const url of routes) {
    const answer = await upload(url);
    assert.equal(answer.status, 413, url);
    assert.equal(answer.code, 'BODY_TOO_LARGE', url);
    assert.ok(
      answer.peakGrowth < MAX_RSS_GROWTH,
      `${url}: the resident set grew by ${(answer.peakGrowth / 2 ** 20).toFixed(1)} MiB during a ${UPLOAD_BYTES / 2 ** 20} MiB upload`,
    );
  }

  for (const base of [...net.providers.map((p) => p.url), net.gatewayUrl]) assert.equal((await fetch(`${base}/v1/health`)).status, 200, base);
  const client = new TrellisClient({
    connection: await net.signer(localRoles.client),
    deployment: net.chain.deployment,
    gatewayUrl: net.gatewayUrl,
    dataDir: join(net.dataDir, 'oversized-client'),
  });
  try {
    const result = await client.infer({ model: 'digits-mlp', input: digit });
    assert.equal(result.label, 3, 'a paid request is served after the uploads');
  } finally {
    client.close();
  }
});
