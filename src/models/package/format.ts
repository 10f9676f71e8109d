// The model package: a plain directory of files with fixed names, so that it can be
// copied, archived or addressed by content as a whole. The manifest names every other
// file with its keccak256, the hashes that identify the model on chain, its schema,
// licence and provenance. Nothing in it depends on when or where it was written, so
// importing the same files twice gives the same bytes. See docs/models.md.
import type { Hex } from 'viem';
import type { CommitmentShape } from '../../engine/weights.ts';
import type { InputSchema, OutputSchema } from '../schema.ts';

export const PACKAGE_FORMAT = 'trellis-model/1';

/** The file names of a package; the manifest repeats them so that readers need not know this table. */
export const packageFileNames = {
  manifest: 'trellis-model.json',
  onnx: 'model.onnx',
  artifact: 'model.artifact.json',
  preprocess: 'preprocess.json',
  calibration: 'calibration.csv',
  card: 'MODEL_CARD.md',
} as const;

/** The files the manifest lists and hashes (all but itself). */
export type PackageFileRole = Exclude<keyof typeof packageFileNames, 'manifest'>;
export const packageFileRoles: readonly PackageFileRole[] = ['onnx', 'artifact', 'preprocess', 'calibration', 'card'];

/** Figures measured at import on the author's evaluation rows. */
export type PackageEvaluation = {
  rows: number;
  floatAccuracy: number;
  fixedAccuracy: number;
  argmaxAgreement: number;
  maxAbsLogitError: number;
};

/** The largest step a dispute over this model can reach (src/models/import/dispute-cost.ts). */
export type PackageDisputeStep = { layer: number; node: string; words: number; gasEstimate: number };

export type PackageManifest = {
  format: typeof PACKAGE_FORMAT;
  name: string;
  /** Role -> file name, always the names of packageFileNames. */
  files: Record<PackageFileRole, string>;
  /** keccak256 of model.onnx: the content hash the ModelRegistry records. */
  contentHash: Hex;
  weightCommitment: Hex;
  commitmentShape: CommitmentShape;
  input: InputSchema;
  output: OutputSchema;
  /** An SPDX licence identifier (or expression) for the model. */
  licence: string;
  provenance: {
    /** The ONNX file as given; model.onnx holds it unchanged, so its hash is the content hash. */
    source: { file: string; keccak256: Hex };
    /** The rows the artifact was calibrated on: calibration.csv as given. */
    calibration: { keccak256: Hex; rows: number };
    tool: { name: 'trellis'; version: string };
    /** Absent unless the author asks for it: a timestamp makes the package differ on every import. */
    createdAt?: string;
  };
  evaluation?: PackageEvaluation;
  disputeStep: PackageDisputeStep;
  /** File name -> keccak256 of its bytes, for every file but the manifest. */
  hashes: Record<string, Hex>;
};
