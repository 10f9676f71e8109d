// The data folder other commands find after `trellis up --data-dir X`, and the
// examples `trellis up` prints, which must run as printed.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readEnvironment } from '../config.ts';
import { exampleCommands } from './commands/network.ts';
import { recordDataDir, resolveDataDir } from './data-dir.ts';

test('a folder `trellis up` recorded is found from the same folder; option and environment win', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'trellis-cwd-'));
  const elsewhere = mkdtempSync(join(tmpdir(), 'trellis-data-'));
  try {
    const unset = readEnvironment({});
    assert.deepEqual(resolveDataDir(undefined, cwd, unset), { dataDir: '.trellis', source: 'default' });
    recordDataDir(elsewhere, cwd);
    assert.deepEqual(resolveDataDir(undefined, cwd, unset), { dataDir: elsewhere, source: 'pointer' });
    assert.deepEqual(resolveDataDir('mine', cwd, unset), { dataDir: 'mine', source: 'option' });
    assert.deepEqual(resolveDataDir(undefined, cwd, readEnvironment({ TRELLIS_DATA_DIR: '/env' })), { dataDir: '/env', source: 'environment' });
    // A pointer to a folder deleted since is ignored.
    rmSync(elsewhere, { recursive: true });
    assert.equal(resolveDataDir(undefined, cwd, unset).source, 'default');
    // Starting in the default folder again removes the pointer.
    mkdirSync(elsewhere);
    recordDataDir(elsewhere, cwd);
    recordDataDir('.trellis', cwd);
    assert.equal(resolveDataDir(undefined, cwd, unset).source, 'default');
  } finally {
    rmSync(cwd, { recursive: true, force: true });
    rmSync(elsewhere, { recursive: true, force: true });
  }
});

test('the printed examples name a data folder other than the default', () => {
  for (const line of exampleCommands('.trellis')) assert.doesNotMatch(line, /--data-dir/);
  for (const line of exampleCommands('/tmp/my net')) assert.match(line, / --data-dir '\/tmp\/my net'$/);
  assert.match(exampleCommands('/tmp/x')[0]!, /^npx trellis infer .* --data-dir \/tmp\/x$/);
});
