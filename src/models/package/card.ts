// MODEL_CARD.md of a package: what the model is, under which licence, where it came
// from, how well it did on its author's evaluation rows and what it is meant for,
// written from the manifest alone so that the card never says more than the package holds.
import { describeInputShape, type ModelSchema } from '../schema.ts';
import { MAX_STEP_WORDS } from '../dispute-step.ts';
import type { PackageManifest } from './format.ts';

const percent = (v: number) => `${(v * 100).toFixed(2)}%`;

export function packageCard(m: Omit<PackageManifest, 'hashes'>): string {
  const schema: ModelSchema = { input: m.input, output: m.output };
  const classes = m.output.classLabels;
  const e = m.evaluation;
  return [
    `# ${m.name}`,
    '',
    `- Licence: ${m.licence}.`,
    `- Input: ${describeInputShape(schema)}, each in [${m.input.range.min}, ${m.input.range.max}]${m.input.featureNames ? `; features ${m.input.featureNames.join(', ')}` : ''}.`,
    `- Output: ${m.output.shape.join('x')} logits${classes ? `, classes ${classes.join(', ')}` : ''}.`,
    `- Content hash (keccak256 of ${m.files.onnx}): \`${m.contentHash}\`.`,
    `- Weight commitment: \`${m.weightCommitment}\`.`,
    '',
    '## Provenance',
    '',
    `- Imported from \`${m.provenance.source.file}\` (keccak256 \`${m.provenance.source.keccak256}\`), kept unchanged as \`${m.files.onnx}\`.`,
    `- Quantized by ${m.provenance.tool.name} ${m.provenance.tool.version} on the ${m.provenance.calibration.rows} rows of \`${m.files.calibration}\` (keccak256 \`${m.provenance.calibration.keccak256}\`); importing the same two files again gives \`${m.files.artifact}\` byte for byte, which \`readModelPackage\` checks.`,
    ...(m.provenance.createdAt ? [`- Created ${m.provenance.createdAt}.`] : []),
    '',
    '## Accuracy',
    '',
    ...(e
      ? [
          `On ${e.rows} evaluation rows given at import: float (onnxruntime) ${percent(e.floatAccuracy)}, fixed point (engine) ${percent(e.fixedAccuracy)}, argmax agreement ${percent(e.argmaxAgreement)}, max abs logit error ${e.maxAbsLogitError.toFixed(4)}.`,
        ]
      : ['No evaluation rows were given at import: the accuracy of this model is not stated.']),
    '',
    '## Intended use',
    '',
    `Classification of inputs of the shape above${classes ? ` into ${classes.length} classes` : ''}, served by Trellis providers with fixed-point results that a dispute can check on chain. The largest dispute step is layer ${m.disputeStep.layer} (\`${m.disputeStep.node}\`): ${m.disputeStep.words} calldata words of the ${MAX_STEP_WORDS} the ModelRegistry allows, about ${(m.disputeStep.gasEstimate / 1e6).toFixed(2)} M gas. Any use beyond the evaluation above is the user's to assess.`,
    '',
  ].join('\n');
}
