// ONNX import: decode, check the opset, walk the nodes folding exporter patterns into
// engine layers (Gemm, MatMul + Add -> dense; Flatten, Reshape, Identity, Dropout ->
// no layer), calibrate on the caller's float samples, quantize, and commit.
// See docs/engine-spec.md for every rule applied here.
import { keccak_256 } from '@noble/hashes/sha3';
import type { Artifact, Layer } from '../artifact.ts';
import { BoundError, CalibrationError, OnnxInvalidError, OnnxOpsetError, OnnxUnsupportedOpError, OnnxUnsupportedOpsError } from '../errors.ts';
import { BIAS_MAX, MAX_FAN_IN, SHIFT_MAX, WEIGHT_MAX, ACT_MAX, fracFor, roundHalfAwayFromZero } from '../fixed.ts';
import { toHex } from '../merkle/hex.ts';
import { reciprocalFor } from '../ops/avgpool.ts';
import { weightCommitment } from '../weights.ts';
import { calibrate } from './calibrate.ts';
import { decodeModel, tensorValues, type OnnxAttribute, type OnnxModel, type OnnxNode, type OnnxValueInfo } from './decode.ts';

export type ImportOnnxOptions = {
  /** Calibration samples (floats): one array per sample, or a flat array of whole samples. */
  calibration: readonly ArrayLike<number>[] | Float32Array | Float64Array | readonly number[];
  /** The range every input value must stay within, at import and at run time. */
  inputRange: { min: number; max: number };
};

export const OPSET_MIN = 11;
export const OPSET_MAX = 17;
/** Scales are kept within [2^-24, 2^40] fractional bits. */
const FRAC_MIN = -24;
const FRAC_MAX = 40;
/** Calibrated activations aim at |q| <= 2^14: one bit of headroom over the samples seen. */
const CALIBRATION_LIMIT = 2 ** 14;
/** Largest alignment shift of an Add: 2^15 * 2^36 * 2 stays below 2^53. */
const ALIGN_MAX = 36;

type Act = { kind: 'act'; tensor: number; shape: number[] };
type Const = { kind: 'const'; dims: number[]; values: Float64Array };
type Value = Act | Const;

const product = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

function defaultOpset(model: OnnxModel): number {
  const entry = (model.opsetImport ?? []).find((o) => !o.domain || o.domain === 'ai.onnx');
  const version = entry?.version;
  if (version === undefined) throw new OnnxOpsetError('none (no default-domain opset import)');
  if (!Number.isInteger(version) || version < OPSET_MIN || version > OPSET_MAX) throw new OnnxOpsetError(version);
  return version;
}

function attr(node: OnnxNode, name: string): OnnxAttribute | undefined {
  return (node.attribute ?? []).find((a) => a.name === name);
}
function attrInt(node: OnnxNode, name: string, fallback: number): number {
  return attr(node, name)?.i ?? fallback;
}
function attrInts(node: OnnxNode, name: string, fallback: number[]): number[] {
  const a = attr(node, name);
  return a?.ints && a.ints.length > 0 ? a.ints.map(Number) : fallback;
}
function attrFloat(node: OnnxNode, name: string, fallback: number): number {
  return attr(node, name)?.f ?? fallback;
}
function attrString(node: OnnxNode, name: string): string | undefined {
  const s = attr(node, name)?.s;
  return s ? new TextDecoder().decode(s) : undefined;
}

class GraphWalker {
  readonly values = new Map<string, Value>();
  readonly layers: Layer[] = [];
  /** Tensor numbers of dense layers made from a MatMul that may still take an Add's bias. */
  readonly biasOpen = new Set<number>();
  readonly uses = new Map<string, number>();

  act(node: OnnxNode, name: string, i: number): Act {
    const v = this.values.get(name);
    if (!v) throw new OnnxInvalidError('A node reads a tensor that nothing produced.', [`node: ${nodeName(node, i)}`, `tensor: ${name}`]);
    if (v.kind !== 'act')
      throw new OnnxUnsupportedOpError(node.opType ?? '', nodeName(node, i), `input "${name}" is a constant where a computed tensor is expected`);
    return v;
  }

  konst(node: OnnxNode, name: string, i: number): Const {
    const v = this.values.get(name);
    if (!v) throw new OnnxInvalidError('A node reads a tensor that nothing produced.', [`node: ${nodeName(node, i)}`, `tensor: ${name}`]);
    if (v.kind !== 'const')
      throw new OnnxUnsupportedOpError(node.opType ?? '', nodeName(node, i), `input "${name}" must be a constant (initializer or Constant node)`);
    return v;
  }

  push(layer: Layer): Act {
    this.layers.push(layer);
    return { kind: 'act', tensor: this.layers.length, shape: layer.shape };
  }
}

function nodeName(node: OnnxNode, i: number): string {
  return node.name && node.name.length > 0 ? node.name : `${node.opType ?? 'node'}#${i}`;
}

function out(node: OnnxNode, k = 0): string {
  return node.output?.[k] ?? '';
}

function pair(v: number[], what: string, node: OnnxNode, i: number): [number, number] {
  if (v.length !== 2 || !v.every((x) => Number.isInteger(x) && x >= 1))
    throw new OnnxUnsupportedOpError(node.opType ?? '', nodeName(node, i), `${what} must be two positive integers (2-D only), got ${JSON.stringify(v)}`);
  return [v[0]!, v[1]!];
}

function pads4(node: OnnxNode, i: number): [number, number, number, number] {
  const autoPad = attrString(node, 'auto_pad');
  if (autoPad !== undefined && autoPad !== 'NOTSET' && autoPad !== 'VALID')
    throw new OnnxUnsupportedOpError(node.opType ?? '', nodeName(node, i), `auto_pad ${autoPad} (use explicit pads)`);
  const p = attrInts(node, 'pads', [0, 0, 0, 0]);
  if (p.length !== 4 || !p.every((x) => Number.isInteger(x) && x >= 0))
    throw new OnnxUnsupportedOpError(node.opType ?? '', nodeName(node, i), `pads must be four non-negative integers, got ${JSON.stringify(p)}`);
  // ONNX orders pads [h_begin, w_begin, h_end, w_end], i.e. [top, left, bottom, right].
  return [p[0]!, p[1]!, p[2]!, p[3]!];
}

function rank3(node: OnnxNode, i: number, a: Act): [number, number, number] {
  if (a.shape.length !== 3)
    throw new OnnxUnsupportedOpError(node.opType ?? '', nodeName(node, i), `input must be [N, C, H, W], got per-sample shape ${JSON.stringify(a.shape)}`);
  return a.shape as [number, number, number];
}

function walkNode(g: GraphWalker, node: OnnxNode, i: number): void {
  const op = node.opType ?? '';
  const name = nodeName(node, i);
  const ins = node.input ?? [];
  if (node.domain && node.domain !== 'ai.onnx') throw new OnnxUnsupportedOpError(op, name, `domain ${node.domain}`);
  switch (op) {
    case 'Identity':
    case 'Dropout': {
      const v = g.values.get(ins[0] ?? '');
      if (!v) throw new OnnxInvalidError('A node reads a tensor that nothing produced.', [`node: ${name}`, `tensor: ${ins[0]}`]);
      g.values.set(out(node), v);
      return;
    }
    case 'Constant': {
      const a = attr(node, 'value');
      if (a?.t) {
        g.values.set(out(node), { kind: 'const', dims: a.t.dims ?? [], values: tensorValues(a.t, name) });
      } else if (attr(node, 'value_ints')) {
        const v = attrInts(node, 'value_ints', []);
        g.values.set(out(node), { kind: 'const', dims: [v.length], values: Float64Array.from(v) });
      } else if (attr(node, 'value_float') || attr(node, 'value_int')) {
        const v = attr(node, 'value_float')?.f ?? attr(node, 'value_int')?.i ?? 0;
        g.values.set(out(node), { kind: 'const', dims: [], values: Float64Array.of(v) });
      } else {
        throw new OnnxUnsupportedOpError(op, name, 'only value, value_ints, value_int and value_float constants are supported');
      }
      return;
    }
    case 'Flatten': {
      const a = g.act(node, ins[0] ?? '', i);
      const axis = attrInt(node, 'axis', 1);
      if (axis !== 1) throw new OnnxUnsupportedOpError(op, name, `axis must be 1 (keep the batch dimension), got ${axis}`);
      g.values.set(out(node), { kind: 'act', tensor: a.tensor, shape: [product(a.shape)] });
      return;
    }
    case 'Reshape': {
      const a = g.act(node, ins[0] ?? '', i);
      const target = Array.from(g.konst(node, ins[1] ?? '', i).values);
      const size = product(a.shape);
      const rest = target.slice(1).map((d, k) => (d === 0 ? (a.shape[k] ?? 0) : d));
      const unknown = rest.filter((d) => d === -1).length;
      const known = product(rest.filter((d) => d !== -1));
      if (target.length < 1 || (target[0] !== -1 && target[0] !== 0 && target[0] !== 1) || unknown > (target[0] === -1 ? 0 : 1) || known <= 0) {
        throw new OnnxUnsupportedOpError(op, name, `shape ${JSON.stringify(target)} must keep the batch dimension first ([-1, K], [0, ...] or [1, ...])`);
      }
      const shape = rest.map((d) => (d === -1 ? size / known : d));
      if (product(shape) !== size || !shape.every((d) => Number.isInteger(d) && d > 0)) {
        throw new OnnxInvalidError('A Reshape does not preserve the element count.', [
          `node: ${name}`,
          `expected: ${size} elements per sample`,
          `got: shape ${JSON.stringify(target)}`,
        ]);
      }
      g.values.set(out(node), { kind: 'act', tensor: a.tensor, shape });
      return;
    }
    case 'Gemm':
    case 'MatMul': {
      const a = g.act(node, ins[0] ?? '', i);
      const b = g.konst(node, ins[1] ?? '', i);
      if (a.shape.length !== 1)
        throw new OnnxUnsupportedOpError(op, name, `input must be [N, K] (flatten first), got per-sample shape ${JSON.stringify(a.shape)}`);
      if (b.dims.length !== 2) throw new OnnxUnsupportedOpError(op, name, `weight must be 2-D, got dims ${JSON.stringify(b.dims)}`);
      if (op === 'Gemm' && attrInt(node, 'transA', 0) !== 0) throw new OnnxUnsupportedOpError(op, name, 'transA = 1');
      const transB = op === 'Gemm' ? attrInt(node, 'transB', 0) : 0;
      const alpha = op === 'Gemm' ? attrFloat(node, 'alpha', 1) : 1;
      const beta = op === 'Gemm' ? attrFloat(node, 'beta', 1) : 1;
      const [d0, d1] = b.dims as [number, number];
      const K = transB ? d1 : d0;
      const M = transB ? d0 : d1;
      if (K !== a.shape[0])
        throw new OnnxInvalidError('A weight does not match its input.', [`node: ${name}`, `expected: ${a.shape[0]} input features`, `got: ${K}`]);
      // Stored row-major [M][K]: one row per output neuron.
      const weights = new Array<number>(M * K);
      for (let m = 0; m < M; m++) for (let k = 0; k < K; k++) weights[m * K + k] = alpha * b.values[transB ? m * K + k : k * M + m]!;
      const bias = new Array<number>(M).fill(0);
      if (op === 'Gemm' && ins[2]) {
        const c = g.konst(node, ins[2], i);
        if (c.values.length !== M && c.values.length !== 1)
          throw new OnnxInvalidError('A Gemm bias does not match its outputs.', [`node: ${name}`, `expected: ${M} values`, `got: ${c.values.length}`]);
        for (let m = 0; m < M; m++) bias[m] = beta * c.values[c.values.length === 1 ? 0 : m]!;
      }
      const v = g.push({ op: 'dense', name, input: a.tensor, inFeatures: K, outFeatures: M, weightFrac: 0, shift: 0, weights, bias, shape: [M], frac: 0 });
      if (op === 'MatMul') g.biasOpen.add(v.tensor);
      g.values.set(out(node), v);
      return;
    }
    case 'Add': {
      const x = g.values.get(ins[0] ?? '');
      const y = g.values.get(ins[1] ?? '');
      if (!x || !y) throw new OnnxInvalidError('A node reads a tensor that nothing produced.', [`node: ${name}`, `tensor: ${!x ? ins[0] : ins[1]}`]);
      if (x.kind === 'act' && y.kind === 'act') {
        if (product(x.shape) !== product(y.shape))
          throw new OnnxUnsupportedOpError(
            op,
            name,
            `operands must have the same shape (no broadcasting), got ${JSON.stringify(x.shape)} and ${JSON.stringify(y.shape)}`,
          );
        g.values.set(out(node), g.push({ op: 'add', name, inputs: [x.tensor, y.tensor], alignA: 0, alignB: 0, shift: 0, shape: x.shape, frac: 0 }));
        return;
      }
      const [a, c, aName] = x.kind === 'act' ? [x, y as Const, ins[0]!] : [y as Act, x as Const, ins[1]!];
      const layer = g.layers[a.tensor - 1];
      if (a.kind !== 'act' || !g.biasOpen.has(a.tensor) || layer?.op !== 'dense' || g.uses.get(aName) !== 1) {
        throw new OnnxUnsupportedOpError(op, name, 'an Add with a constant is only supported as the bias right after a MatMul');
      }
      if (c.values.length !== layer.outFeatures && c.values.length !== 1)
        throw new OnnxInvalidError('A bias does not match its MatMul.', [`node: ${name}`, `expected: ${layer.outFeatures} values`, `got: ${c.values.length}`]);
      for (let m = 0; m < layer.outFeatures; m++) layer.bias[m] = c.values[c.values.length === 1 ? 0 : m]!;
      layer.name = name;
      g.biasOpen.delete(a.tensor);
      g.values.set(out(node), a);
      return;
    }
    case 'Relu': {
      const a = g.act(node, ins[0] ?? '', i);
      g.values.set(out(node), g.push({ op: 'relu', name, input: a.tensor, shape: a.shape, frac: 0 }));
      return;
    }
    case 'Conv': {
      const a = g.act(node, ins[0] ?? '', i);
      const [C, H, W] = rank3(node, i, a);
      const w = g.konst(node, ins[1] ?? '', i);
      if (w.dims.length !== 4) throw new OnnxUnsupportedOpError(op, name, `weight must be [M, C/group, kh, kw], got dims ${JSON.stringify(w.dims)}`);
      const [M, cg, kh0, kw0] = w.dims as [number, number, number, number];
      const group = attrInt(node, 'group', 1);
      if (!Number.isInteger(group) || group < 1 || C % group !== 0 || M % group !== 0 || cg !== C / group) {
        throw new OnnxInvalidError('A Conv weight does not match its input channels and group.', [
          `node: ${name}`,
          `expected: C/group = ${C}/${group}`,
          `got: weight dims ${JSON.stringify(w.dims)}`,
        ]);
      }
      const kernel = pair(attrInts(node, 'kernel_shape', [kh0, kw0]), 'kernel_shape', node, i);
      if (kernel[0] !== kh0 || kernel[1] !== kw0)
        throw new OnnxInvalidError('A Conv kernel_shape does not match its weight.', [`node: ${name}`, `expected: ${kh0}x${kw0}`, `got: ${kernel.join('x')}`]);
      const strides = pair(attrInts(node, 'strides', [1, 1]), 'strides', node, i);
      const dilations = pair(attrInts(node, 'dilations', [1, 1]), 'dilations', node, i);
      const pads = pads4(node, i);
      const OH = Math.floor((H + pads[0] + pads[2] - dilations[0] * (kh0 - 1) - 1) / strides[0]) + 1;
      const OW = Math.floor((W + pads[1] + pads[3] - dilations[1] * (kw0 - 1) - 1) / strides[1]) + 1;
      if (OH < 1 || OW < 1) throw new OnnxInvalidError('A Conv output would be empty.', [`node: ${name}`, `input: ${C}x${H}x${W}`, `kernel: ${kh0}x${kw0}`]);
      const bias = new Array<number>(M).fill(0);
      if (ins[2]) {
        const b = g.konst(node, ins[2], i);
        if (b.values.length !== M)
          throw new OnnxInvalidError('A Conv bias does not match its output channels.', [`node: ${name}`, `expected: ${M} values`, `got: ${b.values.length}`]);
        b.values.forEach((v, m) => {
          bias[m] = v;
        });
      }
      g.values.set(
        out(node),
        g.push({
          op: 'conv',
          name,
          input: a.tensor,
          inShape: [C, H, W],
          kernel,
          strides,
          pads,
          dilations,
          group,
          weightFrac: 0,
          shift: 0,
          weights: Array.from(w.values),
          bias,
          shape: [M, OH, OW],
          frac: 0,
        }),
      );
      return;
    }
    case 'MaxPool':
    case 'AveragePool': {
      const a = g.act(node, ins[0] ?? '', i);
      const [C, H, W] = rank3(node, i, a);
      if (node.output && node.output.length > 1 && node.output[1]) throw new OnnxUnsupportedOpError(op, name, 'the Indices output');
      const kernel = pair(attrInts(node, 'kernel_shape', []), 'kernel_shape', node, i);
      const strides = pair(attrInts(node, 'strides', [1, 1]), 'strides', node, i);
      const dilations = attrInts(node, 'dilations', [1, 1]);
      if (dilations.some((d) => d !== 1)) throw new OnnxUnsupportedOpError(op, name, `dilations ${JSON.stringify(dilations)}`);
      if (attrInt(node, 'ceil_mode', 0) !== 0) throw new OnnxUnsupportedOpError(op, name, 'ceil_mode = 1');
      if (attrInt(node, 'storage_order', 0) !== 0) throw new OnnxUnsupportedOpError(op, name, 'storage_order = 1');
      const pads = pads4(node, i);
      if (pads[0] >= kernel[0] || pads[2] >= kernel[0] || pads[1] >= kernel[1] || pads[3] >= kernel[1])
        throw new OnnxUnsupportedOpError(op, name, 'pads must be smaller than the kernel');
      if (op === 'AveragePool' && attrInt(node, 'count_include_pad', 0) === 0 && pads.some((p) => p > 0)) {
        throw new OnnxUnsupportedOpError(op, name, 'count_include_pad = 0 with padding (the divisor must be the whole window)');
      }
      const OH = Math.floor((H + pads[0] + pads[2] - kernel[0]) / strides[0]) + 1;
      const OW = Math.floor((W + pads[1] + pads[3] - kernel[1]) / strides[1]) + 1;
      if (OH < 1 || OW < 1)
        throw new OnnxInvalidError('A pooling output would be empty.', [`node: ${name}`, `input: ${C}x${H}x${W}`, `kernel: ${kernel.join('x')}`]);
      const count = kernel[0] * kernel[1];
      g.values.set(
        out(node),
        g.push({
          op: op === 'MaxPool' ? 'maxpool' : 'avgpool',
          name,
          input: a.tensor,
          inShape: [C, H, W],
          kernel,
          strides,
          pads,
          reciprocal: op === 'MaxPool' ? 0 : reciprocalFor(count),
          shape: [C, OH, OW],
          frac: 0,
        }),
      );
      return;
    }
    default:
      throw new OnnxUnsupportedOpError(op, name);
  }
}

/** The operators walkNode turns into layers or folds away (its switch cases). */
const supportedOps = new Set(['Identity', 'Dropout', 'Constant', 'Flatten', 'Reshape', 'Gemm', 'MatMul', 'Add', 'Relu', 'Conv', 'MaxPool', 'AveragePool']);

/**
 * Walks every node, collecting each unsupported one instead of stopping at the first.
 * A node that reads the output of a refused node cannot be checked beyond its operator
 * (its input shape is unknown), so it is reported only when its operator is unsupported.
 */
function walkNodes(g: GraphWalker, nodes: readonly OnnxNode[]): void {
  const problems: OnnxUnsupportedOpError[] = [];
  const refused = new Set<string>();
  // An empty name is an omitted optional tensor in ONNX, never an edge between nodes.
  const refuse = (n: OnnxNode) => {
    for (const name of n.output ?? []) if (name) refused.add(name);
  };
  nodes.forEach((n, i) => {
    if ((n.input ?? []).some((name) => refused.has(name))) {
      const op = n.opType ?? '';
      if (!supportedOps.has(op) || (n.domain && n.domain !== 'ai.onnx')) problems.push(new OnnxUnsupportedOpError(op, nodeName(n, i)));
      refuse(n);
      return;
    }
    try {
      walkNode(g, n, i);
    } catch (error) {
      if (!(error instanceof OnnxUnsupportedOpError)) throw error;
      problems.push(error);
      refuse(n);
    }
  });
  if (problems.length === 1) throw problems[0];
  if (problems.length > 1) throw new OnnxUnsupportedOpsError(problems);
}

function calibrationBatch(options: ImportOnnxOptions, size: number): { data: Float64Array; batch: number } {
  const { calibration, inputRange } = options;
  if (calibration === null || typeof calibration !== 'object' || typeof calibration.length !== 'number' || calibration.length === 0) {
    throw new CalibrationError('Calibration needs at least one sample.', [
      'expected: a non-empty array of samples',
      `got: ${calibration === null || typeof calibration !== 'object' ? typeof calibration : 'an empty array'}`,
    ]);
  }
  const nested = typeof calibration[0] === 'object';
  const batch = nested ? calibration.length : calibration.length / size;
  if (!Number.isInteger(batch))
    throw new CalibrationError('The calibration data is not a whole number of samples.', [
      `expected: a multiple of ${size} values`,
      `got: ${calibration.length}`,
    ]);
  const data = new Float64Array(batch * size);
  for (let n = 0; n < batch; n++) {
    const row = nested ? (calibration as readonly ArrayLike<number>[])[n]! : undefined;
    if (row && row.length !== size)
      throw new CalibrationError('A calibration sample has the wrong length.', [`sample: ${n}`, `expected: ${size} values`, `got: ${row.length}`]);
    for (let k = 0; k < size; k++) {
      const v = row ? row[k] : (calibration as ArrayLike<number>)[n * size + k];
      if (typeof v !== 'number' || !Number.isFinite(v) || v < inputRange.min || v > inputRange.max) {
        throw new CalibrationError('A calibration value is not a finite number within the input range.', [
          `sample: ${n}, index: ${k}`,
          `expected: ${inputRange.min} <= value <= ${inputRange.max}`,
          `got: ${String(v)}`,
        ]);
      }
      data[n * size + k] = v;
    }
  }
  return { data, batch };
}

function maxAbsOf(values: readonly number[]): number {
  let m = 0;
  for (const v of values) if (Math.abs(v) > m) m = Math.abs(v);
  return m;
}

/** Chooses every scale and replaces float parameters by integers, in place. */
function quantize(layers: Layer[], inputFrac: number, maxAbs: readonly number[]): void {
  const fracs = [inputFrac];
  layers.forEach((l, i) => {
    const t = i + 1;
    if (l.op === 'dense' || l.op === 'conv') {
      const fanIn = l.weights.length / l.bias.length;
      if (fanIn > MAX_FAN_IN)
        throw new BoundError('A layer has too large a fan-in for exact 53-bit arithmetic.', [
          `node: ${l.name}`,
          `expected: fan-in <= ${MAX_FAN_IN}`,
          `got: ${fanIn}`,
        ]);
      const inF = fracs[l.input]!;
      let wF = fracFor(maxAbsOf(l.weights), WEIGHT_MAX, FRAC_MIN, FRAC_MAX);
      let outF = fracFor(maxAbs[t]!, CALIBRATION_LIMIT, FRAC_MIN, FRAC_MAX);
      if (inF + wF - outF < 0) outF = inF + wF;
      if (inF + wF - outF > SHIFT_MAX) wF = outF + SHIFT_MAX - inF;
      const accF = inF + wF;
      l.weights = l.weights.map((w) => roundHalfAwayFromZero(w * 2 ** wF));
      l.bias = l.bias.map((b) => roundHalfAwayFromZero(b * 2 ** accF));
      const bMax = maxAbsOf(l.bias);
      if (bMax > BIAS_MAX)
        throw new BoundError('A bias is too large at the accumulator scale.', [`node: ${l.name}`, `expected: |bias| <= 2^47`, `got: ${bMax}`]);
      l.weightFrac = wF;
      l.shift = accF - outF;
      l.frac = outF;
    } else if (l.op === 'add') {
      const [fa, fb] = [fracs[l.inputs[0]]!, fracs[l.inputs[1]]!];
      const F = Math.max(fa, fb);
      l.alignA = F - fa;
      l.alignB = F - fb;
      if (Math.max(l.alignA, l.alignB) > ALIGN_MAX)
        throw new BoundError('An Add joins tensors whose scales are too far apart.', [
          `node: ${l.name}`,
          `expected: scale difference <= ${ALIGN_MAX} bits`,
          `got: ${Math.max(l.alignA, l.alignB)}`,
        ]);
      let outF = fracFor(maxAbs[t]!, CALIBRATION_LIMIT, FRAC_MIN, FRAC_MAX);
      outF = Math.min(F, Math.max(outF, F - SHIFT_MAX));
      l.shift = F - outF;
      l.frac = outF;
    } else {
      if (l.op === 'avgpool' && l.kernel[0] * l.kernel[1] > MAX_FAN_IN)
        throw new BoundError('A pooling window is too large.', [`node: ${l.name}`, `expected: window <= ${MAX_FAN_IN}`, `got: ${l.kernel[0] * l.kernel[1]}`]);
      l.frac = fracs[l.input]!;
    }
    fracs.push(l.frac);
  });
}

/** The graph's one input that is not an initializer, and its per-sample shape. */
function graphInput(graph: NonNullable<OnnxModel['graph']>): { input: OnnxValueInfo; inputShape: number[] } {
  const constants = new Set((graph.initializer ?? []).map((t) => t.name));
  const inputs = (graph.input ?? []).filter((v) => !constants.has(v.name));
  if (inputs.length !== 1)
    throw new OnnxInvalidError('The model must have exactly one input.', [
      'expected: 1 graph input',
      `got: ${inputs.length} (${inputs.map((v) => v.name).join(', ')})`,
    ]);
  const input = inputs[0]!;
  const dims = input.type?.tensorType?.shape?.dim ?? [];
  const inputShape = dims.slice(1).map((d) => d.dimValue ?? -1);
  if (dims.length < 2 || !inputShape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new OnnxInvalidError('The model input shape must be [N, ...] with fixed sizes after the batch.', [
      `input: ${input.name}`,
      `got: [${dims.map((d) => d.dimParam ?? d.dimValue ?? '?').join(', ')}]`,
    ]);
  }
  return { input, inputShape };
}

/** The per-sample input shape of an ONNX file, e.g. to read its calibration rows before importing it. */
export function onnxInputShape(bytes: Uint8Array): number[] {
  const model = decodeModel(bytes);
  defaultOpset(model);
  return graphInput(model.graph!).inputShape;
}

/** Imports an ONNX file into a fixed-point artifact (see docs/engine-spec.md). */
export function importOnnx(bytes: Uint8Array, options: ImportOnnxOptions): Artifact {
  const range = options?.inputRange;
  if (!range || !Number.isFinite(range.min) || !Number.isFinite(range.max) || !(range.min <= range.max)) {
    throw new CalibrationError('The declared input range is invalid.', ['expected: finite min <= max', `got: ${JSON.stringify(range)}`]);
  }
  const model = decodeModel(bytes);
  const opset = defaultOpset(model);
  const graph = model.graph!;
  const nodes = graph.node ?? [];
  const g = new GraphWalker();
  for (const t of graph.initializer ?? []) g.values.set(t.name, { kind: 'const', dims: (t.dims ?? []).map(Number), values: tensorValues(t, 'initializer') });
  const { input, inputShape } = graphInput(graph);
  g.values.set(input.name, { kind: 'act', tensor: 0, shape: inputShape });
  for (const n of nodes) for (const name of n.input ?? []) g.uses.set(name, (g.uses.get(name) ?? 0) + 1);
  const outputs = graph.output ?? [];
  for (const o of outputs) g.uses.set(o.name, (g.uses.get(o.name) ?? 0) + 1);
  walkNodes(g, nodes);
  if (outputs.length !== 1) throw new OnnxInvalidError('The model must have exactly one output.', ['expected: 1 graph output', `got: ${outputs.length}`]);
  const result = g.values.get(outputs[0]!.name);
  if (result?.kind !== 'act' || result.tensor !== g.layers.length) {
    throw new OnnxInvalidError('The model output must be the result of the last layer.', [`output: ${outputs[0]!.name}`]);
  }

  const { data, batch } = calibrationBatch(options, product(inputShape));
  const maxAbs = calibrate(g.layers, data, batch);
  const inputFrac = fracFor(Math.max(Math.abs(range.min), Math.abs(range.max)), ACT_MAX, FRAC_MIN, FRAC_MAX);
  quantize(g.layers, inputFrac, maxAbs);
  const last = g.layers[g.layers.length - 1];
  const artifact: Artifact = {
    format: 'trellis-fixed-1',
    onnxHash: toHex(keccak_256(bytes)),
    opset,
    numerics: { activationBits: 16, weightBits: 16, maxFanIn: MAX_FAN_IN },
    input: { name: input.name, shape: inputShape, frac: inputFrac, range: { min: range.min, max: range.max } },
    output: { name: outputs[0]!.name, shape: result.shape, frac: last ? last.frac : inputFrac },
    layers: g.layers,
    weightCommitment: '0x',
  };
  artifact.weightCommitment = weightCommitment(artifact);
  return artifact;
}
