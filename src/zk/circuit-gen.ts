// Circuit generator: emits circom for a fixed-point artifact (docs/engine-spec.md) so that
// the circuit computes the same integers as the TypeScript engine.
//
// Private inputs: the quantized input `x` (int16, range-checked), and per dense layer i its
// packed weights `w<i>` and biases `b<i>` (see commitment.ts). Public outputs, in order:
// `weightHash` (the Poseidon weight commitment) and `ioHash` (Poseidon of the input's and
// the output's hashes). The weights are witnesses, so one circuit and one key serve only
// the weights that hash to the commitment a verifier expects.
//
// Field arithmetic is exact integer arithmetic here because every value stays far below
// the field order: int16 activations and weights, accumulators below 2^53 (spec section 4),
// and every signal that could otherwise wrap is pinned by a bit decomposition.
//
// Requantization, y = clamp(floor((acc + 2^(s-1)) / 2^s)): the witness supplies a shifted
// quotient qo = q + 2^B and a remainder r with acc + 2^(s-1) + 2^(B+s) = qo * 2^s + r,
// 0 <= r < 2^s (s bits) and 0 <= qo < 2^(B+1) (B+1 bits). B is chosen per layer from the
// committed weights so that |q| < 2^B for every int16 input; with both ranges fixed the
// pair (qo, r) is unique, which is floor division rounding towards minus infinity.
// Saturation compares qo with 2^B - 32768 and 2^B + 32767.
import type { Artifact, DenseLayer } from '../engine/artifact.ts';
import { PACK, weightElements } from './commitment.ts';
import { ZkUnsupportedLayerError } from './errors.ts';

export type GeneratedCircuit = {
  /** The circom source (includes resolve against node_modules). */
  source: string;
  inputSize: number;
  outputSize: number;
  /** Names of the private input arrays of each dense layer, in layer order. */
  denseInputs: { layer: number; weights: string; bias: string; packed: number; biases: number }[];
  /** Number of field elements the weight commitment absorbs. */
  weightElementCount: number;
};

const PRELUDE = `pragma circom 2.1.0;

include "circomlib/circuits/poseidon.circom";
include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/comparators.circom";

// Range check: in is an int16.
template Int16() {
    signal input in;
    component bits = Num2Bits(16);
    bits.in <== in + 32768;
}

// Unpacks n int16 values, 16 bits each with offset 2^15, from one field element; the bit
// decomposition is the range check that makes the packing binding.
template UnpackInt16(n) {
    signal input packed;
    signal output out[n];
    component bits = Num2Bits(16 * n);
    bits.in <== packed;
    for (var i = 0; i < n; i++) {
        var v = 0;
        for (var j = 0; j < 16; j++) {
            v += bits.out[16 * i + j] * (1 << j);
        }
        out[i] <== v - 32768;
    }
}

// clamp(floor((acc + 2^(s-1)) / 2^s)) for |floor(...)| < 2^B.
template Requant(s, B) {
    signal input acc;
    signal output out;
    signal qo;
    signal r;
    var half = s > 0 ? 1 << (s - 1) : 0;
    qo <-- (acc + half + (1 << (B + s))) \\ (1 << s);
    r <-- (acc + half + (1 << (B + s))) % (1 << s);
    acc + half + (1 << (B + s)) === qo * (1 << s) + r;
    if (s > 0) {
        component rBits = Num2Bits(s);
        rBits.in <== r;
    } else {
        r === 0;
    }
    component qBits = Num2Bits(B + 1);
    qBits.in <== qo;
    component low = LessThan(B + 1);
    low.in[0] <== qo;
    low.in[1] <== (1 << B) - 32768;
    component high = LessThan(B + 1);
    high.in[0] <== (1 << B) + 32767;
    high.in[1] <== qo;
    signal kept <== (1 - low.out - high.out) * (qo - (1 << B));
    out <== kept - 32768 * low.out + 32767 * high.out;
}

// max(0, in) for an int16 in: bit 15 of in + 2^15 is set exactly when in >= 0.
template Relu() {
    signal input in;
    signal output out;
    component bits = Num2Bits(16);
    bits.in <== in + 32768;
    out <== bits.out[15] * in;
}
`;

const bitLength = (x: bigint): number => x.toString(2).length;

/** The B of a dense layer: every quotient q of its requantization has |q| < 2^B. */
export function quotientBits(layer: DenseLayer): number {
  const K = layer.inFeatures;
  const half = layer.shift > 0 ? 1n << BigInt(layer.shift - 1) : 0n;
  let bound = 0n;
  for (let m = 0; m < layer.outFeatures; m++) {
    let s = BigInt(Math.abs(layer.bias[m]!));
    for (let k = 0; k < K; k++) s += 32768n * BigInt(Math.abs(layer.weights[m * K + k]!));
    if (s > bound) bound = s;
  }
  const q = ((bound + half) >> BigInt(layer.shift)) + 1n;
  return Math.max(17, bitLength(q) + 1);
}

const product = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

/** The packed form of int16 signals `name[from..to)` as one linear expression. */
function packExpr(name: string, from: number, to: number): string {
  const terms: string[] = [];
  for (let i = from; i < to; i++) terms.push(`(${name}[${i}] + 32768) * ${1n << BigInt(16 * (i - from))}`);
  return terms.join(' + ');
}

/** Emits a chain hash (commitment.ts) of the given expressions into `lines`; returns the result's signal. */
function chainHash(lines: string[], prefix: string, elements: string[]): string {
  let h = String(elements.length);
  for (let c = 0, start = 0; start < elements.length; c++, start += PACK) {
    const chunk = elements.slice(start, start + PACK);
    const name = `${prefix}${c}`;
    lines.push(`    component ${name} = Poseidon(${chunk.length + 1});`);
    lines.push(`    ${name}.inputs[0] <== ${h};`);
    chunk.forEach((e, i) => {
      lines.push(`    ${name}.inputs[${i + 1}] <== ${e};`);
    });
    h = `${name}.out`;
  }
  return h;
}

export function generateCircuit(artifact: Artifact): GeneratedCircuit {
  const inputSize = product(artifact.input.shape);
  const sizes = [inputSize];
  const body: string[] = [];
  const decls: string[] = [`    signal input t0[${inputSize}];`];
  const denseInputs: GeneratedCircuit['denseInputs'] = [];
  const weightExprs: string[] = [];

  body.push('    // The input is int16.');
  body.push(`    component inRange[${inputSize}];`);
  body.push(`    for (var i = 0; i < ${inputSize}; i++) {`);
  body.push('        inRange[i] = Int16();');
  body.push('        inRange[i].in <== t0[i];');
  body.push('    }');

  artifact.layers.forEach((layer, index) => {
    const t = index + 1;
    const size = product(layer.shape);
    sizes.push(size);
    if (layer.op === 'relu') {
      body.push(`    // Layer ${t}: relu of t${layer.input}.`);
      body.push(`    signal t${t}[${size}];`);
      body.push(`    component relu${t}[${size}];`);
      body.push(`    for (var i = 0; i < ${size}; i++) {`);
      body.push(`        relu${t}[i] = Relu();`);
      body.push(`        relu${t}[i].in <== t${layer.input}[i];`);
      body.push(`        t${t}[i] <== relu${t}[i].out;`);
      body.push('    }');
      return;
    }
    if (layer.op !== 'dense') throw new ZkUnsupportedLayerError(t, layer.op);
    const K = layer.inFeatures;
    const M = layer.outFeatures;
    const packed = Math.ceil((M * K) / PACK);
    const B = quotientBits(layer);
    denseInputs.push({ layer: t, weights: `w${t}`, bias: `b${t}`, packed, biases: M });
    decls.push(`    signal input w${t}[${packed}];`, `    signal input b${t}[${M}];`);
    for (let j = 0; j < packed; j++) weightExprs.push(`w${t}[${j}]`);
    for (let m = 0; m < M; m++) weightExprs.push(`b${t}[${m}]`);

    body.push(`    // Layer ${t}: dense ${K} -> ${M} of t${layer.input}, shift ${layer.shift}, |q| < 2^${B}.`);
    body.push(`    signal wv${t}[${M * K}];`);
    for (let j = 0; j < packed; j++) {
      const n = Math.min(PACK, M * K - j * PACK);
      body.push(`    component unpack${t}_${j} = UnpackInt16(${n});`);
      body.push(`    unpack${t}_${j}.packed <== w${t}[${j}];`);
      body.push(`    for (var i = 0; i < ${n}; i++) wv${t}[${j * PACK} + i] <== unpack${t}_${j}.out[i];`);
    }
    body.push(`    signal prod${t}[${M}][${K}];`);
    body.push(`    signal t${t}[${M}];`);
    body.push(`    component rq${t}[${M}];`);
    body.push(`    for (var m = 0; m < ${M}; m++) {`);
    body.push(`        var acc = b${t}[m];`);
    body.push(`        for (var k = 0; k < ${K}; k++) {`);
    body.push(`            prod${t}[m][k] <== t${layer.input}[k] * wv${t}[m * ${K} + k];`);
    body.push(`            acc += prod${t}[m][k];`);
    body.push('        }');
    body.push(`        rq${t}[m] = Requant(${layer.shift}, ${B});`);
    body.push(`        rq${t}[m].acc <== acc;`);
    body.push(`        t${t}[m] <== rq${t}[m].out;`);
    body.push('    }');
  });

  const last = artifact.layers.length;
  const outputSize = sizes[last]!;
  body.push('    // Public: the weight commitment and the I/O hash.');
  const wh = chainHash(body, 'wHash', weightExprs);
  body.push(`    weightHash <== ${wh};`);
  const pack = (name: string, n: number): string[] => {
    const out: string[] = [];
    for (let start = 0; start < n; start += PACK) out.push(packExpr(name, start, Math.min(n, start + PACK)));
    return out;
  };
  const ih = chainHash(body, 'inHash', pack('t0', inputSize));
  const oh = chainHash(body, 'outHash', pack(`t${last}`, outputSize));
  body.push('    component io = Poseidon(2);');
  body.push(`    io.inputs[0] <== ${ih};`);
  body.push(`    io.inputs[1] <== ${oh};`);
  body.push('    ioHash <== io.out;');

  const source = [
    '// Generated by src/zk/circuit-gen.ts from a fixed-point artifact; do not edit.',
    PRELUDE,
    'template Model() {',
    ...decls,
    '    signal output weightHash;',
    '    signal output ioHash;',
    ...body,
    '}',
    '',
    'component main = Model();',
    '',
  ].join('\n');
  return { source, inputSize, outputSize, denseInputs, weightElementCount: weightElements(artifact).length };
}
