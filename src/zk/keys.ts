// Builds a model's zk keys from its fixed-point artifact and the committed ceremony: the
// circuit (circuit-gen.ts), its compilation (circom2), phase 2 of the Groth16 setup (a new
// zkey from the ceremony's ptau, then one deterministic beacon contribution), the
// verification key, and the verifier contract with its bytecode. `trellis model import --zk`
// and scripts/zk-setup.ts both build keys through here.
//
// Refusals come before the slow steps: an operator the generator cannot express and keys of
// other weights in the target folder before anything runs, a ptau that is not the recorded
// one before compiling, a model whose constraint lower bound already exceeds the ceremony
// before compiling, and the exact count after compiling before phase 2.
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { r1cs as r1csInfo, zKey } from 'snarkjs';
import type { Artifact } from '../engine/artifact.ts';
import { type ZkArtifacts, type ZkMeta, zkArtifactPaths } from './artifacts.ts';
import { type Ceremony, fitsCeremony, powerNeeded, readCeremony } from './ceremony.ts';
import { generateCircuit } from './circuit-gen.ts';
import { poseidonWeightCommitment } from './commitment.ts';
import { compileCircuit, compiledPaths } from './compile.ts';
import { constraintLowerBound } from './constraint-bound.ts';
import { ZkCircuitTooLargeError, ZkKeysExistError } from './errors.ts';
import { compileVerifier, verifierContractName } from './verifier-compile.ts';
import { type VerificationKey, verifierSolidity } from './verifier-sol.ts';

/** The public phase-2 beacon of the local ceremony (the one breast-cancer-mlp's key was made with). */
export const ZKEY_BEACON = '7472656c6c69732d6c6f63616c2d7a6b6579000000000000000000000000000001';
export const ZKEY_BEACON_NAME = 'trellis local phase 2 beacon';
export const BEACON_ITERATIONS = 10;
/** Every generated circuit has two public signals: weightHash and ioHash. */
const PUBLIC_SIGNALS = 2;

export type BuildZkKeysParameters = {
  model: string;
  artifact: Artifact;
  /** The folder of per-model key folders (default models/zk). */
  keysRoot?: string;
  /** The ceremony folder (default models/zk/ceremony). */
  ceremonyDir?: string;
  /** Where the compiled circuit and the intermediate zkey go (a compiled circuit there is reused). */
  buildDir: string;
  /** Also write verifier.sol and verifier.json (the default models' verifiers live in contracts/). */
  verifier?: boolean;
  log?: (line: string) => void;
};

export type BuiltZkKeys = {
  paths: ZkArtifacts;
  meta: ZkMeta;
  ceremony: Ceremony;
  /** The verifier contract's name, when one was written. */
  verifierContract?: string;
  seconds: { compile: number; setup: number };
};

type R1csInfo = { nConstraints: number; nPubInputs: number; nOutputs: number };

/** Everything that can refuse before compiling; returns the checked ceremony. */
export function checkBeforeCompiling(p: Pick<BuildZkKeysParameters, 'model' | 'artifact' | 'keysRoot' | 'ceremonyDir'>): Ceremony {
  // Throws ZkUnsupportedLayerError, naming the operator, for anything but dense and relu.
  generateCircuit(p.artifact);
  const paths = zkArtifactPaths(p.model, p.keysRoot);
  const commitment = poseidonWeightCommitment(p.artifact).toString();
  if (existsSync(paths.meta)) {
    const held = (JSON.parse(readFileSync(paths.meta, 'utf8')) as ZkMeta).poseidonWeightCommitment;
    if (held !== commitment) throw new ZkKeysExistError(p.model, paths.dir, held);
  }
  const ceremony = readCeremony(p.ceremonyDir);
  const bound = constraintLowerBound(p.artifact);
  if (!fitsCeremony(bound, PUBLIC_SIGNALS, ceremony.meta.power)) {
    throw new ZkCircuitTooLargeError(p.model, bound, false, ceremony.meta.power, powerNeeded(bound, PUBLIC_SIGNALS));
  }
  return ceremony;
}

export async function buildZkKeys(p: BuildZkKeysParameters): Promise<BuiltZkKeys> {
  const log = p.log ?? (() => {});
  const ceremony = checkBeforeCompiling(p);
  const generated = generateCircuit(p.artifact);
  const started = Date.now();
  const cached = compiledPaths(p.buildDir, 'circuit');
  const reuse = [cached.source, cached.r1cs, cached.wasm].every((f) => existsSync(f)) && readFileSync(cached.source, 'utf8') === generated.source;
  if (!reuse) log(`compiling the circuit of ${p.model} (circom2)`);
  const compiled = reuse ? cached : await compileCircuit(generated.source, p.buildDir, 'circuit');
  const compileSeconds = (Date.now() - started) / 1000;
  const info = (await r1csInfo.info(compiled.r1cs)) as R1csInfo;
  const signals = info.nPubInputs + info.nOutputs;
  if (!fitsCeremony(info.nConstraints, signals, ceremony.meta.power)) {
    throw new ZkCircuitTooLargeError(p.model, info.nConstraints, true, ceremony.meta.power, powerNeeded(info.nConstraints, signals));
  }
  log(`${info.nConstraints} constraints, ceremony 2^${ceremony.meta.power}: phase 2`);

  const setupStarted = Date.now();
  const paths = zkArtifactPaths(p.model, p.keysRoot);
  mkdirSync(paths.dir, { recursive: true });
  const initial = join(p.buildDir, 'circuit_0.zkey');
  await zKey.newZKey(compiled.r1cs, ceremony.ptau, initial);
  await zKey.beacon(initial, paths.zkey, ZKEY_BEACON_NAME, ZKEY_BEACON, BEACON_ITERATIONS);
  const vkey = (await zKey.exportVerificationKey(paths.zkey)) as VerificationKey;
  writeFileSync(paths.vkey, `${JSON.stringify(vkey, null, 2)}\n`);
  writeFileSync(paths.circuit, generated.source);
  copyFileSync(compiled.wasm, paths.wasm);
  let verifierContract: string | undefined;
  if (p.verifier) {
    verifierContract = verifierContractName(p.model);
    const source = verifierSolidity(vkey, verifierContract, p.model);
    log(`compiling ${verifierContract} (solc)`);
    const built = compileVerifier(source, verifierContract);
    writeFileSync(paths.verifierSol, source);
    writeFileSync(paths.verifierJson, `${JSON.stringify(built, null, 2)}\n`);
  }
  const meta: ZkMeta = {
    model: p.model,
    constraints: info.nConstraints,
    power: ceremony.meta.power,
    publicSignals: ['weightHash', 'ioHash'],
    poseidonWeightCommitment: poseidonWeightCommitment(p.artifact).toString(),
    ptauBeacon: ceremony.meta.beacon,
    zkeyBeacon: ZKEY_BEACON,
    ptauSha256: ceremony.meta.sha256,
    ...(verifierContract ? { verifierContract } : {}),
  };
  // Written last: holdsZkKey reads the meta file, so a half-built folder never looks complete.
  writeFileSync(paths.meta, `${JSON.stringify(meta, null, 2)}\n`);
  return { paths, meta, ceremony, verifierContract, seconds: { compile: compileSeconds, setup: (Date.now() - setupStarted) / 1000 } };
}

/** Whether the committed zkey of a model is phase 2 of the ceremony's ptau for this circuit. */
export async function zkeyMatchesCeremony(r1cs: string, zkey: string, ceremony: Ceremony = readCeremony()): Promise<boolean> {
  return zKey.verifyFromR1cs(r1cs, ceremony.ptau, zkey);
}
