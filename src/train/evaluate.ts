// Held-out comparison of the float model (onnxruntime) and the fixed-point engine on
// the same preprocessed rows: the accuracy of each, their difference in percentage
// points, how often their top classes agree, and the largest logit difference.
import { createEngine, run, type Artifact } from '../engine/index.ts';
import { FloatModel } from '../engine/float.ts';
import type { Dataset } from './datasets.ts';
import { argmaxRows } from './fit.ts';

export type Comparison = {
  rows: number;
  floatAccuracy: number;
  fixedAccuracy: number;
  /** (fixed - float) accuracy, in percentage points. */
  differencePp: number;
  /** Share of rows where both pick the same class. */
  argmaxAgreement: number;
  maxAbsLogitError: number;
  /** Per row, for tests that look closer. */
  floatLogits: Float32Array;
  fixedLogits: Float64Array;
};

export async function compareFloatAndFixed(onnx: Uint8Array, artifact: Artifact, rows: Dataset): Promise<Comparison> {
  const model = await FloatModel.load(onnx);
  let floatLogits: Float32Array;
  try {
    floatLogits = (await model.run(rows.x, rows.rows)).logits;
  } finally {
    await model.close();
  }
  const fixed = run(createEngine(artifact), rows.x, { batch: rows.rows });
  const classes = rows.classes;
  const floatTop = argmaxRows(floatLogits, rows.rows, classes);
  const fixedTop = argmaxRows(fixed.values, rows.rows, classes);
  let floatRight = 0;
  let fixedRight = 0;
  let agree = 0;
  for (let r = 0; r < rows.rows; r++) {
    if (floatTop[r] === rows.y[r]) floatRight++;
    if (fixedTop[r] === rows.y[r]) fixedRight++;
    if (floatTop[r] === fixedTop[r]) agree++;
  }
  let maxAbsLogitError = 0;
  for (let i = 0; i < floatLogits.length; i++) maxAbsLogitError = Math.max(maxAbsLogitError, Math.abs(floatLogits[i]! - fixed.values[i]!));
  const floatAccuracy = floatRight / rows.rows;
  const fixedAccuracy = fixedRight / rows.rows;
  return {
    rows: rows.rows,
    floatAccuracy,
    fixedAccuracy,
    differencePp: (fixedAccuracy - floatAccuracy) * 100,
    argmaxAgreement: agree / rows.rows,
    maxAbsLogitError,
    floatLogits,
    fixedLogits: fixed.values,
  };
}
