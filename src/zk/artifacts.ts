// Where a model's committed zk artifacts live: models/zk/<model>/
//   circuit.circom  the generated circuit (generateCircuit output, byte for byte)
//   circuit.wasm    its witness calculator, compiled with circom2
//   circuit.zkey    the Groth16 proving key (local ceremony, scripts/zk-setup.ts)
//   vkey.json       the verification key
//   meta.json       sizes, the ceremony's power and beacons, the Poseidon weight commitment
//   verifier.sol    the Groth16 verifier contract (keys made by `trellis model import --zk`;
//   verifier.json   and its abi and bytecode; the default models' verifiers are in contracts/)
// Keys of an imported model are written to the same place by default, so a provider on this
// machine finds them by the model's name; holdsZkKey still checks they are for its weights.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Artifact } from '../engine/index.ts';
import { repoRoot } from '../repo-root.ts';
import { poseidonWeightCommitment } from './commitment.ts';
import { ZkArtifactsMissingError } from './errors.ts';
import type { VerificationKey } from './verifier-sol.ts';

export const REPO_ROOT = repoRoot();

export type ZkMeta = {
  model: string;
  constraints: number;
  power: number;
  publicSignals: string[];
  poseidonWeightCommitment: string;
  ptauBeacon: string;
  zkeyBeacon: string;
  /** sha256 of the prepared ptau phase 2 started from (models/zk/ceremony/ceremony.json). */
  ptauSha256?: string;
  /** The verifier contract's name in verifier.sol, when the keys come with one. */
  verifierContract?: string;
};

export type ZkArtifacts = {
  dir: string;
  circuit: string;
  wasm: string;
  zkey: string;
  vkey: string;
  meta: string;
  verifierSol: string;
  verifierJson: string;
};

/** Where keys live: one folder per model. */
export const defaultZkRoot = (): string => join(REPO_ROOT, 'models', 'zk');

export function zkArtifactPaths(model: string, root: string = defaultZkRoot()): ZkArtifacts {
  const dir = join(root, model);
  return {
    dir,
    circuit: join(dir, 'circuit.circom'),
    wasm: join(dir, 'circuit.wasm'),
    zkey: join(dir, 'circuit.zkey'),
    vkey: join(dir, 'vkey.json'),
    meta: join(dir, 'meta.json'),
    verifierSol: join(dir, 'verifier.sol'),
    verifierJson: join(dir, 'verifier.json'),
  };
}

/** The committed artifacts of a model; refuses a model that has none. */
export function requireZkArtifacts(model: string, root?: string): ZkArtifacts {
  const paths = zkArtifactPaths(model, root);
  for (const file of [paths.wasm, paths.zkey, paths.vkey, paths.meta]) {
    if (!existsSync(file)) throw new ZkArtifactsMissingError(model, file);
  }
  return paths;
}

export function readVerificationKey(model: string, root?: string): VerificationKey {
  return JSON.parse(readFileSync(requireZkArtifacts(model, root).vkey, 'utf8')) as VerificationKey;
}

export function readZkMeta(model: string, root?: string): ZkMeta {
  return JSON.parse(readFileSync(requireZkArtifacts(model, root).meta, 'utf8')) as ZkMeta;
}

/**
 * Whether this machine can prove `model`: its committed artifacts are all here, and
 * they were made for these very weights (the Poseidon commitment in meta.json is the
 * artifact's own). A key for other weights would only produce proofs that fail.
 */
export function holdsZkKey(model: string, artifact: Artifact, root?: string): boolean {
  const paths = zkArtifactPaths(model, root);
  if (![paths.wasm, paths.zkey, paths.vkey, paths.meta].every((file) => existsSync(file))) return false;
  return readZkMeta(model, root).poseidonWeightCommitment === poseidonWeightCommitment(artifact).toString();
}
