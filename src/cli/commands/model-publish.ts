// `trellis model publish`: a package folder, or a package CID fetched from stores, is
// verified, added to the publisher's local store and published as `ipfs://<cid>`; a
// bare name publishes a default model from the models folder as before. Every check
// runs before the transaction, so nothing is published from a package that fails one.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { CID } from 'multiformats/cid';
import type { Hex } from 'viem';
import type { SignerContext } from '../context.ts';
import { addNetworkOptions, signerContext, type NetworkOptions } from '../context.ts';
import type { CatalogModel } from '../../models/catalog.ts';
import { TrellisError } from '../../errors.ts';
import { localRoles } from '../../network/roles.ts';
import { collect } from '../collect.ts';

export type ModelPublishOptions = { royaltyBps: number; from?: readonly string[]; store?: string };

/** The CID `target` spells (bare or as ipfs://), or undefined when it spells none. */
function cidOf(target: string, store: typeof import('../../store/index.ts')): CID | undefined {
  try {
    return target.startsWith('ipfs://') ? store.parseIpfsUri(target) : store.parseCid(target);
  } catch {
    return undefined;
  }
}

/** The model `target` names, verified: a package folder, a package CID, or a default model's name. */
async function modelToPublish(target: string, options: ModelPublishOptions, context: SignerContext): Promise<CatalogModel> {
  const { parseUrlOption } = await import('../options.ts');
  const isFolder = existsSync(target) && statSync(target).isDirectory();
  const storeModule = await import('../../store/index.ts');
  const cid = isFolder ? undefined : cidOf(target, storeModule);
  if (!isFolder && !cid) {
    if (/[\\/]/.test(target))
      throw new TrellisError('INVALID_OPTION', `${target} is not a package folder.`, {
        details: ['give a package folder, a package CID or a default model name'],
      });
    const { loadModel } = await import('../../models/catalog.ts');
    return loadModel(target);
  }
  const { storeModelPackage, openModelPackage } = await import('../../models/package/travel.ts');
  const store = await storeModule.BlockStore.open(options.store ?? join(context.dataDir, 'store'));
  if (!cid) return storeModelPackage(store, target);
  const urls = [...(options.from ?? []).map((url) => parseUrlOption('--from', url)), ...(context.gatewayUrl ? [context.gatewayUrl] : [])];
  return openModelPackage(cid, { store, sources: urls.map((url) => ({ kind: 'gateway' as const, url })), cacheDir: join(context.dataDir, 'packages') });
}

/** Verifies and publishes `target`; prints one sentence through `print` and returns the model id. */
export async function runModelPublish(
  target: string,
  options: ModelPublishOptions,
  context: SignerContext,
  print: (line: string) => void = console.log,
): Promise<{ modelId: Hex; model: CatalogModel }> {
  const model = await modelToPublish(target, options, context);
  const { publishModel } = await import('../../sdk/accounts.ts');
  const modelId = await publishModel(context.connection, context.deployment, {
    contentHash: model.contentHash,
    weightCommitment: model.weightCommitment,
    shape: model.shape,
    metadataURI: model.metadataURI,
    royaltyBps: options.royaltyBps,
  });
  print(`published ${model.name} (${model.metadataURI}) as ${modelId}`);
  return { modelId, model };
}

export function registerModelPublishCommand(model: Command): void {
  addNetworkOptions(
    model
      .command('publish <package>')
      .description('publish a model package (a folder, or a CID fetched with --from or from the gateway) as ipfs://<cid>, or a default model by name')
      .option('--royalty <bps>', 'royalty in basis points (100 = 1 %)', '500')
      .option('--from <url>', 'a trellis store or IPFS gateway to fetch a CID from; repeat for fallbacks, tried before the gateway', collect, [])
      .option('--store <dir>', 'the local block store the package is added to (default: <data-dir>/store)'),
  ).action(async (target: string, options: NetworkOptions & { royalty: string; from: string[]; store?: string }) => {
    const { parseIntegerOption } = await import('../options.ts');
    const royaltyBps = parseIntegerOption('--royalty', options.royalty, 0, 10_000);
    const context = await signerContext(options, localRoles.modelOwner);
    await runModelPublish(target, { royaltyBps, from: options.from, store: options.store }, context);
  });
}
