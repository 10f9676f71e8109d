// `trellis model import --zk` on a tiny MLP (4 -> 3 -> relu -> 2), through the command
// function and the committed ceremony: the keys it makes prove the engine's real output on a
// real input, locally and through the verifier contract it compiled, which `trellis model
// publish --zk` registers with the model it publishes on anvil, in one step. From the
// attacker's side: a proof for another output or another input does not verify, a ptau file
// that is not the recorded one is refused before anything is built, a model too large for the
// ceremony is refused with its numbers (exact after compiling, a lower bound before; by
// `publish --zk` too, before any transaction), an operator without a circuit template is
// refused by name, keys of other weights are never overwritten, and only the owner registers.
import assert from 'node:assert/strict';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { BaseError, ContractFunctionRevertedError } from 'viem';
import { runModelImport } from '../src/cli/commands/model-import.ts';
import { runModelPublish } from '../src/cli/commands/model-publish.ts';
import type { SignerContext } from '../src/cli/context.ts';
import { buildOnnx, createEngine, importOnnx, parseArtifact, quantizeInput, run } from '../src/engine/index.ts';
import { cnnOnnx, fixedInputs, fixedValues, float, int } from '../src/engine/testing/fixtures.ts';
import type { ModelPackage } from '../src/models/package/read.ts';
import { REPO_ROOT, type ZkMeta, zkArtifactPaths } from '../src/zk/artifacts.ts';
import { committedCeremonyDir, readCeremony, writeCeremonyMeta } from '../src/zk/ceremony.ts';
import { compiledPaths } from '../src/zk/compile.ts';
import { isVerifiedOnChain, verifyAndRecord } from '../src/zk/chain.ts';
import { ioHash } from '../src/zk/commitment.ts';
import { constraintLowerBound } from '../src/zk/constraint-bound.ts';
import {
  ZkArtifactsMissingError,
  ZkCeremonyTamperedError,
  ZkCircuitTooLargeError,
  ZkKeysExistError,
  ZkNotModelOwnerError,
  ZkUnsupportedLayerError,
} from '../src/zk/errors.ts';
import { buildZkKeys, checkBeforeCompiling } from '../src/zk/keys.ts';
import { proveInference, releaseProver, verifyInference } from '../src/zk/prove.ts';
import { registerModelVerifier } from '../src/zk/register.ts';
import { startTestChain, type TestChain } from './support/indexer.ts';

const MODEL = 'zk-import-tiny';
const root = mkdtempSync(join(tmpdir(), 'trellis-zk-import-'));
const keysRoot = join(root, 'keys');
// The import compiles into .zk-build/imported/<name> (a circuit compiled there is reused).
const buildDir = join(REPO_ROOT, '.zk-build', 'imported', MODEL);
const rows = fixedInputs(40, 4, 7);
const input = [0.9, 0.05, 0.5, 0.3];

/** MLP 4 -> 3 -> relu -> 2: the smallest circuit that still has every part (about 2k constraints). */
function tinyMlpOnnx(): Uint8Array {
  const gemm = (name: string, x: string, y: string) => ({
    opType: 'Gemm',
    name: `${name}/Gemm`,
    inputs: [x, `${name}.weight`, `${name}.bias`],
    outputs: [y],
    attributes: { alpha: float(1), beta: float(1), transB: int(1) },
  });
  return buildOnnx({
    opset: 13,
    inputs: [{ name: 'input', shape: ['N', 4] }],
    outputs: [{ name: 'output', shape: ['N', 2] }],
    initializers: [
      { name: 'fc1.weight', dims: [3, 4], data: fixedValues(12, 21, 0.9) },
      { name: 'fc1.bias', dims: [3], data: fixedValues(3, 22, 0.2) },
      { name: 'fc2.weight', dims: [2, 3], data: fixedValues(6, 23, 0.9) },
      { name: 'fc2.bias', dims: [2], data: fixedValues(2, 24, 0.1) },
    ],
    nodes: [gemm('fc1', 'input', 'h1'), { opType: 'Relu', name: 'relu1', inputs: ['h1'], outputs: ['r1'] }, gemm('fc2', 'r1', 'output')],
  });
}
/**
 * Puts the committed compile of the tiny circuit (test/fixtures/zk-import-tiny) where the
 * import looks for one. circom2 spends about 14 s of CPU on it, as much as the phase 2 this
 * file is about; the import reuses a compile only when its circuit.circom is the one the
 * generator emits now, so after a change to the generator it compiles again, as before.
 * That the generated circuit computes the engine's integers is src/zk/circuit.test.ts's.
 */
function placeCommittedCompile(): void {
  const fixture = join(REPO_ROOT, 'test', 'fixtures', 'zk-import-tiny');
  const cached = compiledPaths(buildDir, 'circuit');
  mkdirSync(dirname(cached.wasm), { recursive: true });
  writeFileSync(cached.r1cs, gunzipSync(readFileSync(join(fixture, 'circuit.r1cs.gz'))));
  writeFileSync(cached.wasm, gunzipSync(readFileSync(join(fixture, 'circuit.wasm.gz'))));
  copyFileSync(join(fixture, 'circuit.circom'), cached.source);
}

let chain: TestChain;
let pkg: ModelPackage;
let meta: ZkMeta;
let lines: string[];

before(async () => {
  const onnx = join(root, `${MODEL}.onnx`);
  writeFileSync(onnx, tinyMlpOnnx());
  writeFileSync(join(root, 'calibration.csv'), `${rows.map((r) => r.join(',')).join('\n')}\n`);
  lines = [];
  placeCommittedCompile();
  // The chain starts while the keys are made: the two overlap on a 2-core machine. Settled
  // both ways, so that a failed import still leaves the chain to after() to stop.
  const [started, imported] = await Promise.allSettled([
    startTestChain(),
    runModelImport(onnx, { calibration: join(root, 'calibration.csv'), inputRange: '0:1', out: join(root, 'package'), zk: true, zkKeys: keysRoot }, (line) =>
      lines.push(line),
    ),
  ]);
  if (started.status === 'fulfilled') chain = started.value;
  if (started.status === 'rejected') throw started.reason;
  if (imported.status === 'rejected') throw imported.reason;
  const result = imported.value;
  pkg = result.package;
  meta = JSON.parse(readFileSync(zkArtifactPaths(MODEL, keysRoot).meta, 'utf8')) as ZkMeta;
});
after(async () => {
  await releaseProver();
  await chain?.dispose();
  rmSync(root, { recursive: true, force: true });
});

/** What a CLI command gets as the model's owner: its signer, the deployment, its own data folder. */
const contextOf = (connection: SignerContext['connection']): SignerContext => ({
  connection,
  deployment: chain.deployment,
  gatewayUrl: undefined,
  dataDir: join(root, 'cli-data'),
});

function revertName(error: unknown): string | undefined {
  if (!(error instanceof BaseError)) return undefined;
  const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError);
  return reverted instanceof ContractFunctionRevertedError ? reverted.data?.errorName : undefined;
}

test('import --zk makes keys that prove the real output; the compiled verifier accepts it on chain once registered', async () => {
  const ceremony = readCeremony();
  assert.equal(meta.power, ceremony.meta.power);
  assert.equal(meta.ptauSha256, ceremony.meta.sha256);
  assert.ok(meta.constraints > 0 && meta.constraints < 2 ** meta.power);
  assert.match(
    lines.join('\n'),
    new RegExp(`zk keys for ${MODEL}: ${meta.constraints.toLocaleString('en-US')} constraints, within the ceremony of 2\\^${meta.power}`),
  );
  assert.match(lines.join('\n'), /trellis model publish \S+ --zk --zk-keys /);
  const paths = zkArtifactPaths(MODEL, keysRoot);
  for (const file of [paths.circuit, paths.wasm, paths.zkey, paths.vkey, paths.verifierSol, paths.verifierJson]) assert.ok(existsSync(file), file);

  const artifact = pkg.engine.artifact;
  const engine = createEngine(artifact);
  const proved = await proveInference(MODEL, artifact, input, keysRoot);
  assert.deepEqual(proved.output, Array.from(run(engine, input).output), "the proof is about the engine's output");
  assert.equal(await verifyInference(MODEL, proved.proof, proved.publicSignals, keysRoot), true);

  // Another output (one logit one higher) with the same proof: refused.
  const quantized = Array.from(quantizeInput(engine, input).data);
  const otherOutput = proved.output.map((v, i) => (i === 0 ? v + 1 : v));
  const lying = { proof: proved.proof, publicSignals: [proved.publicSignals[0]!, ioHash(quantized, otherOutput).toString()] };
  assert.equal(await verifyInference(MODEL, lying.proof, lying.publicSignals, keysRoot), false, 'a proof for another output');
  // A real proof of another input does not stand for this one.
  const other = await proveInference(MODEL, artifact, rows[3]!, keysRoot);
  assert.notEqual(other.publicSignals[1], proved.publicSignals[1]);
  assert.equal(await verifyInference(MODEL, other.proof, proved.publicSignals, keysRoot), false, "another input's proof");

  // `model publish --zk`: published and its verifier registered in one step, with the keys import made.
  const owner = await chain.signer(9);
  const stranger = await chain.signer(1);
  const published: string[] = [];
  const { modelId, zk } = await runModelPublish(pkg.dir, { royaltyBps: 100, zk: { keysRoot } }, contextOf(owner), (line) => published.push(line));
  assert.ok(zk, 'the verifier was registered');
  assert.equal(zk.modelId, modelId);
  assert.equal(zk.commitment.toString(), meta.poseidonWeightCommitment);
  assert.match(published.join('\n'), /using the zk keys in .*\npublished .*\nregistered the verifier 0x[0-9a-fA-F]{40} of /);
  const model = { name: MODEL, contentHash: pkg.contentHash, artifact };
  // A stranger cannot register (replace) a verifier for the owner's model; nothing is deployed.
  const nonceBefore = await stranger.publicClient.getTransactionCount({ address: stranger.account.address });
  await assert.rejects(registerModelVerifier(stranger, chain.deployment, { model, modelId, keysRoot }), ZkNotModelOwnerError);
  assert.equal(await stranger.publicClient.getTransactionCount({ address: stranger.account.address }), nonceBefore);

  const zkRegistry = chain.deployment.zk!.zkRegistry;
  await assert.rejects(verifyAndRecord(stranger, zkRegistry, modelId, lying), (e) => revertName(e) === 'ZkProofRejected');
  const receipt = await verifyAndRecord(stranger, zkRegistry, modelId, proved);
  assert.equal(receipt.status, 'success');
  assert.equal(await isVerifiedOnChain(stranger, zkRegistry, modelId, proved.publicSignals), true);
  assert.equal(await isVerifiedOnChain(stranger, zkRegistry, modelId, lying.publicSignals), false);
});

test('a circuit larger than the ceremony is refused with its constraint count and the power it needs', async () => {
  // After compiling: the tiny model against a ceremony recorded at 2^10. Its lower bound
  // (under 1,000) fits 2^10, so it is the exact count that refuses it. The fit is decided from
  // the recorded power before the ptau's contents are read, so the committed file recorded at
  // 2^10 stands in for a real 2^10 ceremony (preparing one would cost this test 15 s of CPU).
  const small = join(root, 'ceremony-10');
  mkdirSync(small);
  copyFileSync(readCeremony().ptau, join(small, 'pot10_final.ptau'));
  writeCeremonyMeta(small, 'pot10_final.ptau', 10, 'ab'.repeat(32), 10);
  assert.ok(constraintLowerBound(pkg.engine.artifact) + 2 < 2 ** 10 && meta.constraints + 2 >= 2 ** 10, 'the case this test is about');
  const otherKeys = join(root, 'keys-10');
  const needed = (meta.constraints + 2).toString(2).length;
  await assert.rejects(
    buildZkKeys({ model: MODEL, artifact: pkg.engine.artifact, keysRoot: otherKeys, ceremonyDir: small, buildDir }),
    (e: unknown) =>
      e instanceof ZkCircuitTooLargeError &&
      e.constraints === meta.constraints &&
      e.power === 10 &&
      e.neededPower === needed &&
      e.details.some((d) => d.includes(`scripts/zk-setup.ts --ceremony --power ${needed}`)),
  );
  assert.equal(existsSync(zkArtifactPaths(MODEL, otherKeys).dir), false, 'no keys written');

  // Before compiling: digits-mlp (2,368 weights) is refused at once from its lower bound.
  const digits = parseArtifact(readFileSync(join(REPO_ROOT, 'models', 'digits-mlp.artifact.json'), 'utf8'));
  const bound = constraintLowerBound(digits);
  assert.throws(
    () => checkBeforeCompiling({ model: 'digits-mlp', artifact: digits, keysRoot: otherKeys }),
    (e: unknown) =>
      e instanceof ZkCircuitTooLargeError && e.constraints === bound && e.power === 14 && e.neededPower >= 16 && e.details[0]!.includes('at least'),
  );
});

test('publish --zk refuses, before any transaction, what import --zk or zk register refuses: a circuit larger than the ceremony, an operator without a template, keys without a verifier', async () => {
  const owner = await chain.signer(9);
  const nonce = () => owner.publicClient.getTransactionCount({ address: owner.account.address });
  const before = await nonce();
  const otherKeys = join(root, 'keys-publish');
  await assert.rejects(
    runModelPublish('digits-mlp', { royaltyBps: 0, zk: { keysRoot: otherKeys } }, contextOf(owner), () => {}),
    (e: unknown) => e instanceof ZkCircuitTooLargeError && e.power === 14 && e.neededPower >= 16 && e.details[0]!.includes('at least'),
  );
  await assert.rejects(
    runModelPublish('digits-cnn', { royaltyBps: 0, zk: { keysRoot: otherKeys } }, contextOf(owner), () => {}),
    (e: unknown) => e instanceof ZkUnsupportedLayerError && e.op === 'conv',
  );
  // Keys for the weights without a compiled verifier (the default models' verifiers live in
  // contracts/): refused as `zk register` refuses them, before publishing.
  await assert.rejects(
    runModelPublish('breast-cancer-mlp', { royaltyBps: 0, zk: {} }, contextOf(owner), () => {}),
    (e: unknown) => e instanceof ZkArtifactsMissingError && e.details.some((d) => d.endsWith('verifier.json')),
  );
  assert.equal(await nonce(), before, 'no transaction sent');
  assert.equal(existsSync(zkArtifactPaths('digits-mlp', otherKeys).dir), false, 'no keys written');
});

test('the constraint lower bound stays below the compiled counts', () => {
  assert.ok(constraintLowerBound(pkg.engine.artifact) <= meta.constraints);
  const breast = parseArtifact(readFileSync(join(REPO_ROOT, 'models', 'breast-cancer-mlp.artifact.json'), 'utf8'));
  const committed = JSON.parse(readFileSync(zkArtifactPaths('breast-cancer-mlp').meta, 'utf8')) as ZkMeta;
  assert.ok(constraintLowerBound(breast) <= committed.constraints);
});

test('a ptau file that is not the recorded one is refused before anything is built', async () => {
  const tampered = join(root, 'ceremony-tampered');
  cpSync(committedCeremonyDir(), tampered, { recursive: true });
  const { meta: recorded } = readCeremony(tampered);
  const file = join(tampered, recorded.file);
  const bytes = readFileSync(file);
  bytes[Math.floor(bytes.length / 2)]! ^= 1;
  writeFileSync(file, bytes);
  assert.throws(() => readCeremony(tampered), ZkCeremonyTamperedError);
  const otherKeys = join(root, 'keys-tampered');
  await assert.rejects(
    buildZkKeys({ model: MODEL, artifact: pkg.engine.artifact, keysRoot: otherKeys, ceremonyDir: tampered, buildDir }),
    (e: unknown) => e instanceof ZkCeremonyTamperedError && e.details.some((d) => d.includes(recorded.sha256)),
  );
  assert.equal(existsSync(zkArtifactPaths(MODEL, otherKeys).dir), false);
  // A truncated file too.
  copyFileSync(join(committedCeremonyDir(), recorded.file), file);
  writeFileSync(file, readFileSync(file).subarray(0, 1000));
  assert.throws(() => readCeremony(tampered), ZkCeremonyTamperedError);
});

test('an operator the circuit generator cannot express is refused by name', () => {
  const cnn = importOnnx(cnnOnnx(), { calibration: fixedInputs(8, 36, 3).flat(), inputRange: { min: 0, max: 1 } });
  assert.throws(
    () => checkBeforeCompiling({ model: 'tiny-cnn', artifact: cnn, keysRoot }),
    (e: unknown) => e instanceof ZkUnsupportedLayerError && e.op === 'conv' && e.message.includes('conv'),
  );
});

test('keys of other weights under the same name are never overwritten', () => {
  const dir = zkArtifactPaths('taken', keysRoot).dir;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'meta.json'), JSON.stringify({ ...meta, model: 'taken', poseidonWeightCommitment: '12345' }));
  assert.throws(() => checkBeforeCompiling({ model: 'taken', artifact: pkg.engine.artifact, keysRoot }), ZkKeysExistError);
  assert.equal(readFileSync(join(dir, 'meta.json'), 'utf8').includes('12345'), true);
});
