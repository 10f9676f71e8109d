// The schema of a default model: its artifact's shapes and range, with the class labels
// and feature names of its spec (src/train/models.ts).
import type { Artifact } from '../engine/index.ts';
import type { ModelSpec } from '../train/models.ts';
import { schemaOf, type ModelSchema } from './schema.ts';

export function defaultModelSchema(spec: ModelSpec, artifact: Artifact): ModelSchema {
  return schemaOf(artifact, { classLabels: spec.classLabels, ...(spec.featureNames ? { featureNames: spec.featureNames } : {}) });
}
