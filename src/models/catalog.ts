// The models a node can serve or a client can call, loaded from a models folder
// (the repository's models/ by default): the fixed-point engine, the float path, the
// client-side preprocessing and the hashes that identify the model on chain.
import { existsSync, readdirSync } from 'node:fs';
import { createEngine, parseArtifact, type Engine } from '../engine/index.ts';
import { FloatModel } from '../engine/float.ts';
import { commitmentShape, type CommitmentShape } from '../engine/weights.ts';
import type { Preprocess } from '../train/preprocess.ts';
import { defaultModelsDir, readModelFiles } from '../train/model-files.ts';
import { TrellisError } from '../errors.ts';
import type { Hex } from 'viem';
import { ModelError } from './errors.ts';
import { parseModelSchema, schemaDifference, schemaOf, type ModelSchema } from './schema.ts';

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
  /** Input and output schema; without a schema file, the artifact's shapes and range with no names. */
  schema: ModelSchema;
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
  const schema = files.schemaJson === undefined ? schemaOf(artifact) : readSchema(`${name}.schema.json`, files.schemaJson);
  const difference = schemaDifference(schema, artifact);
  if (difference) throw new ModelError('MODEL_SCHEMA_INVALID', `The schema of model "${name}" does not describe its artifact.`, { details: [difference] });
  return {
    name,
    contentHash: artifact.onnxHash,
    weightCommitment: artifact.weightCommitment,
    shape: commitmentShape(artifact),
    metadataURI: metadataUriOf(name),
    engine: createEngine(artifact),
    preprocess: files.preprocess,
    schema,
    onnx: files.onnx,
  };
}

function readSchema(file: string, json: string): ModelSchema {
  try {
    return parseModelSchema(JSON.parse(json), file);
  } catch (cause) {
    if (cause instanceof ModelError) throw cause;
    throw new ModelError('MODEL_SCHEMA_INVALID', `${file} is not valid JSON.`, { cause });
  }
}

/** Opens the float path of a model (onnxruntime session); done once per node. */
export function openFloatModel(model: CatalogModel): Promise<FloatModel> {
  return FloatModel.load(model.onnx);
}
