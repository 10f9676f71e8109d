// Turns an ONNX file and the author's rows into a model package: the rows are read
// against the model's own input shape, the model is quantized on the calibration rows,
// the float and fixed-point runs are compared on the evaluation rows when given, the
// largest dispute step is sized, and the package is written and read back through the
// same checks any later reader applies.
import { readFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { importOnnx, OnnxDecodeError, onnxInputShape } from '../engine/index.ts';
import { compareFloatAndFixed, type Comparison } from '../train/evaluate.ts';
import type { Preprocess } from '../train/preprocess.ts';
import { TrellisError } from '../errors.ts';
import { checkRowsInRange, parseLabelsCsv, parseRowsCsv, type CsvRows } from './csv-rows.ts';
import type { DisputeStep } from './dispute-step.ts';
import { readModelPackage, type ModelPackage } from './package/read.ts';
import { preprocessProblem } from './preprocess-check.ts';
import { writeModelPackage } from './package/write.ts';
import { schemaOf, sizeOfShape } from './schema.ts';

export type ModelImportErrorCode =
  | 'IMPORT_FILE_UNREADABLE'
  | 'IMPORT_INPUT_RANGE'
  | 'IMPORT_EVAL_INCOMPLETE'
  | 'IMPORT_LABELS_COUNT'
  | 'IMPORT_PREPROCESS'
  | 'IMPORT_NAME';

export class ModelImportError extends TrellisError<ModelImportErrorCode> {
  override name = 'ModelImportError';
}

export type ImportModelParameters = {
  onnxFile: string;
  calibrationFile: string;
  evalFile?: string;
  labelsFile?: string;
  /** The declared input range; default: the preprocess file's, else the calibration rows' extremes. */
  inputRange?: { min: number; max: number };
  /** Default: the ONNX file's name without its extension. */
  name?: string;
  preprocessFile?: string;
  classLabels?: readonly string[];
  /** SPDX identifier; default NOASSERTION (the SPDX word for "not stated"). */
  licence?: string;
  /** Default: NAME.trellis-model beside the ONNX file. */
  outDir?: string;
  toolVersion: string;
};

export type ImportModelResult = {
  package: ModelPackage;
  calibrationRows: number;
  inputRange: { min: number; max: number };
  rangeFrom: 'option' | 'preprocess' | 'calibration rows';
  evaluation?: Comparison & { clampedValues: number };
  disputeStep: DisputeStep;
};

function readFile(file: string, what: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(file));
  } catch (cause) {
    throw new ModelImportError('IMPORT_FILE_UNREADABLE', `The ${what} ${file} cannot be read.`, { cause });
  }
}

const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** "0:1", "-5:13" or "0:255" as { min, max }; `option` names the flag in errors. */
export function parseInputRange(text: string, option = '--input-range'): { min: number; max: number } {
  const parts = text.split(':');
  const [min, max] = parts.map((p) => (p.trim() === '' ? Number.NaN : Number(p)));
  if (parts.length !== 2 || !Number.isFinite(min) || !Number.isFinite(max) || !(min! < max!)) {
    throw new ModelImportError('IMPORT_INPUT_RANGE', `${option} must be MIN:MAX with finite numbers and MIN < MAX, got "${text}".`, {
      details: ['example: --input-range 0:1'],
    });
  }
  return { min: min!, max: max! };
}

const namePattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

function readPreprocess(file: string, features: number): Preprocess {
  let p: Preprocess;
  try {
    p = JSON.parse(decode(readFile(file, 'preprocess file'))) as Preprocess;
  } catch (cause) {
    if (cause instanceof ModelImportError) throw cause;
    throw new ModelImportError('IMPORT_PREPROCESS', `${file} is not valid JSON.`, { cause });
  }
  const problem = preprocessProblem(p, features);
  if (problem) throw new ModelImportError('IMPORT_PREPROCESS', `${file} is not a preprocess file for this model.`, { details: [problem] });
  return { format: p.format, features: p.features, standardize: p.standardize, range: { min: p.range.min, max: p.range.max } };
}

function rowsExtremes(rows: CsvRows): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (const v of rows.values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  // A constant input still needs a range of some width for its scale.
  return min < max ? { min, max } : { min: min - 1, max: max + 1 };
}

function onnxShapeOf(onnx: Uint8Array, file: string): number[] {
  try {
    return onnxInputShape(onnx);
  } catch (error) {
    if (error instanceof OnnxDecodeError) throw new OnnxDecodeError([`file: ${file}`, ...error.details], error.cause);
    throw error;
  }
}

export async function importModel(p: ImportModelParameters): Promise<ImportModelResult> {
  if ((p.evalFile === undefined) !== (p.labelsFile === undefined)) {
    throw new ModelImportError(
      'IMPORT_EVAL_INCOMPLETE',
      p.evalFile ? 'Evaluation rows need their labels (--labels).' : 'Labels need their evaluation rows (--eval).',
      {
        details: ['give --eval ROWS.csv and --labels LABELS.csv together, or neither'],
      },
    );
  }
  const name = p.name ?? basename(p.onnxFile, extname(p.onnxFile));
  if (!namePattern.test(name))
    throw new ModelImportError('IMPORT_NAME', `"${name}" cannot be a model name.`, {
      details: ['expected: letters, digits, ".", "_" and "-", starting with a letter or digit, at most 64 characters', 'choose one with --name'],
    });
  const onnx = readFile(p.onnxFile, 'ONNX file');
  const shape = onnxShapeOf(onnx, p.onnxFile);
  const width = sizeOfShape(shape);
  const calibrationCsv = readFile(p.calibrationFile, 'calibration file');
  const calibration = parseRowsCsv(decode(calibrationCsv), p.calibrationFile, width, shape);
  const preprocess = p.preprocessFile ? readPreprocess(p.preprocessFile, width) : undefined;
  if (preprocess && p.inputRange && (preprocess.range.min !== p.inputRange.min || preprocess.range.max !== p.inputRange.max)) {
    throw new ModelImportError('IMPORT_INPUT_RANGE', `--input-range disagrees with the range of ${p.preprocessFile}.`, {
      details: [`--input-range: ${p.inputRange.min}:${p.inputRange.max}`, `preprocess: ${preprocess.range.min}:${preprocess.range.max}`, 'give one of them'],
    });
  }
  const inputRange = p.inputRange ?? preprocess?.range ?? rowsExtremes(calibration);
  const rangeFrom = p.inputRange ? 'option' : preprocess ? 'preprocess' : 'calibration rows';
  checkRowsInRange(calibration, p.calibrationFile, inputRange);
  const artifact = importOnnx(onnx, { calibration: calibration.values, inputRange });
  const schema = schemaOf(artifact, { featureNames: calibration.header, classLabels: p.classLabels });

  let evaluation: ImportModelResult['evaluation'];
  if (p.evalFile && p.labelsFile) {
    const rows = parseRowsCsv(decode(readFile(p.evalFile, 'evaluation file')), p.evalFile, width, shape);
    const classes = sizeOfShape(artifact.output.shape);
    const { labels } = parseLabelsCsv(decode(readFile(p.labelsFile, 'labels file')), p.labelsFile, classes, schema.output.classLabels);
    if (labels.length !== rows.rows) {
      throw new ModelImportError('IMPORT_LABELS_COUNT', `${p.labelsFile} has ${labels.length} labels for the ${rows.rows} rows of ${p.evalFile}.`, {
        details: [`expected: ${rows.rows} labels, one per evaluation row`, `got: ${labels.length}`],
      });
    }
    // Values outside the declared range are clamped, as a client's preprocessing does.
    let clampedValues = 0;
    const x = rows.values.map((v) => {
      const c = Math.min(inputRange.max, Math.max(inputRange.min, v));
      if (c !== v) clampedValues++;
      return c;
    });
    const comparison = await compareFloatAndFixed(onnx, artifact, { name, rows: rows.rows, features: width, classes, x, y: labels });
    evaluation = { ...comparison, clampedValues };
  }

  const outDir = p.outDir ?? join(dirname(p.onnxFile), `${name}.trellis-model`);
  writeModelPackage(outDir, {
    name,
    onnx,
    sourceFile: basename(p.onnxFile),
    artifact,
    preprocess: preprocess ?? { format: 'trellis-preprocess-1', features: width, standardize: null, range: inputRange },
    schema,
    calibrationCsv,
    calibrationRows: calibration.rows,
    licence: p.licence ?? 'NOASSERTION',
    toolVersion: p.toolVersion,
    ...(evaluation
      ? {
          evaluation: {
            rows: evaluation.rows,
            floatAccuracy: evaluation.floatAccuracy,
            fixedAccuracy: evaluation.fixedAccuracy,
            argmaxAgreement: evaluation.argmaxAgreement,
            maxAbsLogitError: evaluation.maxAbsLogitError,
          },
        }
      : {}),
  });
  const written = readModelPackage(outDir);
  return { package: written, calibrationRows: calibration.rows, inputRange, rangeFrom, evaluation, disputeStep: written.manifest.disputeStep };
}
