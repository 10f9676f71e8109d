// models/README.md, written by `npm run models` from the specs and the measured
// held-out figures, so that the card always states what the committed files do.
import type { Artifact } from '../engine/index.ts';
import type { Comparison } from './evaluate.ts';
import type { ModelSpec } from './models.ts';
import type { Preprocess } from './preprocess.ts';
import { trainingStreamOffset } from './train-model.ts';

export type CardEntry = {
  spec: ModelSpec;
  trainRows: number;
  heldOutRows: number;
  finalLoss: number;
  preprocess: Preprocess;
  artifact: Artifact;
  comparison: Comparison;
};

const percent = (v: number) => `${(v * 100).toFixed(2)}%`;

const forms: Record<ModelSpec['form'], string> = {
  gemm: 'Gemm (transB=1) for each dense layer, Relu between',
  'conv-reshape-gemm': 'Conv (3x3, pads 1) -> Relu -> MaxPool (2x2, stride 2) -> Reshape to [-1, 128] (a constant int64 shape) -> Gemm (transB=1)',
  'matmul-add': 'MatMul against the transposed weight, then Add of the bias, for each dense layer; Relu between',
};

const datasets: Record<ModelSpec['dataset'], string> = {
  digits: '`data/digits.csv.gz`: 1797 handwritten digits, 8x8 pixel counts 0..16 (UCI, E. Alpaydin and C. Kaynak)',
  breast_cancer:
    '`data/breast_cancer.csv`: 569 fine-needle aspirates, 30 real features, 0 = malignant, 1 = benign (UCI, W. H. Wolberg, W. N. Street, O. L. Mangasarian)',
};

export function modelCard(entries: readonly CardEntry[]): string {
  const lines: string[] = [
    '# Default models',
    '',
    'Trained by the project itself from the data it ships (`data/`, see `data/README.md`),',
    'by `npm run models`, which rewrites every file here byte for byte: the trainer',
    '(`src/train/`) is float64, single-threaded, with a fixed summation order and',
    'a seeded xoshiro128** generator, and reads no clock and no Math.random. This card is',
    'written by the same command.',
    '',
    'Each model has four files:',
    '',
    '- `<name>.onnx`: the float model (outputs logits; no Softmax node). Served by',
    '  onnxruntime-node for requests that ask for no verification.',
    '- `<name>.artifact.json`: the fixed-point artifact the engine runs, produced from the',
    '  ONNX file by the engine importer, calibrated on every training row with the',
    '  declared input range below. `test/models.test.ts` re-imports each ONNX file and',
    '  checks that the result equals this file byte for byte.',
    '- `<name>.preprocess.json`: what a client does to a raw row before sending it:',
    '  optional standardization, then a clamp into the declared input range (the engine',
    '  refuses any value outside it).',
    '- `<name>.schema.json`: the input and output schema: shapes, input range, the',
    '  feature names when the data set names them, and one label per class, which',
    '  `trellis infer` prints instead of the class index.',
    '',
    '## Held-out accuracy',
    '',
    '`npm run accuracy` measures these again from the committed files.',
    '',
    '| model | held-out rows | float (onnxruntime) | fixed point (engine) | difference | argmax agreement | max abs logit error |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...entries.map(
      (e) =>
        `| ${e.spec.name} | ${e.comparison.rows} | ${percent(e.comparison.floatAccuracy)} | ${percent(e.comparison.fixedAccuracy)} | ${e.comparison.differencePp.toFixed(2)} pp | ${percent(e.comparison.argmaxAgreement)} | ${e.comparison.maxAbsLogitError.toFixed(4)} |`,
    ),
    '',
    '## Feature scaling',
    '',
    'The engine gives each tensor one power-of-two scale and holds activations, the input',
    'included, as int16; the input scale is the largest f with max(|min|, |max|) * 2^f <=',
    '32767 over the declared range (`docs/engine-spec.md`, sections 1 and 5). The digits',
    'pixels are counts 0..16, so they go in raw with the declared range [0, 16] (input',
    'scale 2^-10). The breast cancer features span about 0.001 to 4254 in one row: that',
    'range would give the input 2 fractional bits, so smoothness (0.05..0.16) or fractal',
    'dimension would round to 0 or 0.25. The model therefore takes standardized features,',
    '(x - mean) / std with the mean and population std of the training rows stored in',
    '`breast-cancer-mlp.preprocess.json`, clamped into a declared range of whole units one',
    'past the training extremes; the input then gets 11 fractional bits and every feature',
    'keeps about 3 significant decimal digits. Folding the standardization into the first',
    'layer instead would keep the raw-input tensor and its precision loss, so the step',
    'stays on the client, where it costs nothing to verify.',
    '',
  ];
  for (const e of entries) {
    const s = e.spec;
    const p = e.preprocess;
    lines.push(
      `## ${s.name}`,
      '',
      `- What: ${s.description}.`,
      `- Data: ${datasets[s.dataset]}.`,
      `- Split: stratified by class, ${Math.round(s.heldOutFraction * 100)}% held out per class, drawn with seed ${s.seed}: ${e.trainRows} training rows, ${e.heldOutRows} held-out rows.`,
      `- Training: seed ${s.seed + trainingStreamOffset} (= ${s.seed} + 0x10000) for the initial weights (PyTorch's default uniform init) and the batch order; Adam, learning rate ${s.fit.learningRate}, batch ${s.fit.batchSize}, ${s.fit.epochs} epochs, softmax cross-entropy; final training loss ${e.finalLoss.toFixed(4)}.`,
      `- ONNX: opset ${s.opset}, input \`input\` [N, ${e.artifact.input.shape.join(', ')}], output \`logits\` [N, ${e.artifact.output.shape.join(', ')}]; ${forms[s.form]}.`,
      `- Input: ${p.standardize ? `standardized features (mean/std in \`${s.name}.preprocess.json\`), clamped to [${p.range.min}, ${p.range.max}]` : `raw values in [${p.range.min}, ${p.range.max}]`}; input scale 2^-${e.artifact.input.frac}, output scale 2^-${e.artifact.output.frac}.`,
      `- Weight commitment: \`${e.artifact.weightCommitment}\`.`,
      `- Held out: float ${percent(e.comparison.floatAccuracy)}, fixed point ${percent(e.comparison.fixedAccuracy)}, argmax agreement ${percent(e.comparison.argmaxAgreement)}, max abs logit error ${e.comparison.maxAbsLogitError.toFixed(4)}.`,
      '',
    );
  }
  return lines.join('\n');
}
