// `trellis model publish`: a package folder, or a package CID fetched from stores, is
// verified, added to the publisher's local store and published as `ipfs://<cid>`; a
// bare name publishes a default model from the models folder as before. With --zk the
// model's verifier is registered in the same step (docs/zk.md): its zk keys are taken
// from the keys folder, or built from the ceremony as `model import --zk` builds them,
// then the model is published and the verifier deployed and registered with its Poseidon
// weight commitment. Every check runs before the first transaction (a circuit the
// generator or the ceremony cannot take is refused as import refuses it), so nothing is
// published from a package that fails one.
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import type { CID } from 'multiformats/cid';
import type { Hex } from 'viem';
import type { SignerContext } from '../context.ts';
import { addNetworkOptions, signerContext, type NetworkOptions } from '../context.ts';
import type { CatalogModel } from '../../models/catalog.ts';
import type { RegisteredVerifier } from '../../zk/register.ts';
import { TrellisError } from '../../errors.ts';
import { localRoles } from '../../network/roles.ts';
import { collect } from '../collect.ts';

export type ModelPublishOptions = {
  royaltyBps: number;
  from?: readonly string[];
  store?: string;
  /** Also register the model's zk verifier: keys from `keysRoot` (default models/zk), built from `ceremonyDir` when absent. */
  zk?: { keysRoot?: string; ceremonyDir?: string };
};

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

/**
 * Verifies and publishes `target` (with `zk`: its keys made ready first, its verifier
 * registered after); prints what it did through `print` and returns the model id.
 */
export async function runModelPublish(
  target: string,
  options: ModelPublishOptions,
  context: SignerContext,
  print: (line: string) => void = console.log,
): Promise<{ modelId: Hex; model: CatalogModel; zk?: RegisteredVerifier }> {
  const model = await modelToPublish(target, options, context);
  if (options.zk) await zkKeysReady(model, options.zk, context, print);
  const { publishModel } = await import('../../sdk/accounts.ts');
  const modelId = await publishModel(context.connection, context.deployment, {
    contentHash: model.contentHash,
    weightCommitment: model.weightCommitment,
    shape: model.shape,
    metadataURI: model.metadataURI,
    royaltyBps: options.royaltyBps,
  });
  print(`published ${model.name} (${model.metadataURI}) as ${modelId}`);
  if (!options.zk) return { modelId, model };
  const { registerModelVerifier } = await import('../../zk/register.ts');
  const zk = await registerModelVerifier(context.connection, context.deployment, {
    model: { name: model.name, contentHash: model.contentHash, artifact: model.engine.artifact },
    modelId,
    ...(options.zk.keysRoot === undefined ? {} : { keysRoot: options.zk.keysRoot }),
  });
  print(`registered the verifier ${zk.verifier} of ${model.name} with Poseidon weight commitment ${zk.commitment}`);
  return { modelId, model, zk };
}

/**
 * Makes sure the keys folder holds the model's zk keys and compiled verifier before
 * anything is sent. Keys for these weights are used as they are. When there are none they
 * are built from the ceremony as `model import --zk` builds them, with its refusals (an
 * operator without a template, a circuit larger than the ceremony, keys of other weights
 * under the name). Keys without a compiled verifier (the default models', whose verifiers
 * live in contracts/) are refused.
 */
async function zkKeysReady(model: CatalogModel, zk: NonNullable<ModelPublishOptions['zk']>, context: SignerContext, print: (line: string) => void) {
  const [{ holdsZkKey, zkArtifactPaths }, { ZkArtifactsMissingError, ZkNotDeployedError }] = await Promise.all([
    import('../../zk/artifacts.ts'),
    import('../../zk/errors.ts'),
  ]);
  if (!context.deployment.zk) throw new ZkNotDeployedError();
  const { artifact } = model.engine;
  const paths = zkArtifactPaths(model.name, zk.keysRoot);
  if (!holdsZkKey(model.name, artifact, zk.keysRoot)) {
    const { buildImportedZkKeys } = await import('./model-import.ts');
    await buildImportedZkKeys({ name: model.name, artifact }, { zkKeys: zk.keysRoot, zkCeremony: zk.ceremonyDir }, print);
  } else {
    print(`using the zk keys in ${paths.dir}`);
  }
  if (!existsSync(paths.verifierJson)) throw new ZkArtifactsMissingError(model.name, paths.verifierJson);
}

export function registerModelPublishCommand(model: Command): void {
  addNetworkOptions(
    model
      .command('publish <package>')
      .description('publish a model package (a folder, or a CID fetched with --from or from the gateway) as ipfs://<cid>, or a default model by name')
      .option('--royalty <bps>', 'royalty in basis points (100 = 1 %)', '500')
      .option('--from <url>', 'a trellis store or IPFS gateway to fetch a CID from; repeat for fallbacks, tried before the gateway', collect, [])
      .option('--store <dir>', 'the local block store the package is added to (default: <data-dir>/store)')
      .option('--zk', "also register the model's zk verifier and Poseidon weight commitment, building its keys from the ceremony if they are not there")
      .option('--zk-keys <dir>', 'the folder holding the key folder <name>/ (default: models/zk, where provers look)')
      .option(
        '--zk-ceremony <dir>',
        'with --zk, a ceremony folder made by scripts/zk-setup.ts --ceremony --out DIR (default: the committed models/zk/ceremony)',
      ),
  ).action(
    async (
      target: string,
      options: NetworkOptions & { royalty: string; from: string[]; store?: string; zk?: boolean; zkKeys?: string; zkCeremony?: string },
    ) => {
      const { parseIntegerOption } = await import('../options.ts');
      const royaltyBps = parseIntegerOption('--royalty', options.royalty, 0, 10_000);
      if (!options.zk && (options.zkKeys !== undefined || options.zkCeremony !== undefined))
        throw new TrellisError('INVALID_OPTION', '--zk-keys and --zk-ceremony go with --zk.', { details: ['add --zk to register the verifier too'] });
      const zk = options.zk
        ? {
            ...(options.zkKeys === undefined ? {} : { keysRoot: resolve(options.zkKeys) }),
            ...(options.zkCeremony === undefined ? {} : { ceremonyDir: resolve(options.zkCeremony) }),
          }
        : undefined;
      const context = await signerContext(options, localRoles.modelOwner);
      await runModelPublish(target, { royaltyBps, from: options.from, store: options.store, ...(zk ? { zk } : {}) }, context);
    },
  );
}
