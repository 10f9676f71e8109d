// Runs the real binary: `trellis store add` prints the fixture's pinned CID, `trellis
// store serve` answers for it, and `trellis store get` fetches it from there by ipfs://
// URI past a source that is down, then writes the files out; a malformed CID is one
// clear error line.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { listen } from '../net/http.ts';
import { BlockStore } from '../store/block-store.ts';
import { storeRoutes } from '../store/http-routes.ts';
import { assertFixtureFiles, FIXTURE_CID, tempDir, writeFixture } from '../store/testing.ts';

const binary = fileURLToPath(new URL('../../bin/trellis.js', import.meta.url));
const temp = tempDir('cli');
after(() => temp.remove());

/** `trellis store serve` on a free port, once it says where; stopped like Ctrl-C. */
async function serveStore(store: string): Promise<{ url: string; stop(): Promise<number | null> }> {
  const child = spawn(process.execPath, [binary, 'store', 'serve', '--store', store, '--port', '0'], { cwd: temp.dir });
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const url = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      const found = /at (http:\/\/127\.0\.0\.1:\d+)\/ipfs/.exec(stdout);
      if (found) resolve(found[1]!);
    });
    exited.then((status) => reject(new Error(`store serve exited with ${status} before listening: ${stdout}`)));
  });
  return {
    url,
    stop: () => {
      child.kill('SIGINT');
      return exited;
    },
  };
}

function trellis(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [binary, 'store', ...args], { cwd: temp.dir, env: { ...process.env, TRELLIS_DATA_DIR: join(temp.dir, 'data') } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

test('store add prints the CID, store serve answers for it, store get fetches it by URI past a dead source, and store list names it', async () => {
  const added = await trellis('add', writeFixture(join(temp.dir, 'pkg')), '--store', join(temp.dir, 'publisher'));
  assert.equal(added.status, 0, added.stderr);
  assert.equal(added.stdout, `${FIXTURE_CID}\n`);
  assert.match(added.stderr, new RegExp(`metadata URI: ipfs://${FIXTURE_CID}`));

  const server = await serveStore(join(temp.dir, 'publisher'));
  const dead = await listen(storeRoutes(await BlockStore.open(join(temp.dir, 'empty'))), '127.0.0.1', 0);
  await dead.close();
  try {
    const out = join(temp.dir, 'out');
    const got = await trellis('get', `ipfs://${FIXTURE_CID}`, '--out', out, '--from', dead.url, '--from', server.url);
    assert.equal(got.status, 0, got.stderr);
    assert.match(got.stdout, new RegExp(`^${FIXTURE_CID}: 9 blocks, \\d+ bytes \\(9 fetched\\) written to `));
    assert.match(got.stderr, /source failed; trying the next/);
    assertFixtureFiles(out);
    const listed = await trellis('list');
    assert.equal(listed.stdout, `${FIXTURE_CID}\n`);
  } finally {
    assert.equal(await server.stop(), 0, 'store serve stops cleanly');
  }
});

test('store get of a malformed CID is one clear error and a non-zero exit', async () => {
  const r = await trellis('get', 'bafy-not-a-cid', '--out', join(temp.dir, 'never'));
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^error: This is not a CID\./);
  assert.doesNotMatch(r.stderr, /\bat \S+:\d+/);
});
