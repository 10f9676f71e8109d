// Where the default models live in the repository and how their files are named:
// models/<name>.onnx (the float model), models/<name>.artifact.json (the fixed-point
// artifact the engine runs), models/<name>.preprocess.json (what a client does to
// a raw row first) and models/<name>.schema.json (input and output schema with the
// feature names and class labels; optional, so a folder of older models still loads).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoPath } from '../repo-root.ts';
import type { Preprocess } from './preprocess.ts';

export const defaultModelsDir = repoPath('models');

export type ModelFilePaths = { onnx: string; artifact: string; preprocess: string; schema: string };

export function modelFilePaths(name: string, modelsDir: string = defaultModelsDir): ModelFilePaths {
  return {
    onnx: join(modelsDir, `${name}.onnx`),
    artifact: join(modelsDir, `${name}.artifact.json`),
    preprocess: join(modelsDir, `${name}.preprocess.json`),
    schema: join(modelsDir, `${name}.schema.json`),
  };
}

export type ModelFiles = { onnx: Uint8Array; artifactJson: string; preprocess: Preprocess; schemaJson?: string };

export function readModelFiles(name: string, modelsDir: string = defaultModelsDir): ModelFiles {
  const paths = modelFilePaths(name, modelsDir);
  return {
    onnx: new Uint8Array(readFileSync(paths.onnx)),
    artifactJson: readFileSync(paths.artifact, 'utf8'),
    preprocess: JSON.parse(readFileSync(paths.preprocess, 'utf8')) as Preprocess,
    ...(existsSync(paths.schema) ? { schemaJson: readFileSync(paths.schema, 'utf8') } : {}),
  };
}

/** The preprocess file's bytes: two-space JSON with a trailing newline. */
export function serializePreprocess(p: Preprocess): string {
  return `${JSON.stringify(p, null, 2)}\n`;
}
