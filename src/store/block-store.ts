// The embedded block store: one file per block under blocks/, named by the block's
// CIDv1, so that a restart finds every block that was acknowledged. A block is written
// to tmp/ first, flushed, then renamed into place: a crash leaves either the whole
// block or none of it, never a torn file under its CID. Blocks are checked against
// their CID when written and again when read, so a flipped bit on disk is reported
// instead of served.
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CID } from 'multiformats/cid';
import { checkCid, cidKey, parseCid, verifyBlock } from './cid.ts';
import { StoreError } from './errors.ts';
import { resolveLimits, type StoreLimits } from './limits.ts';

export type BlockStoreOptions = { limits?: Partial<StoreLimits> };

export class BlockStore {
  readonly limits: StoreLimits;
  private readonly blocksDir: string;
  private readonly tmpDir: string;
  private readonly rootsDir: string;

  private constructor(
    readonly dir: string,
    limits: StoreLimits,
  ) {
    this.limits = limits;
    this.blocksDir = join(dir, 'blocks');
    this.tmpDir = join(dir, 'tmp');
    this.rootsDir = join(dir, 'roots');
  }

  /** Opens (or creates) the store in `dir`; leftovers of writes cut short by a crash are removed. */
  static async open(dir: string, options: BlockStoreOptions = {}): Promise<BlockStore> {
    const store = new BlockStore(dir, resolveLimits(options.limits));
    await rm(store.tmpDir, { recursive: true, force: true });
    await Promise.all([store.blocksDir, store.tmpDir, store.rootsDir].map((d) => mkdir(d, { recursive: true })));
    return store;
  }

  /** Blocks are spread over folders named by two characters of the CID, so none grows to millions of entries. */
  private blockPath(cid: CID): string {
    const key = cidKey(checkCid(cid));
    return join(this.blocksDir, key.slice(-3, -1), key);
  }

  async has(cid: CID): Promise<boolean> {
    return (await stat(this.blockPath(cid)).catch(() => undefined))?.isFile() === true;
  }

  async getBlock(cid: CID): Promise<Uint8Array> {
    let bytes: Uint8Array;
    try {
      bytes = await readFile(this.blockPath(cid));
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code !== 'ENOENT') throw cause;
      throw new StoreError('STORE_BLOCK_NOT_FOUND', `Block ${cid.toString()} is not in the store.`, { details: [`store: ${this.dir}`] });
    }
    await verifyBlock(cid, bytes, `the store at ${this.dir}`);
    return bytes;
  }

  /** Stores a block after checking it against its CID and the block size limit; storing it twice is a no-op. */
  async putBlock(cid: CID, bytes: Uint8Array, from = 'the caller'): Promise<void> {
    if (bytes.byteLength > this.limits.maxBlockBytes) {
      throw new StoreError('STORE_BLOCK_TOO_LARGE', `Block ${cid.toString()} from ${from} is larger than ${this.limits.maxBlockBytes} bytes.`, {
        details: [`cid: ${cid.toString()}`, `source: ${from}`, `size: ${bytes.byteLength}`],
      });
    }
    await verifyBlock(cid, bytes, from);
    const path = this.blockPath(cid);
    if (await this.has(cid)) return;
    await mkdir(join(path, '..'), { recursive: true });
    await writeDurably(join(this.tmpDir, randomBytes(8).toString('hex')), path, bytes);
  }

  /** Records `cid` as the root of a complete package, listed by roots(). */
  async addRoot(cid: CID): Promise<void> {
    await writeFile(join(this.rootsDir, cidKey(checkCid(cid))), '');
  }

  async roots(): Promise<CID[]> {
    const names = (await readdir(this.rootsDir)).sort();
    return names.map((name) => parseCid(name));
  }

  /** The store as the UnixFS importer and exporter expect it. */
  unixfsBlockstore(onPut?: (bytes: Uint8Array) => void) {
    return {
      put: async (cid: CID, bytes: Uint8Array) => {
        onPut?.(bytes);
        await this.putBlock(cid, bytes);
        return cid;
      },
      get: (cid: CID) => this.blockGenerator(cid),
    };
  }

  private async *blockGenerator(cid: CID): AsyncGenerator<Uint8Array> {
    yield await this.getBlock(cid);
  }
}

async function writeDurably(tmpPath: string, finalPath: string, bytes: Uint8Array): Promise<void> {
  const handle = await open(tmpPath, 'wx');
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmpPath, finalPath);
}
