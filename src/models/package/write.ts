// Writes a model package: every file first, the manifest with their hashes last, so a
// directory with a manifest is a complete package.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { keccak256, type Hex } from 'viem';
import { serializeArtifact, type Artifact } from '../../engine/index.ts';
import { serializePreprocess } from '../../train/model-files.ts';
import type { Preprocess } from '../../train/preprocess.ts';
import { commitmentShape } from '../../engine/weights.ts';
import { largestDisputeStep } from '../dispute-step.ts';
import { schemaOf, type ModelSchema } from '../schema.ts';
import { packageCard } from './card.ts';
import { PackageError } from './errors.ts';
import { PACKAGE_FORMAT, packageFileNames, packageFileRoles, type PackageEvaluation, type PackageFileRole, type PackageManifest } from './format.ts';

export type PackageContents = {
  name: string;
  /** The ONNX file as given, and its name (provenance only). */
  onnx: Uint8Array;
  sourceFile: string;
  artifact: Artifact;
  preprocess: Preprocess;
  schema: ModelSchema;
  /** The calibration CSV as given, and how many rows it holds. */
  calibrationCsv: Uint8Array;
  calibrationRows: number;
  licence: string;
  toolVersion: string;
  evaluation?: PackageEvaluation;
  createdAt?: string;
};

const text = (s: string) => new TextEncoder().encode(s);

/** Canonical JSON of a manifest: two-space indentation, the key order of the type, trailing newline. */
export function serializeManifest(m: PackageManifest): string {
  return `${JSON.stringify(m, null, 2)}\n`;
}

/** The package's files by name, manifest included; the same contents always give the same bytes. */
export function packageFiles(c: PackageContents): { manifest: PackageManifest; files: Map<string, Uint8Array> } {
  const files = new Map<PackageFileRole, Uint8Array>([
    ['onnx', c.onnx],
    ['artifact', text(serializeArtifact(c.artifact))],
    ['preprocess', text(serializePreprocess(c.preprocess))],
    ['calibration', c.calibrationCsv],
  ]);
  const schema = schemaOf(c.artifact, { featureNames: c.schema.input.featureNames, classLabels: c.schema.output.classLabels });
  const contentHash = keccak256(c.onnx);
  const withoutHashes: Omit<PackageManifest, 'hashes'> = {
    format: PACKAGE_FORMAT,
    name: c.name,
    files: Object.fromEntries(packageFileRoles.map((r) => [r, packageFileNames[r]])) as Record<PackageFileRole, string>,
    contentHash,
    weightCommitment: c.artifact.weightCommitment,
    commitmentShape: commitmentShape(c.artifact),
    input: schema.input,
    output: schema.output,
    licence: c.licence,
    provenance: {
      source: { file: c.sourceFile, keccak256: contentHash },
      calibration: { keccak256: keccak256(c.calibrationCsv), rows: c.calibrationRows },
      tool: { name: 'trellis', version: c.toolVersion },
      ...(c.createdAt ? { createdAt: c.createdAt } : {}),
    },
    ...(c.evaluation ? { evaluation: c.evaluation } : {}),
    disputeStep: largestDisputeStep(c.artifact),
  };
  files.set('card', text(packageCard(withoutHashes)));
  const hashes: Record<string, Hex> = {};
  for (const role of packageFileRoles) hashes[packageFileNames[role]] = keccak256(files.get(role)!);
  const manifest: PackageManifest = { ...withoutHashes, hashes };
  const named = new Map<string, Uint8Array>(packageFileRoles.map((r) => [packageFileNames[r], files.get(r)!]));
  named.set(packageFileNames.manifest, text(serializeManifest(manifest)));
  return { manifest, files: named };
}

/** Writes the package into `dir`, which must be absent or empty. */
export function writeModelPackage(dir: string, contents: PackageContents): PackageManifest {
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    throw new PackageError('PACKAGE_DIR_NOT_EMPTY', `${dir} is not empty; a package is written into a new folder.`, {
      details: ['choose another --out, or remove the folder first'],
    });
  }
  mkdirSync(dir, { recursive: true });
  const { manifest, files } = packageFiles(contents);
  for (const [name, bytes] of files) if (name !== packageFileNames.manifest) writeFileSync(join(dir, name), bytes);
  writeFileSync(join(dir, packageFileNames.manifest), files.get(packageFileNames.manifest)!);
  return manifest;
}
