// Everything about a default model that follows from its data and seed alone, with no
// training: the split, the preprocessing (standardizer fitted on training rows, the
// declared input range) and the rows as the network sees them. The importer's
// calibration rows come from here, so re-importing a committed ONNX file never needs
// a training run.
import { loadDataset, type ModelSpec } from './models.ts';
import type { Dataset } from './datasets.ts';
import { applyPreprocess, type Preprocess } from './preprocess.ts';
import { selectRows, stratifiedSplit, type Split } from './split.ts';
import { fitStandardizer, standardizeRows } from './standardize.ts';

export type PreparedData = {
  split: Split;
  preprocess: Preprocess;
  /** Preprocessed training rows (also the calibration rows). */
  train: Dataset;
  /** Preprocessed held-out rows. */
  heldOut: Dataset;
};

export function prepareData(spec: ModelSpec, dataDir?: string): PreparedData {
  const data = loadDataset(spec.dataset, dataDir);
  const split = stratifiedSplit(data, spec.heldOutFraction, spec.seed);
  const trainRaw = selectRows(data, split.train);
  const heldOutRaw = selectRows(data, split.heldOut);
  let preprocess: Preprocess;
  if (spec.standardize) {
    const standardize = fitStandardizer(trainRaw);
    // The range covers every standardized training value, widened to whole units so
    // that a held-out row a little outside the training extremes keeps its value.
    const z = standardizeRows(trainRaw.x, standardize);
    let min = 0;
    let max = 0;
    for (const v of z) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    preprocess = { format: 'trellis-preprocess-1', features: data.features, standardize, range: { min: Math.floor(min) - 1, max: Math.ceil(max) + 1 } };
  } else {
    // Pixel counts: the data card gives 0..16.
    preprocess = { format: 'trellis-preprocess-1', features: data.features, standardize: null, range: spec.inputRange };
  }
  return {
    split,
    preprocess,
    train: { ...trainRaw, x: applyPreprocess(preprocess, trainRaw.x) },
    heldOut: { ...heldOutRaw, x: applyPreprocess(preprocess, heldOutRaw.x) },
  };
}
