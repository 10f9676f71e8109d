// Test support for the store: a fixed package folder, temporary folders, CARs built
// from chosen blocks (honest or tampered), and a logger that keeps what it was told.
// Used by the store's tests only.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CarWriter } from '@ipld/car';
import type { CID } from 'multiformats/cid';
import type { LogFields, Logger } from '../log.ts';
import { StoreError } from './errors.ts';

/** A model package as the tests use it: small files, one of three chunks, and a sub-folder. */
export function fixtureFiles(): Record<string, Uint8Array> {
  // Bytes that differ from chunk to chunk, so no two leaves of model.onnx share a CID.
  const weights = new Uint8Array(600_000);
  for (let i = 0; i < weights.length; i++) weights[i] = (i * 31 + Math.floor(i / 1000)) & 0xff;
  return {
    'trellis-model.json': Buffer.from('{"name":"fixture","version":1}\n'),
    'model.onnx': weights,
    'MODEL_CARD.md': Buffer.from('# Fixture\n\nA package for the store tests.\n'),
    'data/labels.txt': Buffer.from('cat\ndog\n'),
  };
}

/**
 * The CID of fixtureFiles(), derived once by adding the folder with addDirectory and
 * matched by the DAG that store.test.ts builds node by node from the UnixFS spec; by
 * the settings in cid.ts it is what kubo's `ipfs add -r --cid-version=1 --raw-leaves` prints for the same
 * folder (kubo itself does not run in these tests). Pinned so that a change of library
 * or setting that would move a package's CID fails a test.
 */
export const FIXTURE_CID = 'bafybeiaaezu3j5uryvmbmq73jeqd5gpwbxq4hgjkuyf3rgzda3c4kmlbja';

export function writeFixture(dir: string, files = fixtureFiles()): string {
  for (const [path, bytes] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), bytes);
  }
  return dir;
}

/** A temporary folder, new paths inside it (not yet created), and its removal. */
export function tempDir(prefix: string): { dir: string; fresh(): string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), `trellis-store-${prefix}-`));
  let n = 0;
  return { dir, fresh: () => join(dir, `case-${n++}`), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Checks that `out` holds the fixture's files, byte for byte. */
export function assertFixtureFiles(out: string): void {
  for (const [path, bytes] of Object.entries(fixtureFiles())) assert.deepEqual(new Uint8Array(readFileSync(join(out, path))), new Uint8Array(bytes), path);
}

/** The code of a StoreError, or the text of anything else, for assert.rejects and assert.throws. */
export const errorCode = (error: unknown): string => (error instanceof StoreError ? error.code : String(error));

/** One chunk as an async iterable, as a body stream would give it. */
export async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

/** A CARv1 with these roots and blocks, in this order, whatever they hold. */
export async function carOf(roots: CID[], blocks: { cid: CID; bytes: Uint8Array }[]): Promise<Uint8Array> {
  const { writer, out } = CarWriter.create(roots);
  const parts: Uint8Array[] = [];
  const reading = (async () => {
    for await (const part of out) parts.push(part);
  })();
  for (const block of blocks) await writer.put(block);
  await writer.close();
  await reading;
  return Buffer.concat(parts);
}

export type Logged = { level: string; message: string; fields: LogFields };

export function recordingLogger(lines: Logged[] = []): Logger & { lines: Logged[] } {
  const at =
    (level: string) =>
    (message: string, fields: LogFields = {}) =>
      lines.push({ level, message, fields });
  const logger = { lines, info: at('info'), warn: at('warn'), error: at('error'), child: () => logger };
  return logger;
}
