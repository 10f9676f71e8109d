// `npm run models [name...]`: trains the default models from the shipped data, exports
// each to ONNX, imports it into a fixed-point artifact and writes models/ (the files,
// the schemas with class labels, and the card). The same code and seeds rewrite the same bytes.
import { mkdirSync, writeFileSync } from 'node:fs';
import { serializeArtifact } from '../src/engine/index.ts';
import { compareFloatAndFixed } from '../src/train/evaluate.ts';
import { exportOnnx } from '../src/train/export-onnx.ts';
import { importDefaultModel } from '../src/train/import-default-model.ts';
import { modelCard, type CardEntry } from '../src/train/model-card.ts';
import { defaultModelsDir, modelFilePaths, serializePreprocess } from '../src/train/model-files.ts';
import { modelSpec, modelSpecs } from '../src/train/models.ts';
import { trainModel } from '../src/train/train-model.ts';
import { defaultModelSchema } from '../src/models/default-schemas.ts';
import { serializeModelSchema } from '../src/models/schema.ts';

const only = process.argv.slice(2);
for (const name of only) modelSpec(name); // fails early on an unknown name
mkdirSync(defaultModelsDir, { recursive: true });

const entries: CardEntry[] = [];
for (const spec of modelSpecs.filter((s) => only.length === 0 || only.includes(s.name))) {
  const started = performance.now();
  process.stdout.write(`${spec.name}: training ${spec.fit.epochs} epochs ... `);
  const trained = trainModel(spec);
  const onnx = exportOnnx(trained.net, { opset: spec.opset, form: spec.form, graphName: spec.name.replace(/-/g, '_') });
  const artifact = importDefaultModel(onnx, trained);
  const paths = modelFilePaths(spec.name);
  writeFileSync(paths.onnx, onnx);
  writeFileSync(paths.artifact, serializeArtifact(artifact));
  writeFileSync(paths.preprocess, serializePreprocess(trained.preprocess));
  writeFileSync(paths.schema, serializeModelSchema(defaultModelSchema(spec, artifact)));
  const comparison = await compareFloatAndFixed(onnx, artifact, trained.heldOut);
  entries.push({
    spec,
    trainRows: trained.train.rows,
    heldOutRows: trained.heldOut.rows,
    finalLoss: trained.epochLoss.at(-1) ?? Number.NaN,
    preprocess: trained.preprocess,
    artifact,
    comparison,
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`float ${(comparison.floatAccuracy * 100).toFixed(2)}%, fixed ${(comparison.fixedAccuracy * 100).toFixed(2)}% (${seconds} s)`);
}
// The card covers every model, so it is rewritten only by a full run.
if (only.length === 0) writeFileSync(`${defaultModelsDir}/README.md`, modelCard(entries));
console.log(`wrote ${defaultModelsDir}`);
