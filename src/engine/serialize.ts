// Canonical JSON of an artifact: object keys sorted at every level, no whitespace,
// integers as plain numbers, hashes as 0x hex, one trailing newline. The same import
// therefore always writes the same bytes.
import type { Artifact, Layer } from './artifact.ts';
import { ArtifactInvalidError } from './errors.ts';
import { weightCommitment } from './weights.ts';

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value)
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) throw new ArtifactInvalidError('The artifact holds a non-finite number.', [`got: ${value}`]);
  return JSON.stringify(value);
}

export function serializeArtifact(artifact: Artifact): string {
  return `${canonical(artifact)}\n`;
}

const isInt = (v: unknown): v is number => Number.isInteger(v);
const isIntArray = (v: unknown, n?: number): v is number[] => Array.isArray(v) && v.every(isInt) && (n === undefined || v.length === n);
const product = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

function checkLayer(l: Layer, i: number, tensorCount: number): string | undefined {
  const where = `layers[${i}]`;
  if (l === null || typeof l !== 'object') return `${where} is not an object`;
  if (!isIntArray(l.shape) || !isInt(l.frac)) return `${where}: shape/frac missing`;
  const ref = (t: unknown) => isInt(t) && t >= 0 && t < tensorCount;
  switch (l.op) {
    case 'dense':
      if (!ref(l.input) || !isInt(l.shift) || !isIntArray(l.bias, l.outFeatures) || !isIntArray(l.weights, l.outFeatures * l.inFeatures))
        return `${where}: dense fields invalid`;
      return undefined;
    case 'conv':
      if (!ref(l.input) || !isInt(l.shift) || !isIntArray(l.inShape, 3) || !isIntArray(l.bias, l.shape[0]) || !isIntArray(l.weights))
        return `${where}: conv fields invalid`;
      if (l.weights.length !== l.bias.length * (l.inShape[0]! / l.group) * l.kernel[0] * l.kernel[1]) return `${where}: conv weight count`;
      return undefined;
    case 'relu':
      return ref(l.input) ? undefined : `${where}: relu input`;
    case 'maxpool':
    case 'avgpool':
      return ref(l.input) && isIntArray(l.inShape, 3) && isIntArray(l.kernel, 2) && isIntArray(l.strides, 2) && isIntArray(l.pads, 4) && isInt(l.reciprocal)
        ? undefined
        : `${where}: pool fields invalid`;
    case 'add':
      return isIntArray(l.inputs, 2) && l.inputs.every(ref) && isInt(l.alignA) && isInt(l.alignB) && isInt(l.shift)
        ? undefined
        : `${where}: add fields invalid`;
    default:
      return `${where}: unknown op ${JSON.stringify((l as { op?: unknown }).op)}`;
  }
}

/** Parses and checks an artifact; the weight commitment is recomputed and compared. */
export function parseArtifact(text: string): Artifact {
  let a: Artifact;
  try {
    a = JSON.parse(text) as Artifact;
  } catch (cause) {
    throw new ArtifactInvalidError('The artifact is not valid JSON.', [], cause);
  }
  if (a === null || typeof a !== 'object' || a.format !== 'trellis-fixed-1') {
    throw new ArtifactInvalidError('The artifact format is not recognised.', [
      'expected: format "trellis-fixed-1"',
      `got: ${JSON.stringify((a as { format?: unknown } | null)?.format)}`,
    ]);
  }
  if (!a.input || !isIntArray(a.input.shape) || !isInt(a.input.frac) || !a.output || !Array.isArray(a.layers)) {
    throw new ArtifactInvalidError('The artifact lacks its input, output or layers.', []);
  }
  for (let i = 0; i < a.layers.length; i++) {
    const problem = checkLayer(a.layers[i]!, i, i + 1);
    if (problem) throw new ArtifactInvalidError('An artifact layer is malformed.', [problem]);
  }
  const last = a.layers.length === 0 ? a.input.shape : a.layers[a.layers.length - 1]!.shape;
  if (product(last) !== product(a.output.shape)) {
    throw new ArtifactInvalidError('The output shape does not match the last layer.', [
      `expected: ${JSON.stringify(last)}`,
      `got: ${JSON.stringify(a.output.shape)}`,
    ]);
  }
  const commitment = weightCommitment(a);
  if (commitment !== a.weightCommitment) {
    throw new ArtifactInvalidError('The weight commitment does not match the weights.', [`expected: ${commitment}`, `got: ${a.weightCommitment}`]);
  }
  return a;
}
