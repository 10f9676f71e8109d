// The gateway's store at /ipfs, so that clients with no model files can fetch the
// packages they call. A package the gateway lacks is fetched on demand from the
// providers that price its model, every block checked against the CID, and then kept:
// only CIDs named by a published model's metadata URI are fetched, so the gateway
// never fetches arbitrary content on a stranger's behalf.
import { Hono } from 'hono';
import type { CID } from 'multiformats/cid';
import type { Logger } from '../log.ts';
import { fetchPackage, parseCid, storeRoutes, toIpfsUri, type BlockStore } from '../store/index.ts';
import type { NetworkTable } from './network-table.ts';

export function packageRoutes(store: BlockStore, table: NetworkTable, log: Logger): Hono {
  const fetching = new Map<string, Promise<unknown>>();
  const complete = async (cid: CID) => (await store.roots()).some((root) => root.equals(cid));

  const fetchFromProviders = async (cid: CID) => {
    const uri = toIpfsUri(cid);
    const modelIds = [...table.models.values()].filter((m) => m.metadataURI === uri).map((m) => m.modelId.toLowerCase());
    if (modelIds.length === 0 || (await complete(cid))) return;
    const sources = [...table.providers.values()]
      .filter((p) => p.active && modelIds.some((id) => p.prices.has(id as `0x${string}`)))
      .map((p) => ({ kind: 'gateway' as const, url: p.endpoint }));
    await fetchPackage(store, cid, { sources, log }).catch((error: unknown) =>
      log.warn('package not fetched from providers', { cid: cid.toString(), reason: error instanceof Error ? error.message.split('\n')[0] : String(error) }),
    );
  };

  const app = new Hono();
  app.use('/ipfs/*', async (c, next) => {
    const first = new URL(c.req.url).pathname.slice('/ipfs/'.length).split('/')[0] ?? '';
    let cid: CID | undefined;
    try {
      cid = parseCid(first);
    } catch {
      // storeRoutes explains a bad CID to the caller.
    }
    if (cid) {
      const key = cid.toString();
      let pending = fetching.get(key);
      if (!pending) {
        pending = fetchFromProviders(cid).finally(() => fetching.delete(key));
        fetching.set(key, pending);
      }
      await pending;
    }
    await next();
  });
  app.route('/', storeRoutes(store));
  return app;
}
