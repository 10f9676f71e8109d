// The content-addressed store of model packages (docs/store.md). A package is a folder
// of regular files, addressed by its IPFS CIDv1 (settings in cid.ts) and published as
// `ipfs://<cid>`. Everything another module needs is exported here.
export { BlockStore, type BlockStoreOptions } from './block-store.ts';
export { CID_SETTINGS, checkCid, parseCid, parseIpfsUri, toIpfsUri, verifyBlock, type CID } from './cid.ts';
export { carStream, readCar, type DagScope } from './car.ts';
export { walkDag } from './dag.ts';
export { addDirectory, exportDirectory } from './directory.ts';
export { StoreError, type StoreErrorCode } from './errors.ts';
export { fetchPackage, type FetchOptions, type FetchResult, type StoreSource } from './fetcher.ts';
export { CAR_CONTENT_TYPE, RAW_CONTENT_TYPE, storeRoutes } from './http-routes.ts';
export { kuboImportPackage } from './kubo.ts';
export { DEFAULT_STORE_LIMITS, type StoreLimits } from './limits.ts';
