// The models a node can serve or a client can call, loaded from a models folder
// (the repository's models/ by default): the fixed-point engine, the float path, the
// client-side preprocessing and the hashes that identify the model on chain.
import { existsSync, readdirSync } from 'node:fs';
import { createEngine, parseArtifact, type Engine } from '../engine/index.ts';
import { FloatModel } from '../engine/float.ts';
import { commitmentShape, type CommitmentShape } from '../engine/weights.ts';
import type { Preprocess } from '../engine/train/preprocess.ts';
import { defaultModelsDir, readModelFiles } from '../engine/train/model-files.ts';
import { TrellisError } from '../errors.ts';
import type { Hex } from 'viem';

export type CatalogModel = {
  name: string;
  /** keccak256 of the ONNX file: the content hash published in the ModelRegistry. */
  contentHash: Hex;
  weightCommitment: Hex;
  /** The commitment tree's shape, published with it (fixes every leaf's position). */
  shape: CommitmentShape;
  /** What the registry records as the model's metadata URI. */
  metadataURI: string;
  engine: Engine;
  preprocess: Preprocess;
  onnx: Uint8Array;
};

export const metadataUriOf = (name: string): string => `trellis:models/${name}`;

/** Names of the models in a folder (those with an .onnx and an .artifact.json). */
export function listModelNames(modelsDir: string = defaultModelsDir): string[] {
  if (!existsSync(modelsDir)) return [];
  const files = new Set(readdirSync(modelsDir));
  return [...files]
    .filter((f) => f.endsWith('.onnx') && files.has(f.replace(/\.onnx$/, '.artifact.json')))
    .map((f) => f.slice(0, -5))
    .sort();
}

export function loadModel(name: string, modelsDir: string = defaultModelsDir): CatalogModel {
  const known = listModelNames(modelsDir);
  if (!known.includes(name)) {
    throw new TrellisError('UNKNOWN_MODEL', `No model named "${name}" in ${modelsDir}.`, { details: [`known models: ${known.join(', ') || 'none'}`] });
  }
  const files = readModelFiles(name, modelsDir);
  const artifact = parseArtifact(files.artifactJson);
  return {
    name,
    contentHash: artifact.onnxHash,
    weightCommitment: artifact.weightCommitment,
    shape: commitmentShape(artifact),
    metadataURI: metadataUriOf(name),
    engine: createEngine(artifact),
    preprocess: files.preprocess,
    onnx: files.onnx,
  };
}

/** Opens the float path of a model (onnxruntime session); done once per node. */
export function openFloatModel(model: CatalogModel): Promise<FloatModel> {
  return FloatModel.load(model.onnx);
}
