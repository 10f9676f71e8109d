// `trellis model import`: an ONNX file and the author's rows in, a model package out,
// with the figures an author needs before publishing: float and fixed-point accuracy,
// their agreement, and what the largest dispute step would cost. With --zk it then builds
// the model's zk keys from the committed ceremony (src/zk/keys.ts, docs/zk.md).
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { Artifact } from '../../engine/index.ts';
import type { ImportModelResult } from '../../models/import-model.ts';
import { packageVersion } from '../../version.ts';

export type ModelImportOptions = {
  calibration: string;
  eval?: string;
  labels?: string;
  inputRange?: string;
  name?: string;
  preprocess?: string;
  classLabels?: string;
  licence?: string;
  out?: string;
  /** Also build zk keys: circuit, proving key, verification key, verifier contract. */
  zk?: boolean;
  /** The folder of per-model key folders (default models/zk, where provers look). */
  zkKeys?: string;
  /** A ceremony folder other than the committed models/zk/ceremony (one of a larger power). */
  zkCeremony?: string;
};

const percent = (v: number) => `${(v * 100).toFixed(2)} %`;
const millions = (gas: number) => `${(gas / 1e6).toFixed(2)} M`;

/** Runs the command and prints its sentences through `print` (console.log from the CLI). */
export async function runModelImport(onnxFile: string, options: ModelImportOptions, print: (line: string) => void = console.log): Promise<ImportModelResult> {
  const { MAX_STEP_WORDS, STEP_GAS_BASE, STEP_GAS_PER_WORD } = await import('../../models/dispute-step.ts');
  // Loaded here, not at CLI start: it brings in onnxruntime.
  const { importModel, parseInputRange } = await import('../../models/import-model.ts');
  const classLabels = options.classLabels?.split(',').map((l) => l.trim());
  const inputRange = options.inputRange === undefined ? undefined : parseInputRange(options.inputRange);
  const result = await importModel({
    onnxFile,
    calibrationFile: options.calibration,
    evalFile: options.eval,
    labelsFile: options.labels,
    inputRange,
    name: options.name,
    preprocessFile: options.preprocess,
    classLabels,
    licence: options.licence,
    ...(options.out === undefined ? {} : { outDir: resolve(options.out) }),
    toolVersion: packageVersion,
  });
  const pkg = result.package;
  const { input, output } = pkg.schema;
  print(
    `imported ${pkg.name}: input [${input.shape.join(', ')}] in ${result.inputRange.min}..${result.inputRange.max} (from the ${result.rangeFrom}), output [${output.shape.join(', ')}]${output.classLabels ? ` (${output.classLabels.join(', ')})` : ''}, ${pkg.engine.artifact.layers.length} layers, quantized on ${result.calibrationRows} calibration rows.`,
  );
  const e = result.evaluation;
  if (e) {
    print(
      `on ${e.rows} evaluation rows the float model is ${percent(e.floatAccuracy)} accurate and the fixed-point model ${percent(e.fixedAccuracy)}; they pick the same class on ${percent(e.argmaxAgreement)} of the rows (largest logit difference ${e.maxAbsLogitError.toFixed(4)}).`,
    );
    if (e.clampedValues > 0) print(`${e.clampedValues} evaluation values were outside the input range and were clamped into it, as a client would.`);
  } else {
    print('no evaluation rows given (--eval and --labels): the accuracy is not measured.');
  }
  const step = result.disputeStep;
  print(
    `the largest dispute step is layer ${step.layer} ("${step.node}"): ${step.words} calldata words of the ${MAX_STEP_WORDS} the ModelRegistry allows, about ${millions(step.gasEstimate)} gas (${STEP_GAS_BASE.toLocaleString('en-US')} + ${STEP_GAS_PER_WORD.toLocaleString('en-US')} per word, fitted to the steps measured by npm run bench -- disputes).`,
  );
  if (step.words > MAX_STEP_WORDS)
    print(`warning: the ModelRegistry refuses to publish this model: its layer ${step.layer} needs more than ${MAX_STEP_WORDS} words per step.`);
  print(`wrote the package ${pkg.dir}: content hash ${pkg.contentHash}, weight commitment ${pkg.weightCommitment}, licence ${pkg.manifest.licence}.`);
  if (options.zk) {
    const pkg = result.package;
    await buildImportedZkKeys({ name: pkg.name, artifact: pkg.artifact }, options, print);
    print(
      `publish the package and register its verifier in one step: trellis model publish ${pkg.dir} --zk${options.zkKeys === undefined ? '' : ` --zk-keys ${resolve(options.zkKeys)}`}`,
    );
  }
  return result;
}

const megabytes = (file: string) => `${(statSync(file).size / 1e6).toFixed(1)} MB`;

/**
 * Builds a model's zk keys from the ceremony (`model import --zk`, and `model publish --zk`
 * when the keys are not there yet), refusing what the circuit generator or the ceremony
 * cannot take before compiling, and prints what it made.
 */
export async function buildImportedZkKeys(
  pkg: { name: string; artifact: Artifact },
  options: Pick<ModelImportOptions, 'zkKeys' | 'zkCeremony'>,
  print: (line: string) => void,
): Promise<void> {
  const [{ buildZkKeys }, { releaseProver }, { repoPath }, { progress }] = await Promise.all([
    import('../../zk/keys.ts'),
    import('../../zk/curve-threads.ts'),
    import('../../repo-root.ts'),
    import('../progress.ts'),
  ]);
  // snarkjs's curve threads would keep the process alive once the keys are written.
  const built = await buildZkKeys({
    model: pkg.name,
    artifact: pkg.artifact,
    ...(options.zkKeys === undefined ? {} : { keysRoot: resolve(options.zkKeys) }),
    ...(options.zkCeremony === undefined ? {} : { ceremonyDir: resolve(options.zkCeremony) }),
    buildDir: repoPath('.zk-build', 'imported', pkg.name),
    verifier: true,
    log: progress(),
  }).finally(releaseProver);
  const { paths, meta } = built;
  print(
    `zk keys for ${pkg.name}: ${meta.constraints.toLocaleString('en-US')} constraints, within the ceremony of 2^${meta.power} (ptau sha256 ${built.ceremony.meta.sha256.slice(0, 16)}...); compiled in ${built.seconds.compile.toFixed(0)} s, phase 2 in ${built.seconds.setup.toFixed(0)} s.`,
  );
  print(
    `wrote ${paths.dir}: circuit.circom, circuit.wasm (${megabytes(paths.wasm)}), circuit.zkey (${megabytes(paths.zkey)}), vkey.json, verifier.sol (${built.verifierContract}), verifier.json, meta.json; Poseidon weight commitment ${meta.poseidonWeightCommitment}.`,
  );
}

export function registerModelImportCommand(model: Command): void {
  model
    .command('import <model.onnx>')
    .description('quantize an ONNX model on your rows and write a model package (a folder of files with a manifest)')
    .requiredOption('--calibration <rows.csv>', "calibration rows: one input per line, flattened in the model's order")
    .option('--eval <rows.csv>', 'evaluation rows, to measure float and fixed-point accuracy (needs --labels)')
    .option('--labels <labels.csv>', 'the class of each evaluation row, one per line (index or class label)')
    .option('--input-range <min:max>', 'the range every input value stays in (default: the preprocess range, else the calibration extremes)')
    .option('--name <name>', "the model's name (default: the file name)")
    .option('--preprocess <p.json>', 'what clients do to a raw row first (trellis-preprocess-1)')
    .option('--class-labels <a,b,c>', 'one name per output, in output order')
    .option('--licence <spdx>', 'the SPDX licence of the model (default NOASSERTION)')
    .option('--out <dir>', 'the package folder to write (default: NAME.trellis-model beside the ONNX file)')
    .option('--zk', 'also build zk keys (circuit, proving and verification key, verifier contract) from the committed ceremony')
    .option('--zk-keys <dir>', 'the folder the key folder <name>/ goes into (default: models/zk, where provers look)')
    .option('--zk-ceremony <dir>', 'a ceremony folder made by scripts/zk-setup.ts --ceremony --out DIR (default: the committed models/zk/ceremony)')
    .action(async (file: string, options: ModelImportOptions) => {
      await runModelImport(file, options);
    });
}
