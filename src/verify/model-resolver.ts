// Which model a receipt is about: the receipt names a model id; the ModelRegistry gives
// that id's content hash (keccak256 of the ONNX file); the models folder holds the model
// with that content hash. A watcher thus re-executes exactly the published model, and
// only under the weight commitment computed from that file: a publication of the same
// file under another commitment is one no re-execution here can win a dispute about.
import type { Hex } from 'viem';
import type { Connection } from '../chain/connect.ts';
import type { Deployment } from '../chain/manifest.ts';
import { modelRegistryAbi } from '../chain/generated/ModelRegistry.ts';
import { listModelNames, loadModel, type CatalogModel } from '../models/catalog.ts';
import { WatchError } from './watch-errors.ts';

export class ModelResolver {
  private readonly byContentHash = new Map<Hex, CatalogModel>();
  private readonly byModelId = new Map<Hex, CatalogModel>();

  constructor(
    private readonly connection: Connection,
    private readonly deployment: Deployment,
    modelsDir?: string,
  ) {
    for (const name of listModelNames(modelsDir)) {
      const model = loadModel(name, modelsDir);
      this.byContentHash.set(model.contentHash.toLowerCase() as Hex, model);
    }
  }

  async resolve(modelId: Hex): Promise<CatalogModel> {
    const key = modelId.toLowerCase() as Hex;
    const known = this.byModelId.get(key);
    if (known) return known;
    const published = await this.connection.publicClient.readContract({
      address: this.deployment.contracts.modelRegistry,
      abi: modelRegistryAbi,
      functionName: 'getModel',
      args: [modelId],
    });
    const model = this.byContentHash.get(published.contentHash.toLowerCase() as Hex);
    if (!model) {
      throw new WatchError('WATCH_MODEL_UNKNOWN', "The receipt's model is not in the models folder.", {
        details: [
          `model id: ${modelId}`,
          `content hash on chain: ${published.contentHash}`,
          `models here: ${[...this.byContentHash.values()].map((m) => m.name).join(', ') || 'none'}`,
        ],
      });
    }
    if (published.weightCommitment.toLowerCase() !== model.weightCommitment.toLowerCase()) {
      throw new WatchError('WATCH_MODEL_UNKNOWN', "The receipt's model is published under another weight commitment than the local file's.", {
        details: [
          `model id: ${modelId}`,
          `model: ${model.name}`,
          `commitment on chain: ${published.weightCommitment}`,
          `computed here: ${model.weightCommitment}`,
        ],
      });
    }
    this.byModelId.set(key, model);
    return model;
  }
}
