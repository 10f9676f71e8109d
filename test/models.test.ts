// The committed default models: each ONNX file re-imports to its committed artifact
// byte for byte, the preprocessing and schema files follow from data, seed and spec, the fixed-point
// engine agrees with onnxruntime on held-out rows, and training is deterministic.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseArtifact, serializeArtifact } from '../src/engine/index.ts';
import { compareFloatAndFixed } from '../src/train/evaluate.ts';
import { exportOnnx } from '../src/train/export-onnx.ts';
import { importDefaultModel } from '../src/train/import-default-model.ts';
import { readModelFiles, serializePreprocess } from '../src/train/model-files.ts';
import { modelSpec, modelSpecs, type ModelSpec } from '../src/train/models.ts';
import { prepareData } from '../src/train/prepare-data.ts';
import { trainModel } from '../src/train/train-model.ts';
import { defaultModelSchema } from '../src/models/default-schemas.ts';
import { serializeModelSchema } from '../src/models/schema.ts';

/**
 * Quantization tolerance on logits: the engine's output differs from float by input
 * and weight rounding (int16, power-of-two scales) carried through two or three layers
 * and by the rounding of each requantization; on these models that stays far below
 * 0.05 in logit units, while their logits span tens of units.
 */
const logitTolerance = 0.05;

const exportBytes = (spec: ModelSpec, epochs?: number) => {
  const trained = trainModel(spec, epochs === undefined ? {} : { epochs });
  return exportOnnx(trained.net, { opset: spec.opset, form: spec.form, graphName: spec.name.replace(/-/g, '_') });
};

for (const spec of modelSpecs) {
  test(`${spec.name}: the committed ONNX file imports to the committed artifact byte for byte`, () => {
    const files = readModelFiles(spec.name);
    const prepared = prepareData(spec);
    assert.equal(serializePreprocess(prepared.preprocess), serializePreprocess(files.preprocess));
    const artifactJson = serializeArtifact(importDefaultModel(files.onnx, prepared));
    assert.ok(artifactJson === files.artifactJson, `re-import of models/${spec.name}.onnx differs from models/${spec.name}.artifact.json`);
    assert.equal(files.schemaJson, serializeModelSchema(defaultModelSchema(spec, parseArtifact(artifactJson))));
  });

  test(`${spec.name}: fixed point agrees with onnxruntime on held-out rows`, async () => {
    const files = readModelFiles(spec.name);
    const { heldOut } = prepareData(spec);
    const c = await compareFloatAndFixed(files.onnx, parseArtifact(files.artifactJson), heldOut);
    assert.equal(c.rows, heldOut.rows);
    assert.ok(c.argmaxAgreement >= 0.99, `argmax agreement ${c.argmaxAgreement}`);
    assert.ok(c.maxAbsLogitError <= logitTolerance, `max abs logit error ${c.maxAbsLogitError} > ${logitTolerance}`);
    assert.ok(Math.abs(c.differencePp) <= 1, `accuracy difference ${c.differencePp} pp`);
    // A trained model, not a constant: well above chance on held-out rows.
    assert.ok(c.floatAccuracy > 0.9, `float accuracy ${c.floatAccuracy}`);
  });
}

test('one-epoch training runs give identical ONNX bytes, and training moves the weights', () => {
  const spec = modelSpec('digits-cnn');
  const first = exportBytes(spec, 1);
  const second = exportBytes(spec, 1);
  assert.deepEqual(second, first);
  assert.notDeepEqual(exportBytes(spec, 2), first);
  assert.notDeepEqual(exportBytes({ ...spec, seed: spec.seed + 1 }, 1), first);
});

test('a full retraining of breast-cancer-mlp reproduces its committed ONNX file', () => {
  // The smallest model trains in a fraction of a second; the others are checked by
  // `npm run models` followed by `git diff --exit-code models/`.
  const spec = modelSpec('breast-cancer-mlp');
  assert.deepEqual(exportBytes(spec), readModelFiles(spec.name).onnx);
});
