// Model packages as they travel between machines: a package folder is verified before
// it enters the content-addressed store, and a package fetched by CID is verified block
// by block (the store does) and then as a package (readModelPackage) before anything
// uses it. What comes out carries `ipfs://<cid>` as its metadata URI, the address it
// is published under.
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { CID } from 'multiformats/cid';
import type { Logger } from '../../log.ts';
import { addDirectory, exportDirectory, fetchPackage, toIpfsUri, type BlockStore, type StoreSource } from '../../store/index.ts';
import { packageFileNames } from './format.ts';
import { readModelPackage, type ModelPackage } from './read.ts';

export type PublishedPackage = ModelPackage & { cid: CID };

/** Where fetched packages come from and where they are kept once verified. */
export type PackageSources = {
  store: BlockStore;
  /** Tried in order when the store lacks a block: the gateway, providers, other stores. */
  sources: readonly StoreSource[];
  /** Verified packages are written out here, one folder per CID. */
  cacheDir: string;
  log?: Logger;
};

const withCid = (pkg: ModelPackage, cid: CID): PublishedPackage => ({ ...pkg, cid, metadataURI: toIpfsUri(cid) });

/** Verifies the package in `dir`, then adds it to `store`; nothing enters the store when a check fails. */
export async function storeModelPackage(store: BlockStore, dir: string): Promise<PublishedPackage> {
  const pkg = readModelPackage(dir);
  return withCid(pkg, await addDirectory(store, dir));
}

/** The package `cid`, from the cache, the store or the sources, verified before it is returned. */
export async function openModelPackage(cid: CID, from: PackageSources): Promise<PublishedPackage> {
  const dir = join(from.cacheDir, cid.toV1().toString());
  if (!existsSync(join(dir, packageFileNames.manifest))) {
    await fetchPackage(from.store, cid, { sources: from.sources, log: from.log });
    // Written beside its place and renamed, so a folder under the CID is always whole.
    const partial = `${dir}.partial`;
    rmSync(partial, { recursive: true, force: true });
    mkdirSync(from.cacheDir, { recursive: true });
    await exportDirectory(from.store, cid, partial);
    rmSync(dir, { recursive: true, force: true });
    renameSync(partial, dir);
  }
  return withCid(readModelPackage(dir), cid);
}
