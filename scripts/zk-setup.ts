// `npm run zk:setup`: builds the committed zk artifacts of the default model(s).
//
//   1. generate the circuit from the artifact and compile it with circom2 (WebAssembly);
//   2. powers of tau for 2^POWER constraints, phase 2 for the circuit;
//   3. export the verification key and the Solidity verifier;
//   4. prove one fixed input and write it as the forge fixture.
//
// THE CEREMONY IS LOCAL AND SINGLE-PARTY: no contribution but deterministic beacons (fixed
// strings below), so anyone can reproduce the keys byte for byte, and anyone who runs this
// script knows the toxic waste and could forge proofs. It is fit for tests and demos, not for
// production, where phase 1 comes from a public multi-party ceremony and phase 2 gets
// independent contributions. CI never runs this (preparing phase 2 takes many minutes).
//
// The prepared powers of tau are cached in .zk-build/ (not committed); --fresh redoes them.
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { powersOfTau, r1cs as r1csInfo, zKey } from 'snarkjs';
import { parseArtifact } from '../src/engine/index.ts';
import { REPO_ROOT, type ZkMeta, zkArtifactPaths } from '../src/zk/artifacts.ts';
import { generateCircuit } from '../src/zk/circuit-gen.ts';
import { poseidonWeightCommitment } from '../src/zk/commitment.ts';
import { compileCircuit, compiledPaths } from '../src/zk/compile.ts';
import { solidityProof } from '../src/zk/proof-format.ts';
import { proveInference, releaseProver } from '../src/zk/prove.ts';
import { type VerificationKey, verifierSolidity } from '../src/zk/verifier-sol.ts';

const MODEL = 'breast-cancer-mlp';
const CONTRACT = 'BreastCancerMlpVerifier';
const POWER = 14;
// Public, fixed beacons: reproducible keys (see the warning above).
const PTAU_BEACON = '0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f';
const ZKEY_BEACON = '7472656c6c69732d6c6f63616c2d7a6b6579000000000000000000000000000001';
const BEACON_ITERATIONS = 10;

const log = (line: string): void => console.error(`zk-setup: ${line}`);
const build = join(REPO_ROOT, '.zk-build');
mkdirSync(build, { recursive: true });

async function ptau(): Promise<string> {
  const final = join(build, `pot${POWER}_final.ptau`);
  if (existsSync(final) && !process.argv.includes('--fresh')) {
    log(`reusing ${final}`);
    return final;
  }
  const p0 = join(build, `pot${POWER}_0.ptau`);
  const p1 = join(build, `pot${POWER}_1.ptau`);
  const { curves } = await import('snarkjs');
  const curve = await curves.getCurveFromName('bn128');
  log(`powers of tau 2^${POWER}`);
  await powersOfTau.newAccumulator(curve, POWER, p0);
  await powersOfTau.beacon(p0, p1, 'beacon', PTAU_BEACON, BEACON_ITERATIONS);
  log('preparing phase 2 (slow)');
  await powersOfTau.preparePhase2(p1, final);
  return final;
}

async function main(): Promise<void> {
  const started = Date.now();
  const artifact = parseArtifact(readFileSync(join(REPO_ROOT, 'models', `${MODEL}.artifact.json`), 'utf8'));
  const generated = generateCircuit(artifact);
  log(`compiling the ${MODEL} circuit`);
  const cached = compiledPaths(join(build, MODEL), 'circuit');
  const fresh = [cached.source, cached.r1cs, cached.wasm].every((f) => existsSync(f)) && readFileSync(cached.source, 'utf8') === generated.source;
  const compiled = fresh ? cached : await compileCircuit(generated.source, join(build, MODEL), 'circuit');
  const info = (await r1csInfo.info(compiled.r1cs)) as { nConstraints: number };
  log(`${info.nConstraints} constraints (2^${POWER} = ${2 ** POWER})`);
  if (info.nConstraints > 2 ** POWER) throw new Error(`the circuit needs a ceremony above 2^${POWER}`);
  const finalPtau = await ptau();

  const out = zkArtifactPaths(MODEL);
  mkdirSync(out.dir, { recursive: true });
  const z0 = join(build, `${MODEL}_0.zkey`);
  log('phase 2');
  await zKey.newZKey(compiled.r1cs, finalPtau, z0);
  await zKey.beacon(z0, out.zkey, 'trellis local phase 2 beacon', ZKEY_BEACON, BEACON_ITERATIONS);
  const vkey = (await zKey.exportVerificationKey(out.zkey)) as VerificationKey;
  writeFileSync(out.vkey, `${JSON.stringify(vkey, null, 2)}\n`);
  writeFileSync(out.circuit, generated.source);
  copyFileSync(compiled.wasm, out.wasm);
  const meta: ZkMeta = {
    model: MODEL,
    constraints: info.nConstraints,
    power: POWER,
    publicSignals: ['weightHash', 'ioHash'],
    poseidonWeightCommitment: poseidonWeightCommitment(artifact).toString(),
    ptauBeacon: PTAU_BEACON,
    zkeyBeacon: ZKEY_BEACON,
  };
  writeFileSync(out.meta, `${JSON.stringify(meta, null, 2)}\n`);
  writeFileSync(join(REPO_ROOT, 'contracts', 'src', 'zk', `${CONTRACT}.sol`), verifierSolidity(vkey, CONTRACT, MODEL));

  log('proving the fixture');
  const input = artifact.input.shape.length === 1 ? Array.from({ length: artifact.input.shape[0]! }, (_, i) => (i % 7) - 2) : [];
  const proved = await proveInference(MODEL, artifact, input);
  const p = solidityProof(proved.proof);
  writeFileSync(join(out.dir, 'fixture.json'), `${JSON.stringify({ input, ...proved }, null, 2)}\n`);
  writeFileSync(join(REPO_ROOT, 'contracts', 'test', 'zk', 'BreastCancerMlpFixture.sol'), fixtureSolidity(p, proved.publicSignals));
  await releaseProver();
  log(`done in ${Math.round((Date.now() - started) / 1000)} s`);
}

function fixtureSolidity(p: ReturnType<typeof solidityProof>, signals: string[]): string {
  return `// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @notice A real proof of the breast-cancer-mlp circuit, written by scripts/zk-setup.ts; do not edit.
library BreastCancerMlpFixture {
    uint256 internal constant WEIGHT_HASH = ${signals[0]};
    uint256 internal constant IO_HASH = ${signals[1]};

    function proof() internal pure returns (uint256[2] memory a, uint256[2][2] memory b, uint256[2] memory c) {
        a = [uint256(${p.a[0]}), ${p.a[1]}];
        b = [[uint256(${p.b[0][0]}), ${p.b[0][1]}], [uint256(${p.b[1][0]}), ${p.b[1][1]}]];
        c = [uint256(${p.c[0]}), ${p.c[1]}];
    }
}
`;
}

await main();
