import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { keccak256, toBytes } from 'viem';
import { encodeValues, openInput, sealInput } from '../protocol/sealed-input.ts';
import { SEALING_KEYS_FILE, SealingKeys } from './sealing-key.ts';

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
const freshDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'trellis-sealing-'));
  dirs.push(dir);
  return dir;
};

test('the first key is made once, kept readable by its owner only, and survives a restart', async () => {
  const dir = freshDir();
  const keys = await SealingKeys.open(dir);
  assert.equal(keys.current.version, null, 'not published yet');
  assert.equal(statSync(join(dir, SEALING_KEYS_FILE)).mode & 0o777, 0o600);
  keys.published(keys.current.publicKey, 1);
  const again = await SealingKeys.open(dir);
  assert.equal(again.current.publicKey, keys.current.publicKey);
  assert.equal(again.privateKeyOf(1), keys.current.privateKey);
  // A copy restored with looser permissions is tightened on open.
  chmodSync(join(dir, SEALING_KEYS_FILE), 0o644);
  await SealingKeys.open(dir);
  assert.equal(statSync(join(dir, SEALING_KEYS_FILE)).mode & 0o777, 0o600);
});

test('a rotated-out key opens inputs within its grace, and is refused and deleted after it', async () => {
  const dir = freshDir();
  let now = 1_000_000;
  const keys = await SealingKeys.open(dir, { graceMs: 60_000, now: () => now });
  keys.published(keys.current.publicKey, 1);
  const old = keys.current;
  const requestHash = keccak256(toBytes('a request sealed before the rotation'));
  const client = await sealInput({ publicKey: old.publicKey, keyVersion: 1, requestHash, input: encodeValues([1, 2]) });

  const fresh = await keys.addKey();
  assert.equal(keys.privateKeyOf(1), old.privateKey, 'a key added but not yet published changes nothing');
  keys.published(fresh.publicKey, 2);
  assert.deepEqual(keys.versions, [2, 1]);
  now += 60_000;
  const within = keys.privateKeyOf(1);
  assert.ok(within, 'still within the grace');
  assert.deepEqual((await openInput({ privateKey: within, requestHash, sealed: client.sealed })).input, encodeValues([1, 2]));
  now += 1;
  assert.equal(keys.privateKeyOf(1), undefined, 'past the grace');
  assert.ok(!readFileSync(join(dir, SEALING_KEYS_FILE), 'utf8').includes(old.privateKey.slice(2)), 'the retired private key is gone from the file');
  assert.equal(keys.privateKeyOf(2), fresh.privateKey);
});

test('a rotation by another process (the CLI) is seen by a running node on the first request naming it', async () => {
  const dir = freshDir();
  const node = await SealingKeys.open(dir);
  node.published(node.current.publicKey, 1);
  const cli = await SealingKeys.open(dir);
  const rotated = await cli.addKey();
  cli.published(rotated.publicKey, 2);
  assert.equal(node.privateKeyOf(2), rotated.privateKey);
  assert.ok(node.privateKeyOf(1), 'the node still opens the previous version within the grace');
  assert.equal(node.privateKeyOf(3), undefined);
});
