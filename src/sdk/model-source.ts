// How a client finds the model it calls. A default model in the models folder is read
// from there; anything else comes as a package by content address: a model id names its
// publication, a name is looked up in the gateway's listing of the trusted publisher's
// publications. The package is fetched from the gateway, the provider or the configured
// stores, verified and held to its publication (src/models/published.ts), and cached
// under the client's data folder, so a client needs no model files of its own.
import { join } from 'node:path';
import { isHex, type Hex } from 'viem';
import type { Connection } from '../chain/connect.ts';
import type { Deployment } from '../chain/manifest.ts';
import { listModelNames, loadModel, type CatalogModel } from '../models/catalog.ts';
import { ModelError } from '../models/errors.ts';
import type { PackageSources } from '../models/package/travel.ts';
import { loadPublishedModel } from '../models/published.ts';
import { resolveModel, type ModelTrust } from '../models/registry.ts';
import { BlockStore, type StoreSource } from '../store/index.ts';
import { listModels } from './gateway.ts';

export type ModelSourceOptions = {
  connection: Connection;
  deployment: Deployment;
  dataDir: string;
  modelsDir?: string;
  trust?: ModelTrust;
  gatewayUrl?: string;
  /** Stores tried after the gateway and the provider named by the request. */
  storeSources?: readonly StoreSource[];
};

export const isModelId = (text: string): text is Hex => isHex(text) && text.length === 66;

export async function findModel(options: ModelSourceOptions, model: string, providerUrl?: string): Promise<{ model: CatalogModel; modelId: Hex }> {
  const { connection, deployment, trust } = options;
  if (!isModelId(model) && listModelNames(options.modelsDir).includes(model)) {
    const local = loadModel(model, options.modelsDir);
    return { model: local, modelId: await resolveModel(connection, deployment, local, trust) };
  }
  const urls = [...new Set([options.gatewayUrl, providerUrl].filter((u): u is string => u !== undefined))];
  const packages: PackageSources = {
    store: await BlockStore.open(join(options.dataDir, 'store')),
    sources: [...urls.map((url) => ({ kind: 'gateway' as const, url })), ...(options.storeSources ?? [])],
    cacheDir: join(options.dataDir, 'packages'),
  };
  if (isModelId(model)) return loadPublishedModel(connection, deployment, model, packages);
  const named = trust?.modelIds?.[model];
  if (named) return loadPublishedModel(connection, deployment, named, packages);
  return findByName(options, model, packages);
}

/** The trusted publisher's package publication named `name`, from the gateway's listing. */
async function findByName(options: ModelSourceOptions, name: string, packages: PackageSources): Promise<{ model: CatalogModel; modelId: Hex }> {
  const publisher = options.trust?.publisher ?? options.deployment.modelPublisher;
  if (!options.gatewayUrl || !publisher) {
    throw new ModelError('MODEL_NOT_PUBLISHED', `Model "${name}" is not in the models folder, and there is no gateway listing to find it in.`, {
      details: ['name the model by its model id, or give a gateway URL and the trusted publisher'],
    });
  }
  const listed = (await listModels(options.gatewayUrl)).filter((m) => m.owner.toLowerCase() === publisher.toLowerCase() && m.metadataURI.startsWith('ipfs://'));
  // The name lives in each package's manifest, not on chain: the packages are opened (and cached) to learn it.
  const unusable: string[] = [];
  for (const listing of listed) {
    try {
      const found = await loadPublishedModel(options.connection, options.deployment, listing.modelId, packages);
      if (found.model.name === name) return found;
    } catch (error) {
      // One unusable package does not hide the others; it is named if none is the one asked for.
      unusable.push(`${listing.modelId}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    }
  }
  throw new ModelError('MODEL_NOT_PUBLISHED', `The trusted publisher ${publisher} has published no package named "${name}".`, {
    details: [`packages of that publisher at the gateway: ${listed.length}`, ...unusable, 'name the model by its model id instead'],
  });
}
