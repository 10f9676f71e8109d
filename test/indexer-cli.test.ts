// `trellis indexer` as an operator runs it: it indexes into the embedded database
// under the data folder, serves the API, stops cleanly on Ctrl-C even with a stream
// open, and resumes from the stored index on the next start.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { someActivity, startTestChain, type TestChain } from './support/indexer.ts';

const bin = fileURLToPath(new URL('../bin/trellis.js', import.meta.url));

type Running = { child: ChildProcess; url: string; stdout: () => string; stderr: () => string; exit: Promise<number | null> };

async function startCli(chain: TestChain): Promise<Running> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.TRELLIS_DATA_DIR;
  delete env.DATABASE_URL;
  const args = ['indexer', '--data-dir', chain.dataDir, '--rpc-url', chain.rpcUrl, '--port', '0', '--poll-ms', '50'];
  const child = spawn(process.execPath, [bin, ...args], { env });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('close', resolve));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const found = /API at (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
      if (found) resolve(found[1]!);
    });
    void exit.then((status) => reject(new Error(`trellis indexer exited with ${status}:\n${stderr}`)));
  });
  return { child, url, stdout: () => stdout, stderr: () => stderr, exit };
}

const status = async (url: string) => (await (await fetch(`${url}/v1/status`)).json()) as { indexedBlock: number; head: number | null; lag: number | null };

describe('trellis indexer', () => {
  let chain: TestChain;
  before(async () => {
    chain = await startTestChain();
    await someActivity(chain);
  });
  after(() => chain?.dispose());

  test('indexes, serves, stops on SIGINT with a stream open, and resumes', async () => {
    const first = await startCli(chain);
    while ((await status(first.url)).lag !== 0) await new Promise((resolve) => setTimeout(resolve, 50));
    const indexed = (await status(first.url)).indexedBlock;
    const models = (await (await fetch(`${first.url}/v1/models`)).json()) as { items: unknown[] };
    assert.equal(models.items.length, 1);
    assert.ok(existsSync(join(chain.dataDir, 'indexer', 'db')), 'the embedded database lives under the data folder');

    const stream = await fetch(`${first.url}/v1/stream`);
    assert.equal(stream.status, 200);
    first.child.kill('SIGINT');
    assert.equal(await first.exit, 0, first.stderr());
    assert.match(first.stdout(), new RegExp(`Stopped at block ${indexed}`));

    const second = await startCli(chain);
    try {
      assert.match(second.stderr(), new RegExp(`resuming indexedBlock=${indexed}`));
      assert.equal((await status(second.url)).indexedBlock >= indexed, true);
    } finally {
      second.child.kill('SIGINT');
      await second.exit;
    }
  });
});
