// What a model takes and what it answers, in the terms its users know: the input shape,
// element type and value range the engine accepts, the feature names when known, and
// the output shape with one label per class when given. The shapes and the range
// follow from the artifact; the names are what its author declared.
import { ModelError } from './errors.ts';

export type InputSchema = {
  /** Per-sample shape, without the batch dimension, e.g. [64] or [1, 8, 8]. */
  shape: number[];
  dtype: 'float32';
  /** Every value must lie within it (after the client's preprocessing). */
  range: { min: number; max: number };
  /** One name per value, in the flattened input order. */
  featureNames?: string[];
};

export type OutputSchema = {
  shape: number[];
  dtype: 'float32';
  /** One name per output value: the class the index stands for. */
  classLabels?: string[];
};

export type ModelSchema = { input: InputSchema; output: OutputSchema };

/** What the shapes and range come from: an artifact, or a schema itself. */
type SchemaSource = { input: { shape: readonly number[]; range: { min: number; max: number } }; output: { shape: readonly number[] } };

export type SchemaNames = { featureNames?: readonly string[]; classLabels?: readonly string[] };

/** Elements of a shape: 64 for [1, 8, 8]. */
export const sizeOfShape = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

const invalid = (shortMessage: string, details: string[]) => new ModelError('MODEL_SCHEMA_INVALID', shortMessage, { details });

/** The schema of an artifact with the names its author gives; the names must match the sizes. */
export function schemaOf(artifact: SchemaSource, names: SchemaNames = {}): ModelSchema {
  const schema: ModelSchema = {
    input: { shape: [...artifact.input.shape], dtype: 'float32', range: { min: artifact.input.range.min, max: artifact.input.range.max } },
    output: { shape: [...artifact.output.shape], dtype: 'float32' },
  };
  if (names.featureNames) schema.input.featureNames = [...names.featureNames];
  if (names.classLabels) schema.output.classLabels = [...names.classLabels];
  checkNames(schema);
  return schema;
}

function checkNames(schema: ModelSchema): void {
  const lists = [
    ['feature names', schema.input.featureNames, sizeOfShape(schema.input.shape), 'input values'],
    ['class labels', schema.output.classLabels, sizeOfShape(schema.output.shape), 'output values'],
  ] as const;
  for (const [what, list, size, of] of lists) {
    if (list === undefined) continue;
    if (list.length !== size) throw invalid(`The model has ${size} ${of}, so it needs ${size} ${what}.`, [`expected: ${size} ${what}`, `got: ${list.length}`]);
    const blank = list.findIndex((n) => typeof n !== 'string' || n.trim() === '');
    if (blank >= 0) throw invalid(`The ${what} must be non-empty strings.`, [`position: ${blank + 1}`, `got: ${JSON.stringify(list[blank])}`]);
    const seen = new Set<string>();
    for (const n of list) {
      if (seen.has(n)) throw invalid(`The ${what} must be distinct.`, [`repeated: ${n}`]);
      seen.add(n);
    }
  }
}

const isShape = (v: unknown): v is number[] => Array.isArray(v) && v.length > 0 && v.every((d) => Number.isInteger(d) && d > 0);
const isNames = (v: unknown): v is string[] | undefined => v === undefined || (Array.isArray(v) && v.every((n) => typeof n === 'string'));

/** A schema read from JSON, checked field by field; `where` names the file in errors. */
export function parseModelSchema(value: unknown, where: string): ModelSchema {
  const v = value as { input?: Partial<InputSchema>; output?: Partial<OutputSchema> } | null;
  const field = (name: string, expected: string, got: unknown) => invalid(`${where}: ${name} is not ${expected}.`, [`got: ${JSON.stringify(got)}`]);
  if (typeof v !== 'object' || v === null) throw field('the schema', 'an object', v);
  const { input, output } = v;
  if (!input || !isShape(input.shape)) throw field('input.shape', 'a list of positive integers', input?.shape);
  if (input.dtype !== 'float32') throw field('input.dtype', '"float32"', input.dtype);
  const range = input.range;
  if (!range || !Number.isFinite(range.min) || !Number.isFinite(range.max) || !(range.min <= range.max))
    throw field('input.range', '{ min, max } with finite min <= max', range);
  if (!isNames(input.featureNames)) throw field('input.featureNames', 'a list of strings', input.featureNames);
  if (!output || !isShape(output.shape)) throw field('output.shape', 'a list of positive integers', output?.shape);
  if (output.dtype !== 'float32') throw field('output.dtype', '"float32"', output.dtype);
  if (!isNames(output.classLabels)) throw field('output.classLabels', 'a list of strings', output.classLabels);
  return schemaOf(
    { input: { shape: input.shape, range: { min: range.min, max: range.max } }, output: { shape: output.shape } },
    { featureNames: input.featureNames, classLabels: output.classLabels },
  );
}

/** The schema's shapes and range must be the artifact's: the names are all it may add. */
export function schemaDifference(schema: ModelSchema, artifact: SchemaSource): string | undefined {
  const own = schemaOf(artifact);
  if (JSON.stringify(schema.input.shape) !== JSON.stringify(own.input.shape))
    return `input shape: schema [${schema.input.shape.join(', ')}], artifact [${own.input.shape.join(', ')}]`;
  if (schema.input.range.min !== own.input.range.min || schema.input.range.max !== own.input.range.max)
    return `input range: schema ${schema.input.range.min}..${schema.input.range.max}, artifact ${own.input.range.min}..${own.input.range.max}`;
  if (JSON.stringify(schema.output.shape) !== JSON.stringify(own.output.shape))
    return `output shape: schema [${schema.output.shape.join(', ')}], artifact [${own.output.shape.join(', ')}]`;
  return undefined;
}

/** The name of output `index` (the predicted class), or the index itself when the schema names none. */
export function classLabelOf(schema: ModelSchema, index: number): string {
  return schema.output.classLabels?.[index] ?? String(index);
}

/** The input shape as people read it: "64 values (shape [64])" or "64 values (shape [1, 8, 8])". */
export function describeInputShape(schema: ModelSchema): string {
  return `${sizeOfShape(schema.input.shape)} values (shape [${schema.input.shape.join(', ')}])`;
}

/** Canonical JSON of a schema: two-space indentation, fixed key order, trailing newline. */
export function serializeModelSchema(schema: ModelSchema): string {
  const names = { featureNames: schema.input.featureNames, classLabels: schema.output.classLabels };
  return `${JSON.stringify(schemaOf(schema, names), null, 2)}\n`;
}
