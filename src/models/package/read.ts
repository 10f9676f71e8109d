// Reads a model package and trusts nothing in it that it can check: every file against
// the manifest's hash, the content hash against the ONNX file, the artifact's hashes,
// commitment and shape against the manifest, and the artifact itself against a fresh
// import of the ONNX file on the packaged calibration rows. A package that passes is a
// model anyone can rebuild from its ONNX file and rows, and serve.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isHex, keccak256, type Hex } from 'viem';
import { createEngine, importOnnx, parseArtifact, serializeArtifact, type Artifact } from '../../engine/index.ts';
import type { Preprocess } from '../../train/preprocess.ts';
import { commitmentShape } from '../../engine/weights.ts';
import { TrellisError } from '../../errors.ts';
import { metadataUriOf, type CatalogModel } from '../catalog.ts';
import { parseRowsCsv } from '../csv-rows.ts';
import { parseModelSchema, schemaDifference, sizeOfShape, type ModelSchema } from '../schema.ts';
import { preprocessProblem } from '../preprocess-check.ts';
import { PackageError } from './errors.ts';
import { PACKAGE_FORMAT, packageFileNames, packageFileRoles, type PackageManifest } from './format.ts';

export type ModelPackage = CatalogModel & { dir: string; manifest: PackageManifest; artifact: Artifact };

const invalid = (dir: string, field: string, expected: string, got: unknown) =>
  new PackageError('PACKAGE_MANIFEST_INVALID', `${join(dir, packageFileNames.manifest)}: ${field} is not ${expected}.`, {
    details: [`got: ${JSON.stringify(got)?.slice(0, 200)}`],
  });

function readBytes(dir: string, name: string): Uint8Array {
  const path = join(dir, name);
  if (!existsSync(path))
    throw new PackageError('PACKAGE_FILE_MISSING', `${dir} has no ${name}.`, {
      details: [`a ${PACKAGE_FORMAT} package holds ${Object.values(packageFileNames).join(', ')}`],
    });
  return new Uint8Array(readFileSync(path));
}

const isHash = (v: unknown): v is Hex => typeof v === 'string' && isHex(v) && v.length === 66;

function parseManifest(dir: string, bytes: Uint8Array): { manifest: PackageManifest; schema: ModelSchema } {
  let m: PackageManifest;
  try {
    m = JSON.parse(new TextDecoder().decode(bytes)) as PackageManifest;
  } catch (cause) {
    throw new PackageError('PACKAGE_MANIFEST_INVALID', `${join(dir, packageFileNames.manifest)} is not valid JSON.`, { cause });
  }
  if (typeof m !== 'object' || m === null) throw invalid(dir, 'the manifest', 'an object', m);
  if (m.format !== PACKAGE_FORMAT) throw invalid(dir, 'format', `"${PACKAGE_FORMAT}"`, m.format);
  if (typeof m.name !== 'string' || m.name === '') throw invalid(dir, 'name', 'a non-empty string', m.name);
  for (const role of packageFileRoles) {
    if (m.files?.[role] !== packageFileNames[role]) throw invalid(dir, `files.${role}`, `"${packageFileNames[role]}"`, m.files?.[role]);
    if (!isHash(m.hashes?.[packageFileNames[role]]))
      throw invalid(dir, `hashes["${packageFileNames[role]}"]`, 'a keccak256 hash', m.hashes?.[packageFileNames[role]]);
  }
  if (!isHash(m.contentHash)) throw invalid(dir, 'contentHash', 'a keccak256 hash', m.contentHash);
  if (!isHash(m.weightCommitment)) throw invalid(dir, 'weightCommitment', 'a keccak256 hash', m.weightCommitment);
  if (typeof m.licence !== 'string' || m.licence.trim() === '') throw invalid(dir, 'licence', 'an SPDX licence identifier', m.licence);
  const rows = m.provenance?.calibration?.rows;
  if (!Number.isInteger(rows) || rows < 1) throw invalid(dir, 'provenance.calibration.rows', 'a positive integer', rows);
  if (!isHash(m.provenance.calibration.keccak256))
    throw invalid(dir, 'provenance.calibration.keccak256', 'a keccak256 hash', m.provenance.calibration.keccak256);
  try {
    return { manifest: m, schema: parseModelSchema({ input: m.input, output: m.output }, join(dir, packageFileNames.manifest)) };
  } catch (cause) {
    if (!(cause instanceof TrellisError)) throw cause;
    throw new PackageError('PACKAGE_MANIFEST_INVALID', cause.shortMessage, { details: [...cause.details] });
  }
}

function parseJson(dir: string, name: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new PackageError('PACKAGE_CONTENT_MISMATCH', `${join(dir, name)} is not valid JSON.`, { cause });
  }
}

const mismatch = (dir: string, what: string, expected: string, got: string) =>
  new PackageError('PACKAGE_CONTENT_MISMATCH', `${dir}: ${what} is not what the manifest says.`, { details: [`manifest: ${expected}`, `files: ${got}`] });

/** Reads and verifies the package in `dir`; throws a PackageError naming the first problem. */
export function readModelPackage(dir: string): ModelPackage {
  const { manifest, schema } = parseManifest(dir, readBytes(dir, packageFileNames.manifest));
  const files = new Map(packageFileRoles.map((role) => [role, readBytes(dir, packageFileNames[role])]));
  for (const role of packageFileRoles) {
    const name = packageFileNames[role];
    const got = keccak256(files.get(role)!);
    if (got !== manifest.hashes[name]) {
      throw new PackageError('PACKAGE_HASH_MISMATCH', `${join(dir, name)} was changed after the package was written.`, {
        details: [`manifest: keccak256 ${manifest.hashes[name]}`, `file: keccak256 ${got}`],
      });
    }
  }
  const onnx = files.get('onnx')!;
  const decode = (role: 'artifact' | 'preprocess' | 'calibration') => new TextDecoder().decode(files.get(role));
  const artifactJson = decode('artifact');
  const artifact = parseArtifact(artifactJson);
  const contentHash = keccak256(onnx);
  if (contentHash !== manifest.contentHash) throw mismatch(dir, 'the content hash', manifest.contentHash, contentHash);
  if (artifact.onnxHash !== contentHash) throw mismatch(dir, `the ONNX hash in ${packageFileNames.artifact}`, contentHash, artifact.onnxHash);
  if (artifact.weightCommitment !== manifest.weightCommitment)
    throw mismatch(dir, 'the weight commitment', manifest.weightCommitment, artifact.weightCommitment);
  const shape = commitmentShape(artifact);
  if (JSON.stringify(shape) !== JSON.stringify(manifest.commitmentShape))
    throw mismatch(dir, 'the commitment shape', JSON.stringify(manifest.commitmentShape), JSON.stringify(shape));
  const difference = schemaDifference(schema, artifact);
  if (difference)
    throw new PackageError('PACKAGE_CONTENT_MISMATCH', `${dir}: the input or output schema of the manifest is not the artifact's.`, { details: [difference] });
  const preprocess = parseJson(dir, packageFileNames.preprocess, decode('preprocess')) as Preprocess;
  const size = sizeOfShape(artifact.input.shape);
  const problem = preprocessProblem(preprocess, size);
  if (problem) throw mismatch(dir, packageFileNames.preprocess, `a trellis-preprocess-1 file over ${size} features`, problem);
  if (preprocess.range.min !== artifact.input.range.min || preprocess.range.max !== artifact.input.range.max)
    throw mismatch(
      dir,
      `the range of ${packageFileNames.preprocess}`,
      `${artifact.input.range.min}..${artifact.input.range.max}`,
      `${preprocess.range.min}..${preprocess.range.max}`,
    );
  checkReproduces(dir, manifest, onnx, decode('calibration'), artifact, artifactJson);
  return {
    name: manifest.name,
    contentHash,
    weightCommitment: artifact.weightCommitment,
    shape,
    metadataURI: metadataUriOf(manifest.name),
    engine: createEngine(artifact),
    preprocess,
    schema,
    onnx,
    dir,
    manifest,
    artifact,
  };
}

/** Imports the ONNX file again on the packaged rows; the artifact must come out byte for byte. */
function checkReproduces(dir: string, manifest: PackageManifest, onnx: Uint8Array, calibrationCsv: string, artifact: Artifact, artifactJson: string): void {
  const rows = parseRowsCsv(calibrationCsv, join(dir, packageFileNames.calibration), sizeOfShape(artifact.input.shape), artifact.input.shape);
  if (rows.rows !== manifest.provenance.calibration.rows)
    throw mismatch(dir, 'the number of calibration rows', String(manifest.provenance.calibration.rows), String(rows.rows));
  let again: Artifact;
  try {
    again = importOnnx(onnx, { calibration: rows.values, inputRange: artifact.input.range });
  } catch (cause) {
    throw new PackageError('PACKAGE_NOT_REPRODUCIBLE', `${dir}: the ONNX file does not import on the packaged calibration rows.`, { cause });
  }
  const rebuilt = serializeArtifact(again);
  if (rebuilt === artifactJson) return;
  const field =
    again.weightCommitment !== artifact.weightCommitment
      ? `weight commitment: rebuilt ${again.weightCommitment}, packaged ${artifact.weightCommitment}`
      : firstDifference(rebuilt, artifactJson);
  throw new PackageError(
    'PACKAGE_NOT_REPRODUCIBLE',
    `${dir}: ${packageFileNames.artifact} does not follow from ${packageFileNames.onnx} and ${packageFileNames.calibration}.`,
    {
      details: [field, 'the artifact was not made from these files; import the ONNX file again'],
    },
  );
}

function firstDifference(a: string, b: string): string {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return `first difference at character ${i}: rebuilt ${JSON.stringify(a.slice(i, i + 40))}, packaged ${JSON.stringify(b.slice(i, i + 40))}`;
}
