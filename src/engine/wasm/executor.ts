// The engine's executor over WebAssembly memory. `compileModel` lays out, once per
// engine, the packed weights, biases, im2col and pooling tables; `executeBatch` then
// runs one batch with every tensor held as int16 in the same memory: dense and conv
// layers in the SIMD gemm kernel (conv as im2col + gemm), relu and max pooling in their
// kernels, average pooling and add (absent from the default models) in the reference's
// TypeScript operators over int16 views. Results equal the reference executor
// (src/engine/reference.ts) bit for bit; src/engine/wasm/executor.test.ts checks it.
import type { ConvLayer, DenseLayer, Layer, PoolLayer } from '../artifact.ts';
import { add } from '../ops/add.ts';
import { avgpool } from '../ops/avgpool.ts';
import { instantiateKernels, type Kernels } from './kernels.ts';
import { packPanels, packRows, type Panels, type Rows } from './panels.ts';

type DenseStep = { op: 'dense'; input: number; K: number; M: number; shift: number; panels: Panels; weights: number; bias: number };
type ConvStep = {
  op: 'conv';
  input: number;
  inSize: number;
  outSize: number;
  /** Output positions per channel (OH * OW), and their blocks of 4 (the lanes of the gemm). */
  positions: number;
  blocks: number;
  outputsPerGroup: number;
  shift: number;
  /** int16 per sample of one group's im2col panels. */
  panelLength: number;
  groups: { rows: Rows; weights: number; bias: number; table: number; mask: number }[];
};
type MaxpoolStep = {
  op: 'maxpool';
  input: number;
  planes: number;
  planeSize: number;
  positions: number;
  blocks: number;
  window: number;
  table: number;
  mask: number;
};
type Step = DenseStep | ConvStep | MaxpoolStep | { op: 'other'; layer: Layer };

export type CompiledModel = {
  memory: WebAssembly.Memory;
  kernels: Kernels;
  steps: Step[];
  /** Element count per tensor (0 = input), per sample. */
  sizes: number[];
  /** Four int64 zeros: the bias operand a layer does not use. */
  zeroBias: number;
  /** First byte after the static part (weights, biases, tables). */
  staticEnd: number;
  /** Bytes per sample of the im2col scratch matrix (the largest conv layer's). */
  scratchBytes: number;
  /** Views for the last batch size, rebuilt when the batch or the buffer changes. */
  cache?: BatchViews;
};

type BatchViews = {
  batch: number;
  buffer: ArrayBuffer;
  addresses: number[];
  tensors: Int16Array[];
  scratch: number;
  /** Where a typed input is copied as doubles before the quantize kernel reads it, and that kernel's parameters. */
  staging: number;
  stagingView: Float64Array;
  params: number;
  paramsView: Float64Array;
};

const align = (n: number): number => Math.ceil(n / 16) * 16;
/** Bytes after every tensor, so that reading one int16 pair past an odd-length row stays inside memory. */
const GUARD = 16;
const PAGE = 65536;

/**
 * im2col table of one group, in the gemm's panel order: for each block of 4 output
 * positions and each pair of window elements (k, k+1), the byte offsets of
 * x[pos][k], x[pos][k+1] for the block's 4 positions, with a mask of -1 (all bits);
 * padding, the pad column of an odd window and positions past the last read offset 0
 * under a mask of 0.
 */
function convTable(l: ConvLayer, group: number, blocks: number, pairs: number): { table: Int32Array; mask: Int16Array } {
  const [C, H, W] = l.inShape as [number, number, number];
  const [, OH, OW] = l.shape as [number, number, number];
  const [kh, kw] = l.kernel;
  const [sh, sw] = l.strides;
  const [pt, pl] = l.pads;
  const [dh, dw] = l.dilations;
  const cg = C / l.group;
  const c0 = group * cg;
  const K = cg * kh * kw;
  const table = new Int32Array(blocks * pairs * 8);
  const mask = new Int16Array(blocks * pairs * 8);
  for (let pos = 0; pos < OH * OW; pos++) {
    const oh = Math.floor(pos / OW);
    const ow = pos % OW;
    for (let k = 0; k < K; k++) {
      const c = Math.floor(k / (kh * kw));
      const i = Math.floor(k / kw) % kh;
      const j = k % kw;
      const ih = oh * sh - pt + i * dh;
      const iw = ow * sw - pl + j * dw;
      const at = (((pos >> 2) * pairs + (k >> 1)) * 4 + (pos & 3)) * 2 + (k & 1);
      if (ih >= 0 && ih < H && iw >= 0 && iw < W) {
        table[at] = ((c0 + c) * H * W + ih * W + iw) * 2;
        mask[at] = -1;
      }
    }
  }
  return { table, mask };
}

/**
 * Max-pool window tables: for each block of 8 output positions and each window
 * element, the 8 byte offsets in the plane, with a mask of -1; padded positions and
 * positions past the last read offset 0 under a mask of 0.
 */
function poolTable(l: PoolLayer, blocks: number): { table: Int32Array; mask: Int16Array } {
  const [, H, W] = l.inShape as [number, number, number];
  const [, OH, OW] = l.shape as [number, number, number];
  const [kh, kw] = l.kernel;
  const [sh, sw] = l.strides;
  const [pt, pl] = l.pads;
  const table = new Int32Array(blocks * kh * kw * 8);
  const mask = new Int16Array(blocks * kh * kw * 8);
  for (let pos = 0; pos < OH * OW; pos++) {
    const oh = Math.floor(pos / OW);
    const ow = pos % OW;
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const ih = oh * sh - pt + i;
        const iw = ow * sw - pl + j;
        const at = ((pos >> 3) * kh * kw + i * kw + j) * 8 + (pos & 7);
        if (ih >= 0 && ih < H && iw >= 0 && iw < W) {
          table[at] = (ih * W + iw) * 2;
          mask[at] = -1;
        }
      }
    }
  }
  return { table, mask };
}

export function compileModel(layers: readonly Layer[], sizes: number[]): CompiledModel {
  // First pass: pack everything in JS, then copy it into memory once its size is known.
  const blobs: { bytes: Uint8Array; at: number }[] = [];
  let top = 0;
  const place = (array: Int16Array | Int32Array | BigInt64Array): number => {
    const at = top;
    blobs.push({ bytes: new Uint8Array(array.buffer, array.byteOffset, array.byteLength), at });
    top = align(top + array.byteLength);
    return at;
  };
  const zeroBias = place(new BigInt64Array(4));
  let scratchBytes = 0;
  const steps: Step[] = layers.map((layer): Step => {
    if (layer.op === 'dense') {
      const l = layer as DenseLayer;
      const panels = packPanels(l.weights, l.bias, l.outFeatures, l.inFeatures, l.shift);
      return {
        op: 'dense',
        input: l.input,
        K: l.inFeatures,
        M: l.outFeatures,
        shift: l.shift,
        panels,
        weights: place(panels.weights),
        bias: place(panels.bias),
      };
    }
    if (layer.op === 'conv') {
      const l = layer as ConvLayer;
      const [C, H, W] = l.inShape as [number, number, number];
      const [M, OH, OW] = l.shape as [number, number, number];
      const K = (C / l.group) * l.kernel[0] * l.kernel[1];
      const pairs = Math.ceil(K / 2);
      const mg = M / l.group;
      const positions = OH * OW;
      const blocks = Math.ceil(positions / 4);
      const panelLength = blocks * pairs * 8;
      scratchBytes = Math.max(scratchBytes, panelLength * 2);
      const groups = Array.from({ length: l.group }, (_, g) => {
        const rows = packRows(l.weights.slice(g * mg * K, (g + 1) * mg * K), l.bias.slice(g * mg, (g + 1) * mg), mg, K, l.shift);
        const { table, mask } = convTable(l, g, blocks, pairs);
        return { rows, weights: place(rows.weights), bias: place(rows.bias), table: place(table), mask: place(mask) };
      });
      return {
        op: 'conv',
        input: l.input,
        inSize: C * H * W,
        outSize: M * positions,
        positions,
        blocks,
        outputsPerGroup: mg,
        shift: l.shift,
        panelLength,
        groups,
      };
    }
    if (layer.op === 'maxpool') {
      const [C, H, W] = layer.inShape as [number, number, number];
      const [, OH, OW] = layer.shape as [number, number, number];
      const window = layer.kernel[0] * layer.kernel[1];
      const blocks = Math.ceil((OH * OW) / 8);
      const { table, mask } = poolTable(layer, blocks);
      return { op: 'maxpool', input: layer.input, planes: C, planeSize: H * W, positions: OH * OW, blocks, window, table: place(table), mask: place(mask) };
    }
    return { op: 'other', layer };
  });
  const memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(top / PAGE)) });
  const bytes = new Uint8Array(memory.buffer);
  for (const b of blobs) bytes.set(b.bytes, b.at);
  return { memory, kernels: instantiateKernels(memory), steps, sizes, zeroBias, staticEnd: top, scratchBytes };
}

/** Tensor views for `batch` samples, growing the memory when needed. */
function viewsFor(model: CompiledModel, batch: number): BatchViews {
  const cached = model.cache;
  if (cached && cached.batch === batch && cached.buffer === model.memory.buffer) return cached;
  const addresses: number[] = [];
  let top = model.staticEnd;
  for (const size of model.sizes) {
    addresses.push(top);
    top = align(top + batch * size * 2 + GUARD);
  }
  const scratch = top;
  top = align(top + batch * model.scratchBytes + GUARD);
  const staging = top;
  top = align(top + (batch * model.sizes[0]! + 3) * 8);
  const params = top;
  top += 32;
  const have = model.memory.buffer.byteLength;
  if (top > have) model.memory.grow(Math.ceil((top - have) / PAGE));
  const buffer = model.memory.buffer;
  const tensors = model.sizes.map((size, t) => new Int16Array(buffer, addresses[t]!, batch * size));
  const stagingView = new Float64Array(buffer, staging, batch * model.sizes[0]! + 3);
  const paramsView = new Float64Array(buffer, params, 4);
  model.cache = { batch, buffer, addresses, tensors, scratch, staging, stagingView, params, paramsView };
  return model.cache;
}

/** The int16 view that receives the quantized input of `batch` samples. */
export function inputView(model: CompiledModel, batch: number): Int16Array {
  return viewsFor(model, batch).tensors[0]!;
}

/**
 * Quantizes a typed input of `batch` samples into the input tensor in the kernel;
 * returns false when a value lies outside [min, max] (NaN included).
 */
export function quantizeTypedInput(model: CompiledModel, batch: number, data: Float32Array | Float64Array, min: number, max: number, scale: number): boolean {
  const v = viewsFor(model, batch);
  v.stagingView.set(data);
  // The kernel takes values four at a time: up to three harmless values complete the
  // last four, and their int16 land in the tensor's guard.
  v.stagingView.fill(min, data.length, data.length + 3);
  v.paramsView[0] = min;
  v.paramsView[1] = max;
  v.paramsView[2] = scale;
  model.kernels.quantize(v.staging, Math.ceil(data.length / 4), v.addresses[0]!, v.params);
  return new Int32Array(v.buffer, v.params + 24, 1)[0]! === -1;
}

/** Runs every layer over the batch whose input is already in `inputView(model, batch)`; returns every tensor's view. */
export function executeBatch(model: CompiledModel, batch: number): Int16Array[] {
  const v = viewsFor(model, batch);
  const k = model.kernels;
  const zero = model.zeroBias;
  model.steps.forEach((step, i) => {
    const out = v.addresses[i + 1]!;
    if (step.op === 'dense') {
      // Rows: the samples; lanes: the output neurons.
      const x = v.addresses[step.input]!;
      const pn = step.panels;
      k.gemm(x, step.K * 2, batch, step.weights, pn.pairs, pn.chunk, pn.blocks, step.M, step.bias, 32, zero, 0, step.shift, out, step.M * 2);
    } else if (step.op === 'conv') {
      // Rows: the output channels (weights); lanes: the output positions of one sample,
      // which im2col has written as panels for every sample at once.
      const x = v.addresses[step.input]!;
      const P = step.positions;
      step.groups.forEach((group, gi) => {
        const rows = group.rows;
        k.im2col(x, group.table, group.mask, step.panelLength, v.scratch, batch, step.inSize * 2);
        for (let n = 0; n < batch; n++) {
          const panels = v.scratch + n * step.panelLength * 2;
          const at = out + (n * step.outSize + gi * step.outputsPerGroup * P) * 2;
          k.gemm(
            group.weights,
            rows.pairs * 4,
            step.outputsPerGroup,
            panels,
            rows.pairs,
            rows.chunk,
            step.blocks,
            P,
            zero,
            0,
            group.bias,
            8,
            step.shift,
            at,
            P * 2,
          );
        }
      });
    } else if (step.op === 'maxpool') {
      k.maxpool(v.addresses[step.input]!, step.table, step.mask, step.window, step.blocks, out, batch * step.planes, step.planeSize * 2, step.positions * 2);
    } else {
      const l = step.layer;
      const t = v.tensors;
      const count = batch * model.sizes[i + 1]!;
      if (l.op === 'relu') k.relu(v.addresses[l.input]!, count, out);
      else if (l.op === 'avgpool') avgpool(l, t[l.input]!, batch, t[i + 1]!);
      else if (l.op === 'add') add(l, t[l.inputs[0]]!, t[l.inputs[1]]!, count, t[i + 1]!);
    }
  });
  return v.tensors;
}
