// A package on disk is a plain folder of regular files (and sub-folders). Adding it
// turns it into a UnixFS DAG with the settings of cid.ts; exporting writes the same
// files back. Names are checked both ways: a folder to add may hold nothing but
// files and folders, and a DAG to export may not name a file outside its folder.
import { createReadStream, createWriteStream } from 'node:fs';
import { lstat, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { exporter, type UnixFSEntry } from 'ipfs-unixfs-exporter';
import { importer, type ImportCandidate } from 'ipfs-unixfs-importer';
import { fixedSize } from 'ipfs-unixfs-importer/chunker';
import { balanced } from 'ipfs-unixfs-importer/layout';
import type { CID } from 'multiformats/cid';
import type { BlockStore } from './block-store.ts';
import { CID_SETTINGS, checkCid } from './cid.ts';
import { StoreError } from './errors.ts';
import { PackageTally } from './limits.ts';

/** Names a path segment may not be: they would leave the folder or mean nothing on disk. */
export function checkName(name: string, where: string): string {
  if (name === '' || name === '.' || name === '..' || /[/\\\0]/.test(name)) {
    throw new StoreError('STORE_PATH_INVALID', `The name ${JSON.stringify(name)} in ${where} is not a plain file name.`, {
      details: ['names may not be empty, "." or "..", nor hold "/", "\\" or NUL'],
    });
  }
  return name;
}

/** Adds the folder `dir` to the store and returns its root CID, as `ipfs add -r --cid-version=1` would. */
export async function addDirectory(store: BlockStore, dir: string): Promise<CID> {
  const files = await listFiles(dir);
  const declared = files.reduce((sum, f) => sum + f.size, 0);
  if (declared > store.limits.maxPackageBytes) {
    throw new StoreError('STORE_PACKAGE_TOO_LARGE', `The folder ${dir} holds more than ${store.limits.maxPackageBytes} bytes.`, {
      details: [`files: ${declared} bytes`],
    });
  }
  const tally = new PackageTally(store.limits, `The folder ${dir}`);
  const candidates: ImportCandidate[] = files.map((f) => (f.size < 0 ? { path: f.path } : { path: f.path, content: createReadStream(join(dir, f.path)) }));
  let root: CID | undefined;
  const entries = importer(
    candidates,
    store.unixfsBlockstore((bytes) => tally.add(bytes.byteLength)),
    {
      cidVersion: CID_SETTINGS.cidVersion,
      rawLeaves: CID_SETTINGS.rawLeaves,
      reduceSingleLeafToSelf: CID_SETTINGS.reduceSingleLeafToSelf,
      shardSplitThresholdBytes: CID_SETTINGS.shardSplitThresholdBytes,
      shardSplitStrategy: 'links-bytes',
      chunker: fixedSize({ chunkSize: CID_SETTINGS.chunkSize }),
      layout: balanced({ maxChildrenPerNode: CID_SETTINGS.maxChildrenPerNode }),
      // The folder's own node wraps its entries; its name is not part of the CID, as in `ipfs add -r`.
      wrapWithDirectory: true,
    },
  );
  for await (const entry of entries) if (entry.path === '') root = entry.cid;
  if (!root) throw new StoreError('STORE_DIRECTORY_INVALID', `The folder ${dir} gave no root.`);
  await store.addRoot(root);
  return root;
}

/** Files (size >= 0) and folders (size -1) under `dir`, with `/`-separated relative paths. */
async function listFiles(dir: string, prefix = ''): Promise<{ path: string; size: number }[]> {
  const top = await lstat(dir).catch((cause) => {
    throw new StoreError('STORE_DIRECTORY_INVALID', `The folder ${dir} cannot be read.`, { cause });
  });
  if (!top.isDirectory()) throw new StoreError('STORE_DIRECTORY_INVALID', `${dir} is not a folder.`);
  const found: { path: string; size: number }[] = [];
  const names = (await readdir(dir)).sort();
  if (names.length === 0 && prefix !== '') found.push({ path: prefix.slice(0, -1), size: -1 });
  for (const name of names) {
    const path = join(dir, name);
    const info = await lstat(path);
    if (info.isDirectory()) found.push(...(await listFiles(path, `${prefix}${checkName(name, dir)}/`)));
    else if (info.isFile()) found.push({ path: `${prefix}${checkName(name, dir)}`, size: info.size });
    else {
      throw new StoreError('STORE_DIRECTORY_INVALID', `${path} is neither a regular file nor a folder.`, {
        details: ['a package holds regular files and folders only: no links, devices or sockets'],
      });
    }
  }
  return found;
}

/** The UnixFS entry at `segments` under `root`, each segment checked first. */
export async function resolvePath(store: BlockStore, root: CID, segments: readonly string[]): Promise<UnixFSEntry> {
  for (const segment of segments) checkName(segment, `the path under ${root.toString()}`);
  const path = [checkCid(root).toString(), ...segments].join('/');
  try {
    return await exporter(path, store.unixfsBlockstore());
  } catch (cause) {
    if (cause instanceof StoreError) throw cause;
    if ((cause as { name?: string }).name === 'NotFoundError') {
      throw new StoreError('STORE_PATH_NOT_FOUND', `There is no ${segments.join('/')} under ${root.toString()}.`, { cause });
    }
    throw new StoreError('STORE_DAG_INVALID', `The DAG at ${path} cannot be read as UnixFS.`, { cause });
  }
}

/** Writes the folder `root` into `out`, which must be absent or empty. */
export async function exportDirectory(store: BlockStore, root: CID, out: string): Promise<void> {
  const existing = await readdir(out).catch(() => []);
  if (existing.length > 0) throw new StoreError('STORE_OUTPUT_EXISTS', `The folder ${out} is not empty.`, { details: ['export into a new or empty folder'] });
  const entry = await resolvePath(store, root, []);
  if (entry.type !== 'directory') throw new StoreError('STORE_DAG_INVALID', `${root.toString()} is a ${entry.type}, not a folder.`);
  await writeEntry(store, entry, out, root.toString());
}

async function writeEntry(store: BlockStore, entry: UnixFSEntry, path: string, shown: string): Promise<void> {
  if (entry.type === 'directory') {
    await mkdir(path, { recursive: true });
    for await (const child of entry.entries()) {
      const name = checkName(child.name, shown);
      await writeEntry(store, await resolvePath(store, child.cid, []), join(path, name), `${shown}/${name}`);
    }
  } else if (entry.type === 'file' || entry.type === 'raw') {
    await pipeline(entry.content(), createWriteStream(path, { flags: 'wx' }));
  } else {
    throw new StoreError('STORE_DAG_INVALID', `${shown} is a ${entry.type}, which a package cannot hold.`);
  }
}
