// `npm run zk:setup`: the committed zk artifacts, made reproducibly.
//
//   npx tsx scripts/zk-setup.ts --ceremony [--power 14] [--out DIR] [--fresh]
//       phase 1: powers of tau for 2^power with one public beacon, prepared for phase 2,
//       written with its meta file (power, beacon, sha256) to DIR (default
//       models/zk/ceremony/, committed). An existing ceremony of that power is kept unless
//       --fresh.
//   npx tsx scripts/zk-setup.ts --model NAME [--model NAME ...]
//       phase 2 of a default model from the committed ceremony (src/zk/keys.ts, the code
//       `trellis model import --zk` runs): circuit, witness calculator, zkey, vkey and meta in
//       models/zk/NAME/, the verifier contract in contracts/src/zk/, and for breast-cancer-mlp
//       the forge fixture (one proof of a fixed input).
//   npx tsx scripts/zk-setup.ts --fixture
//       writes the forge fixture again from models/zk/breast-cancer-mlp/fixture.json, with
//       no proving (the proof, its input and output, and the Poseidon parameters to hash them).
//   npx tsx scripts/zk-setup.ts --check [--model NAME ...]
//       compiles each model's circuit and checks that its committed zkey is phase 2 of the
//       committed ptau for that circuit (snarkjs zKey.verifyFromR1cs); a few minutes per model.
//   With no option: --ceremony, then --check for every model with committed keys.
//
// THE CEREMONY IS LOCAL AND SINGLE-PARTY: no contribution but deterministic beacons, so
// anyone can reproduce the keys byte for byte, and anyone who runs this script knows the
// toxic waste and could forge proofs. It is fit for tests and demos, not for production,
// where phase 1 comes from a public multi-party ceremony and phase 2 gets independent
// contributions. CI never runs this (preparing phase 2 takes many minutes).
//
// Compiled circuits and intermediate files are cached in .zk-build/ (not committed).
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeAbiParameters } from 'viem';
import { parseArtifact } from '../src/engine/index.ts';
import { REPO_ROOT, zkArtifactPaths } from '../src/zk/artifacts.ts';
import { committedCeremonyDir, makeCeremony, readCeremony } from '../src/zk/ceremony.ts';
import { generateCircuit } from '../src/zk/circuit-gen.ts';
import { compileCircuit, compiledPaths } from '../src/zk/compile.ts';
import { buildZkKeys, zkeyMatchesCeremony } from '../src/zk/keys.ts';
import { poseidonParamsFor } from '../src/zk/poseidon-params.ts';
import { type ZkProofResult, solidityProof } from '../src/zk/proof-format.ts';
import { proveInference, releaseProver } from '../src/zk/prove.ts';
import { verifierContractName } from '../src/zk/verifier-compile.ts';
import { type VerificationKey, verifierSolidity } from '../src/zk/verifier-sol.ts';

// Public, fixed phase-1 beacon: reproducible ceremony (see the warning above).
const PTAU_BEACON = '0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f';
const BEACON_ITERATIONS = 10;
const DEFAULT_POWER = 14;

const log = (line: string): void => console.error(`zk-setup: ${line}`);
const build = join(REPO_ROOT, '.zk-build');
mkdirSync(build, { recursive: true });

const args = process.argv.slice(2);
const flag = (name: string): boolean => args.includes(name);
const values = (name: string): string[] => args.flatMap((a, i) => (a === name && args[i + 1] !== undefined ? [args[i + 1]!] : []));
const power = Number(values('--power')[0] ?? DEFAULT_POWER);
if (!Number.isInteger(power) || power < 4 || power > 28) throw new Error(`--power must be an integer in 4..28, got ${values('--power')[0]}`);

const readArtifact = (model: string) => parseArtifact(readFileSync(join(REPO_ROOT, 'models', `${model}.artifact.json`), 'utf8'));

async function ceremony(): Promise<void> {
  const dir = values('--out')[0] ?? committedCeremonyDir();
  if (!flag('--fresh') && existsSync(join(dir, 'ceremony.json'))) {
    const existing = readCeremony(dir);
    if (existing.meta.power === power) {
      log(`keeping the ceremony in ${dir} (2^${power}, sha256 ${existing.meta.sha256}); --fresh makes it again`);
      return;
    }
  }
  const started = Date.now();
  const made = await makeCeremony({ power, beacon: PTAU_BEACON, beaconIterations: BEACON_ITERATIONS, dir, workDir: build, log });
  log(`wrote ${made.ptau}: ${made.meta.bytes} bytes, sha256 ${made.meta.sha256}, in ${Math.round((Date.now() - started) / 1000)} s`);
}

async function keys(model: string): Promise<void> {
  const started = Date.now();
  const artifact = readArtifact(model);
  const built = await buildZkKeys({ model, artifact, buildDir: join(build, model), log });
  const vkey = JSON.parse(readFileSync(built.paths.vkey, 'utf8')) as VerificationKey;
  const contract = verifierContractName(model);
  writeFileSync(join(REPO_ROOT, 'contracts', 'src', 'zk', `${contract}.sol`), verifierSolidity(vkey, contract, model));
  log(`wrote models/zk/${model}/ and contracts/src/zk/${contract}.sol (${built.meta.constraints} constraints)`);
  if (model === 'breast-cancer-mlp') await breastCancerFixture(model);
  log(`${model} done in ${Math.round((Date.now() - started) / 1000)} s`);
}

async function check(model: string): Promise<boolean> {
  const paths = zkArtifactPaths(model);
  const generated = generateCircuit(readArtifact(model));
  if (readFileSync(paths.circuit, 'utf8') !== generated.source) {
    log(`${model}: the committed circuit.circom is not what the generator emits`);
    return false;
  }
  const dir = join(build, model);
  const cached = compiledPaths(dir, 'circuit');
  const fresh = existsSync(cached.r1cs) && existsSync(cached.source) && readFileSync(cached.source, 'utf8') === generated.source;
  log(`${model}: ${fresh ? 'reusing the compiled circuit' : 'compiling the circuit (minutes)'}`);
  const compiled = fresh ? cached : await compileCircuit(generated.source, dir, 'circuit');
  const ok = await zkeyMatchesCeremony(compiled.r1cs, paths.zkey, readCeremony());
  log(`${model}: the committed zkey ${ok ? 'IS' : 'is NOT'} phase 2 of the committed ceremony for this circuit`);
  return ok;
}

/** One proof of a fixed input, as the forge tests' fixture. */
async function breastCancerFixture(model: string): Promise<void> {
  const artifact = readArtifact(model);
  const input = Array.from({ length: artifact.input.shape[0]! }, (_, i) => (i % 7) - 2);
  const proved = await proveInference(model, artifact, input);
  writeFileSync(join(zkArtifactPaths(model).dir, 'fixture.json'), `${JSON.stringify({ input, ...proved }, null, 2)}\n`);
  await releaseProver();
  writeFixtureSolidity(model);
}

type Fixture = ZkProofResult & { quantizedInput: number[]; output: number[] };

function writeFixtureSolidity(model: string): void {
  const fixture = JSON.parse(readFileSync(join(zkArtifactPaths(model).dir, 'fixture.json'), 'utf8')) as Fixture;
  writeFileSync(join(REPO_ROOT, 'contracts', 'test', 'zk', 'BreastCancerMlpFixture.sol'), fixtureSolidity(fixture));
}

function fixtureSolidity({ proof, publicSignals: signals, quantizedInput, output }: Fixture): string {
  const p = solidityProof(proof);
  const ints = (values: number[]) => encodeAbiParameters([{ type: 'int256[]' }], [values.map(BigInt)]);
  const params = encodeAbiParameters([{ type: 'uint256[][]' }], [poseidonParamsFor(quantizedInput.length, output.length)]);
  return `// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @notice A real proof of the breast-cancer-mlp circuit, its quantized input and output, and the
///         Poseidon parameters that hash them, written by scripts/zk-setup.ts; do not edit.
library BreastCancerMlpFixture {
    uint256 internal constant WEIGHT_HASH = ${signals[0]};
    uint256 internal constant IO_HASH = ${signals[1]};

    function proof() internal pure returns (uint256[2] memory a, uint256[2][2] memory b, uint256[2] memory c) {
        a = [uint256(${p.a[0]}), ${p.a[1]}];
        b = [[uint256(${p.b[0][0]}), ${p.b[0][1]}], [uint256(${p.b[1][0]}), ${p.b[1][1]}]];
        c = [uint256(${p.c[0]}), ${p.c[1]}];
    }

    function input() internal pure returns (int256[] memory) {
        return abi.decode(hex"${ints(quantizedInput).slice(2)}", (int256[]));
    }

    function output() internal pure returns (int256[] memory) {
        return abi.decode(hex"${ints(output).slice(2)}", (int256[]));
    }

    /// @dev Widths 3 (the output's chain hash, the I/O hash) and 4 (the input's).
    function poseidonParams() internal pure returns (uint256[][] memory) {
        return abi.decode(hex"${params.slice(2)}", (uint256[][]));
    }
}
`;
}

/** The default models with committed keys (a folder with a meta.json under models/zk/). */
function modelsWithKeys(): string[] {
  return readdirSync(join(REPO_ROOT, 'models', 'zk')).filter((d) => existsSync(join(REPO_ROOT, 'models', 'zk', d, 'meta.json')));
}

async function main(): Promise<void> {
  const models = values('--model');
  if (flag('--fixture')) return writeFixtureSolidity('breast-cancer-mlp');
  const all = !flag('--ceremony') && !flag('--check') && models.length === 0;
  if (flag('--ceremony') || all) await ceremony();
  if (!flag('--check') && !all) {
    for (const model of models) await keys(model);
    return;
  }
  let ok = true;
  for (const model of models.length > 0 ? models : modelsWithKeys()) ok = (await check(model)) && ok;
  if (!ok) process.exitCode = 1;
}

await main();
// snarkjs leaves its curve's worker threads running.
process.exit(process.exitCode ?? 0);
