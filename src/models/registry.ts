// Which publication of a model to use. Anyone can publish the same ONNX file (the same
// content hash) under their own account, with their own weight commitment and royalty;
// the model id is keccak256(publisher, content hash). So a model is resolved by the
// publisher its user trusts (or by a model id named outright), never by "the newest
// publication of this content hash": a later publication by someone else changes
// nothing for existing users. The publication must also carry the weight commitment
// computed from the local artifact, so no one signs or pays under a commitment that
// was not computed from the weights actually run.
import type { Address, Hex } from 'viem';
import { isChainUnreachable } from '../chain/chain-status.ts';
import type { Connection } from '../chain/connect.ts';
import { ChainError } from '../chain/errors.ts';
import type { Deployment } from '../chain/manifest.ts';
import { modelRegistryAbi } from '../chain/generated/ModelRegistry.ts';
import type { CommitmentShape, LayerShape } from '../engine/weights.ts';
import type { CatalogModel } from './catalog.ts';
import { ModelError } from './errors.ts';

/**
 * What a client or a provider trusts: model ids named per model name, else the
 * publications of `publisher`, else those of the deployment's default model publisher.
 */
export type ModelTrust = {
  publisher?: Address;
  modelIds?: Readonly<Record<string, Hex>>;
};

/** The model id `publisher` gets for `contentHash`, as the registry derives it. */
export function modelIdOf(connection: Connection, deployment: Deployment, publisher: Address, contentHash: Hex): Promise<Hex> {
  return connection.publicClient.readContract({
    address: deployment.contracts.modelRegistry,
    abi: modelRegistryAbi,
    functionName: 'modelIdOf',
    args: [publisher, contentHash],
  });
}

/** True when `publisher` has published `contentHash` (deprecated or not). */
export async function isPublishedBy(connection: Connection, deployment: Deployment, publisher: Address, contentHash: Hex): Promise<boolean> {
  const modelId = await modelIdOf(connection, deployment, publisher, contentHash);
  const published = await connection.publicClient.readContract({
    address: deployment.contracts.modelRegistry,
    abi: modelRegistryAbi,
    functionName: 'getModel',
    args: [modelId],
  });
  return published.owner !== '0x0000000000000000000000000000000000000000';
}

/**
 * The model id to use for a local model, checked against the registry: published, of
 * this content hash, not deprecated, and under the weight commitment of the local
 * artifact. Throws a ModelError naming what differs otherwise.
 */
export async function resolveModel(connection: Connection, deployment: Deployment, model: CatalogModel, trust: ModelTrust = {}): Promise<Hex> {
  try {
    return await resolveChecked(connection, deployment, model, trust);
  } catch (error) {
    if (!isChainUnreachable(error)) throw error;
    throw new ChainError('RPC_UNREACHABLE', `The chain node does not answer, so model "${model.name}" cannot be resolved.`, {
      details: [`endpoint: ${connection.rpcUrl}`],
      cause: error,
    });
  }
}

async function resolveChecked(connection: Connection, deployment: Deployment, model: CatalogModel, trust: ModelTrust): Promise<Hex> {
  const named = trust.modelIds?.[model.name];
  const publisher = trust.publisher ?? deployment.modelPublisher;
  if (named === undefined && publisher === undefined) {
    throw new ModelError('MODEL_PUBLISHER_UNKNOWN', `No trusted publisher for model "${model.name}".`, {
      details: ['the deployment manifest names no default model publisher', 'name the publisher (--publisher ADDRESS) or the model id (--model-id ID)'],
    });
  }
  const modelId = named ?? (await modelIdOf(connection, deployment, publisher!, model.contentHash));
  const chosen = named === undefined ? `publisher ${publisher}` : `model id ${named}`;
  const published = await connection.publicClient.readContract({
    address: deployment.contracts.modelRegistry,
    abi: modelRegistryAbi,
    functionName: 'getModel',
    args: [modelId],
  });
  if (published.owner === '0x0000000000000000000000000000000000000000') {
    throw new ModelError('MODEL_NOT_PUBLISHED', `Model "${model.name}" is not published by the trusted ${named === undefined ? 'publisher' : 'model id'}.`, {
      details: [`trusted: ${chosen}`, `content hash: ${model.contentHash}`, 'publish it first (trellis model publish), or trust another publisher'],
    });
  }
  if (published.contentHash.toLowerCase() !== model.contentHash.toLowerCase()) {
    throw new ModelError('MODEL_CONTENT_MISMATCH', `Model id ${modelId} is another model than the local "${model.name}".`, {
      details: [`content hash on chain: ${published.contentHash}`, `content hash of the local file: ${model.contentHash}`],
    });
  }
  if (published.deprecated) {
    throw new ModelError('MODEL_DEPRECATED', `Model "${model.name}" (${modelId}) is deprecated by its owner.`, { details: [`trusted: ${chosen}`] });
  }
  if (published.weightCommitment.toLowerCase() !== model.weightCommitment.toLowerCase()) {
    throw new ModelError('MODEL_COMMITMENT_MISMATCH', `The on-chain weight commitment of "${model.name}" is not the one computed from the local artifact.`, {
      details: [`model id: ${modelId} (${chosen})`, `on chain: ${published.weightCommitment}`, `computed here: ${model.weightCommitment}`],
    });
  }
  // The shape fixes where each leaf of the commitment sits; a publication whose shape
  // differs from the artifact's would let a dispute prove leaves this node never made.
  const shape = await connection.publicClient.readContract({
    address: deployment.contracts.modelRegistry,
    abi: modelRegistryAbi,
    functionName: 'shapeOf',
    args: [modelId],
  });
  const difference = shapeDifference(shape, model.shape);
  if (difference) {
    throw new ModelError('MODEL_SHAPE_MISMATCH', `The on-chain commitment shape of "${model.name}" is not the one computed from the local artifact.`, {
      details: [`model id: ${modelId} (${chosen})`, difference],
    });
  }
  return modelId;
}

/** The first field where two commitment shapes differ, or undefined when they agree. */
function shapeDifference(onChain: Readonly<Omit<CommitmentShape, 'layers'>> & { layers: readonly LayerShape[] }, local: CommitmentShape): string | undefined {
  if (onChain.inputSize !== local.inputSize) return `input size: on chain ${onChain.inputSize}, here ${local.inputSize}`;
  if (onChain.rowCount !== local.rowCount) return `row leaves: on chain ${onChain.rowCount}, here ${local.rowCount}`;
  if (onChain.layers.length !== local.layers.length) return `layers: on chain ${onChain.layers.length}, here ${local.layers.length}`;
  for (const [i, layer] of local.layers.entries()) {
    const other = onChain.layers[i]!;
    for (const field of Object.keys(layer) as (keyof LayerShape)[]) {
      if (other[field] !== layer[field]) return `layer ${i + 1} ${field}: on chain ${other[field]}, here ${layer[field]}`;
    }
  }
  return undefined;
}
