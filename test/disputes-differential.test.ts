// Differential test of the Solidity fixed-point library against the TypeScript engine:
// thousands of random layers of every operator (shapes, kernels, strides, pads,
// dilations, groups, shifts, biases, alignments, saturation) are computed by the engine's
// operators and by LayerMathHarness (contracts/test/harness) through LayerMath.evaluate,
// on anvil, many layers per eth_call. Every output element must agree bit for bit; so
// must the Merkle root of a tensor (chunked leaves, TraceMerkle) at every size.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { getAddress, type Abi, type Hex } from 'viem';
import { startAnvil, type Anvil } from '../src/chain/anvil.ts';
import { connectSigner, type SignerConnection } from '../src/chain/connect.ts';
import { devAccount } from '../src/chain/dev-accounts.ts';
import type { AddLayer, ConvLayer, DenseLayer, Layer, PoolLayer, ReluLayer } from '../src/engine/artifact.ts';
import { add } from '../src/engine/ops/add.ts';
import { avgpool, reciprocalFor } from '../src/engine/ops/avgpool.ts';
import { conv } from '../src/engine/ops/conv.ts';
import { dense } from '../src/engine/ops/dense.ts';
import { maxpool } from '../src/engine/ops/maxpool.ts';
import { relu } from '../src/engine/ops/relu.ts';
import { Xoshiro128 } from '../src/train/prng.ts';
import { layerParamWords } from '../src/engine/weights.ts';
import { layerParamsStruct } from '../src/verify/layer-params.ts';
import { tensorRoot } from '../src/engine/trace.ts';
import { packTensor } from '../src/verify/moves.ts';

const CASES_PER_OP = 500;
const harnessPath = new URL('../contracts/out/LayerMathHarness.sol/LayerMathHarness.json', import.meta.url);

let anvil: Anvil;
let dir: string;
let signer: SignerConnection;
let harness: Hex;
let abi: Abi;

before(async () => {
  assert.ok(existsSync(harnessPath), 'contracts/out has no LayerMathHarness: run npm run build first');
  const built = JSON.parse(readFileSync(harnessPath, 'utf8')) as { abi: Abi; bytecode: { object: Hex } };
  abi = built.abi;
  dir = mkdtempSync(join(tmpdir(), 'trellis-differential-'));
  anvil = await startAnvil({ stateDir: dir, port: 0 });
  signer = await connectSigner({ rpcUrl: anvil.rpcUrl, privateKey: devAccount(0).privateKey, keySource: 'dev account 0' });
  const hash = await signer.walletClient.deployContract({ abi, bytecode: built.bytecode.object });
  harness = getAddress((await signer.publicClient.waitForTransactionReceipt({ hash })).contractAddress!);
});
after(async () => {
  await anvil?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

type Case = { layer: Layer; a: Float64Array; b: Float64Array; weights: number[]; bias: number[]; expected: Float64Array };

class Random {
  private readonly rng: Xoshiro128;
  constructor(seed: number) {
    this.rng = new Xoshiro128(seed);
  }
  int(lo: number, hi: number): number {
    return lo + this.rng.nextInt(hi - lo + 1);
  }
  /** Activations: mostly small, sometimes at the int16 edges. */
  act(): number {
    const r = this.int(0, 9);
    return r === 0 ? -32768 : r === 1 ? 32767 : r < 5 ? this.int(-300, 300) : this.int(-32768, 32767);
  }
  big(limit: number): number {
    // Two draws, so the value covers the whole range up to 2^47.
    return ((this.int(0, 2 ** 23) * 2 ** 24 + this.int(0, 2 ** 24 - 1)) % (limit + 1)) * (this.int(0, 1) ? 1 : -1);
  }
  tensor(n: number): Float64Array {
    return Float64Array.from({ length: n }, () => this.act());
  }
}

const base = { name: 'random', frac: 0 };
const outOf = (size: number, kernel: number, stride: number, before_: number, after_: number, dilation: number) =>
  Math.floor((size + before_ + after_ - dilation * (kernel - 1) - 1) / stride) + 1;

function denseCase(r: Random): Case {
  const K = r.int(1, 48);
  const M = r.int(1, 6);
  const weights = Array.from({ length: K * M }, () => r.int(-32767, 32767));
  const bias = Array.from({ length: M }, () => r.big(2 ** 47));
  const shift = r.int(0, 50);
  const layer: DenseLayer = { ...base, op: 'dense', input: 0, inFeatures: K, outFeatures: M, weightFrac: 0, shift, weights, bias, shape: [M] };
  const a = r.tensor(K);
  const expected = new Float64Array(M);
  dense({ inFeatures: K, outFeatures: M, shift, weights: Float64Array.from(weights), bias: Float64Array.from(bias) }, a, 1, expected);
  return { layer, a, b: new Float64Array(0), weights, bias, expected };
}

function convCase(r: Random): Case {
  for (;;) {
    const group = r.int(1, 2);
    const C = group * r.int(1, 2);
    const M = group * r.int(1, 2);
    const [H, W, kh, kw] = [r.int(1, 6), r.int(1, 6), r.int(1, 3), r.int(1, 3)];
    const [sh, sw, dh, dw] = [r.int(1, 2), r.int(1, 2), r.int(1, 2), r.int(1, 2)];
    const pads: [number, number, number, number] = [r.int(0, 2), r.int(0, 2), r.int(0, 2), r.int(0, 2)];
    const OH = outOf(H, kh, sh, pads[0], pads[2], dh);
    const OW = outOf(W, kw, sw, pads[1], pads[3], dw);
    if (OH < 1 || OW < 1) continue;
    const rowLength = (C / group) * kh * kw;
    const weights = Array.from({ length: M * rowLength }, () => r.int(-32767, 32767));
    const bias = Array.from({ length: M }, () => r.big(2 ** 47));
    const shift = r.int(0, 50);
    const layer: ConvLayer = {
      ...base,
      op: 'conv',
      input: 0,
      inShape: [C, H, W],
      kernel: [kh, kw],
      strides: [sh, sw],
      pads,
      dilations: [dh, dw],
      group,
      weightFrac: 0,
      shift,
      weights,
      bias,
      shape: [M, OH, OW],
    };
    const a = r.tensor(C * H * W);
    const expected = new Float64Array(M * OH * OW);
    conv({ ...layer, weights: Float64Array.from(weights), bias: Float64Array.from(bias) }, a, 1, expected);
    return { layer, a, b: new Float64Array(0), weights, bias, expected };
  }
}

function poolCase(r: Random, op: 'maxpool' | 'avgpool'): Case {
  for (;;) {
    const [C, H, W, kh, kw] = [r.int(1, 3), r.int(1, 6), r.int(1, 6), r.int(1, 3), r.int(1, 3)];
    const [sh, sw] = [r.int(1, 3), r.int(1, 3)];
    const pads: [number, number, number, number] = [r.int(0, kh - 1), r.int(0, kw - 1), r.int(0, kh - 1), r.int(0, kw - 1)];
    const OH = outOf(H, kh, sh, pads[0], pads[2], 1);
    const OW = outOf(W, kw, sw, pads[1], pads[3], 1);
    if (OH < 1 || OW < 1) continue;
    const layer: PoolLayer = {
      ...base,
      op,
      input: 0,
      inShape: [C, H, W],
      kernel: [kh, kw],
      strides: [sh, sw],
      pads,
      reciprocal: op === 'avgpool' ? reciprocalFor(kh * kw) : 0,
      shape: [C, OH, OW],
    };
    const a = r.tensor(C * H * W);
    const expected = new Float64Array(C * OH * OW);
    (op === 'maxpool' ? maxpool : avgpool)(layer, a, 1, expected);
    return { layer, a, b: new Float64Array(0), weights: [], bias: [], expected };
  }
}

function reluCase(r: Random): Case {
  const n = r.int(1, 40);
  const layer: ReluLayer = { ...base, op: 'relu', input: 0, shape: [n] };
  const a = r.tensor(n);
  const expected = new Float64Array(n);
  relu(a, n, expected);
  return { layer, a, b: new Float64Array(0), weights: [], bias: [], expected };
}

function addCase(r: Random): Case {
  const n = r.int(1, 40);
  const align = r.int(0, 36);
  const [alignA, alignB] = r.int(0, 1) ? [align, 0] : [0, align];
  const shift = r.int(0, 50);
  const layer: AddLayer = { ...base, op: 'add', inputs: [0, 0], alignA, alignB, shift, shape: [n] };
  const a = r.tensor(n);
  const b = r.tensor(n);
  const expected = new Float64Array(n);
  add(layer, a, b, n, expected);
  return { layer, a, b, weights: [], bias: [], expected };
}

const toCallCase = (c: Case) => ({
  params: layerParamsStruct(layerParamWords({ layers: [c.layer] }, 1)),
  a: Array.from(c.a, BigInt),
  b: Array.from(c.b, BigInt),
  weights: packTensor(c.weights),
  bias: c.bias.map(BigInt),
});

async function checkAll(name: string, make: (r: Random) => Case, seed: number): Promise<number> {
  const r = new Random(seed);
  const cases = Array.from({ length: CASES_PER_OP }, () => make(r));
  let calls = 0;
  // Batches bounded by the work they carry, so no eth_call nears the block gas limit.
  for (let start = 0; start < cases.length; ) {
    let work = 0;
    let end = start;
    while (end < cases.length && work < 20_000) {
      const c = cases[end++]!;
      work += c.expected.length * (8 + c.a.length / Math.max(1, c.expected.length) + c.weights.length / Math.max(1, c.bias.length));
    }
    const batch = cases.slice(start, end);
    const out = (await signer.publicClient.readContract({
      address: harness,
      abi,
      functionName: 'evaluateMany',
      args: [batch.map(toCallCase)],
    })) as readonly (readonly bigint[])[];
    calls++;
    batch.forEach((c, i) => {
      const got = out[i]!.map(Number);
      assert.deepEqual(got, Array.from(c.expected), `${name} case ${start + i}: ${JSON.stringify({ ...c.layer, weights: undefined, bias: undefined })}`);
    });
    start = end;
  }
  return calls;
}

test('dense elements agree bit for bit on random layers', async () => {
  assert.ok((await checkAll('dense', denseCase, 1)) >= 1);
});
test('conv elements agree bit for bit on random layers (pads, strides, dilations, groups)', async () => {
  await checkAll('conv', convCase, 2);
});
test('maxpool elements agree bit for bit on random layers', async () => {
  await checkAll('maxpool', (r) => poolCase(r, 'maxpool'), 3);
});
test('avgpool elements agree bit for bit on random layers', async () => {
  await checkAll('avgpool', (r) => poolCase(r, 'avgpool'), 4);
});
test('relu elements agree bit for bit', async () => {
  await checkAll('relu', reluCase, 5);
});
test('add elements agree bit for bit (alignments up to 36 bits)', async () => {
  await checkAll('add', addCase, 6);
});

test('requantization rounds half up and saturates like the engine, at every shift', async () => {
  const acc: bigint[] = [];
  const shifts: bigint[] = [];
  const expected: number[] = [];
  for (let s = 0n; s <= 50n; s++) {
    const half = s === 0n ? 0n : 1n << (s - 1n);
    for (const x of [
      0n,
      1n,
      -1n,
      half,
      -half,
      half - 1n,
      -half - 1n,
      3n * half,
      -3n * half,
      (1n << 52n) - 1n,
      -(1n << 52n),
      32767n << s,
      (-32768n << s) - half,
    ]) {
      acc.push(x);
      shifts.push(s);
      // Exact integers: BigInt's >> floors, as the specification's shr_round does.
      const v = Number((x + half) >> s);
      expected.push(Math.min(32767, Math.max(-32768, v)));
    }
  }
  const out = (await signer.publicClient.readContract({ address: harness, abi, functionName: 'requantizeMany', args: [acc, shifts] })) as readonly bigint[];
  assert.deepEqual(out.map(Number), expected);
});

test('tensor roots agree with the engine at every size from 1 to 100 and on large tensors', async () => {
  const r = new Random(7);
  const roots = async (tensors: readonly Int32Array[]) =>
    (await signer.publicClient.readContract({
      address: harness,
      abi,
      functionName: 'tensorRootsMany',
      args: [tensors.map((t) => Array.from(t, (v) => BigInt(v))), tensors.map((t) => packTensor(t))],
    })) as readonly [readonly Hex[], readonly Hex[]];
  // Random int16 values, the range's ends included; one call for the small sizes, one for the large.
  const tensorOf = (n: number) => Int32Array.from({ length: n }, (_, i) => (i === 0 ? -32768 : i === 1 ? 32767 : r.int(-32768, 32767)));
  for (const sizes of [Array.from({ length: 100 }, (_, i) => i + 1), [255, 256, 257, 1000, 4096, 12_544]]) {
    const tensors = sizes.map(tensorOf);
    const [fromValues, fromPacked] = await roots(tensors);
    tensors.forEach((t, i) => {
      const expected = tensorRoot(t);
      assert.equal(fromValues[i], expected, `size ${t.length}, from values`);
      assert.equal(fromPacked[i], expected, `size ${t.length}, from packed bytes`);
    });
  }
  // A value outside int16 would pack as another one: the contract says so instead of a root.
  const [outOfRange] = (await signer.publicClient.readContract({
    address: harness,
    abi,
    functionName: 'tensorRootsMany',
    args: [[[1n, 65_537n]], []],
  })) as readonly [readonly Hex[], readonly Hex[]];
  assert.deepEqual(outOfRange, [`0x${'0'.repeat(64)}`]);
});
