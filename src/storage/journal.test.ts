// Group commit: a record awaited with appendSynced is on disk when the promise resolves,
// appends made together share one fsync, appends made while an fsync runs share the
// next one, a failed fsync fails its waiters, and close() leaves nothing unsynced.
import assert from 'node:assert/strict';
import { fsync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Journal, type Fsync } from './journal.ts';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const newPath = () => {
  const dir = mkdtempSync(join(tmpdir(), 'trellis-journal-'));
  dirs.push(dir);
  return join(dir, 'records.jsonl');
};

type Record = { n: number };

/** A real fsync that notes, at each flush, how many records the file held: what that flush made durable. */
function counting(path: string) {
  const flushedCounts: number[] = [];
  const hook: Fsync = (fd, done) => {
    flushedCounts.push(Journal.read<Record>(path).length);
    fsync(fd, done);
  };
  return { hook, flushedCounts };
}

test('a record is on disk, covered by a completed fsync, when appendSynced resolves', async () => {
  const path = newPath();
  const { hook, flushedCounts } = counting(path);
  const journal = new Journal<Record>(path, hook);
  await journal.appendSynced({ n: 1 });
  assert.deepEqual(Journal.read<Record>(path), [{ n: 1 }]);
  assert.deepEqual(flushedCounts, [1]);
  journal.close();
});

test('many appends in one turn share a single fsync', async () => {
  const path = newPath();
  const { hook, flushedCounts } = counting(path);
  const journal = new Journal<Record>(path, hook);
  await Promise.all(Array.from({ length: 100 }, (_, n) => journal.appendSynced({ n })));
  assert.deepEqual(flushedCounts, [100]);
  // Plain appends are flushed by a group too, without anyone waiting.
  for (let n = 100; n < 150; n++) journal.append({ n });
  await journal.appendSynced({ n: 150 });
  assert.deepEqual(flushedCounts, [100, 151]);
  journal.close();
});

test('appends made while an fsync runs wait for the next one, which covers them all', async () => {
  const path = newPath();
  const held: (() => void)[] = [];
  const flushedCounts: number[] = [];
  const journal = new Journal<Record>(path, (fd, done) => {
    flushedCounts.push(Journal.read<Record>(path).length);
    held.push(() => fsync(fd, done));
  });
  let firstDone = false;
  const first = journal.appendSynced({ n: 0 }).then(() => {
    firstDone = true;
  });
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(held.length, 1, 'the first fsync started');
  const later = Array.from({ length: 20 }, (_, i) => journal.appendSynced({ n: i + 1 }));
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(held.length, 1, 'no second fsync while the first runs');
  assert.equal(firstDone, false);
  held[0]!();
  await first;
  while (held.length < 2) await new Promise((resolve) => setImmediate(resolve));
  held[1]!();
  await Promise.all(later);
  assert.deepEqual(flushedCounts, [1, 21]);
  journal.close();
});

test('a failed fsync fails the appends it was to cover', async () => {
  const journal = new Journal<Record>(newPath(), (_fd, done) => done(new Error('disk gone')));
  await assert.rejects(journal.appendSynced({ n: 1 }), /disk gone/);
  journal.close();
});

test('close() syncs what is written and resolves those still waiting', async () => {
  const path = newPath();
  let flushes = 0;
  const journal = new Journal<Record>(path, (fd, done) => {
    flushes++;
    fsync(fd, done);
  });
  const waiting = journal.appendSynced({ n: 1 });
  journal.close();
  await waiting;
  assert.equal(flushes, 0, 'close flushed synchronously before any group ran');
  assert.deepEqual(Journal.read<Record>(path), [{ n: 1 }]);
});
