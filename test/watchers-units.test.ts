// The pure parts of the watch machinery: the faulty provider's seeded choice and its
// tampered trace, seeded sampling, traces rebuilt from quantized input, the reading of
// the gateway's disagreement file with its inputs, and option checks.
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { keccak256, toHex, type Hex } from 'viem';
import { run } from '../src/engine/engine.ts';
import { loadModel } from '../src/models/catalog.ts';
import { inputHashOf } from '../src/protocol/commitments.ts';
import { cheatsOn, checkFaultOptions, signedTraceFor, tamperedTrace } from '../src/provider/faults.ts';
import { appendDisagreementInput } from '../src/verify/disagreement-inputs.ts';
import { DisagreementFeed } from '../src/verify/disagreement-feed.ts';
import { quantizedEngine, traceOfQuantized } from '../src/verify/quantized-trace.ts';
import { sampled } from '../src/verify/sample.ts';

const dir = mkdtempSync(join(tmpdir(), 'trellis-watch-units-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const hashes = Array.from({ length: 2000 }, (_, i) => keccak256(toHex(`request-${i}`)));
const provider = '0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc';

test('the fault option picks a seeded share of requests, the same every time', () => {
  const fault = checkFaultOptions({ rate: 0.3, seed: 4 });
  const picked = hashes.filter((h) => cheatsOn(fault, h));
  assert.ok(picked.length > 450 && picked.length < 750, `about 30 % of 2000, got ${picked.length}`);
  assert.deepEqual(
    hashes.filter((h) => cheatsOn({ rate: 0.3, seed: 4 }, h)),
    picked,
  );
  assert.notDeepEqual(
    hashes.filter((h) => cheatsOn({ rate: 0.3, seed: 5 }, h)),
    picked,
  );
  assert.equal(hashes.filter((h) => cheatsOn({ rate: 0, seed: 4 }, h)).length, 0);
  assert.equal(hashes.filter((h) => cheatsOn({ rate: 1, seed: 4 }, h)).length, hashes.length);
  assert.throws(() => checkFaultOptions({ rate: 1.5, seed: 1 }), /fault.rate must be a number from 0 to 1/);
  assert.throws(() => checkFaultOptions({ rate: 0.5, seed: -1 }), /fault.seed/);
});

test('a tampered trace differs from the honest one in exactly one element of the last tensor', () => {
  const model = loadModel('digits-mlp');
  const input = Array.from({ length: model.engine.inputSize }, (_, i) => (i % 17) / 16);
  const honest = run(model.engine, input, { trace: true }).traces![0]!;
  const tampered = tamperedTrace(honest);
  const last = honest.tensors.length - 1;
  for (let t = 0; t < last; t++) assert.deepEqual(tampered.tensors[t], honest.tensors[t]);
  const diffs = [...honest.tensors[last]!].filter((v, i) => v !== tampered.tensors[last]![i]);
  assert.equal(diffs.length, 1);
  assert.notEqual(tampered.root, honest.root);
  assert.equal(signedTraceFor(undefined, hashes[0]!, honest), honest);
  assert.equal(signedTraceFor({ rate: 1, seed: 0 }, hashes[0]!, honest).root, tampered.root);
});

test('sampling is seeded and keeps about the asked share', () => {
  const picked = hashes.filter((h) => sampled(0.1, 9, h, provider));
  assert.ok(picked.length > 120 && picked.length < 280, `about 10 % of 2000, got ${picked.length}`);
  assert.deepEqual(
    hashes.filter((h) => sampled(0.1, 9, h, provider)),
    picked,
  );
  assert.equal(hashes.filter((h) => sampled(0, 9, h, provider)).length, 0);
  assert.equal(hashes.filter((h) => sampled(1, 9, h, provider)).length, hashes.length);
});

test('the trace rebuilt from the quantized input is the trace of the floats, at the range edges too', () => {
  for (const name of ['digits-mlp', 'breast-cancer-mlp', 'digits-cnn']) {
    const { engine } = loadModel(name);
    const { min, max } = engine.artifact.input.range;
    const input = Array.from({ length: engine.inputSize }, (_, i) => (i % 3 === 0 ? min : i % 3 === 1 ? max : min + ((max - min) * (i % 7)) / 7));
    const fromFloats = run(engine, input, { trace: true }).traces![0]!;
    const fromInts = traceOfQuantized(quantizedEngine(engine), inputHashOf(engine, input).quantized);
    assert.equal(fromInts.root, fromFloats.root, name);
  }
});

test('the disagreement feed pairs each line with its input, waits for a late input, and resumes from an offset', () => {
  const file = join(dir, 'disagreements.jsonl');
  const inputs = join(dir, 'disagreement-inputs.jsonl');
  const receipt = (n: number) => ({
    requestHash: hashes[n]!,
    client: provider,
    provider,
    modelId: hashes[100]!,
    inputHash: hashes[101]!,
    outputHash: hashes[102 + n]!,
    traceRoot: hashes[103]!,
    fee: '8000',
    channelTotal: '8000',
    issuedAt: '1893456000',
    verification: 2,
  });
  const line = (n: number, at: string) =>
    `${JSON.stringify({ at, requestHash: hashes[n], modelId: hashes[100], client: provider, results: [{ provider, outputHash: hashes[102 + n], receipt: receipt(n), signature: `0x${'11'.repeat(65)}`, output: [1], shape: [1] }] })}\n`;
  let now = Date.parse('2030-01-01T00:00:00Z');
  const feed = new DisagreementFeed(file, inputs, () => now);
  assert.deepEqual(feed.read(0), [], 'no file yet');
  writeFileSync(file, line(1, '2030-01-01T00:00:00Z'));
  assert.deepEqual(feed.read(0), [], 'waits while the input is not written yet');
  appendDisagreementInput(inputs, { requestHash: hashes[1]! as Hex, input: [0.5, 0.25] });
  appendFileSync(file, line(2, '2030-01-01T00:00:00Z'));
  appendFileSync(file, '{"torn": ');
  const lines = feed.read(0);
  assert.equal(lines.length, 1, 'the second line waits for its input; the torn tail is not read');
  assert.deepEqual(lines[0]!.results[0]!.input, [0.5, 0.25]);
  assert.equal(lines[0]!.results[0]!.disagreement, true);
  assert.equal(lines[0]!.results[0]!.receipt.fee, 8000n);
  now += 120_000;
  const later = feed.read(lines[0]!.end);
  assert.equal(later.length, 1);
  assert.match(later[0]!.problem ?? '', /no input recorded/, 'given up after the grace period, with a reason');
});
