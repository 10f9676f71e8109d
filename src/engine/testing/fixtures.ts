// Small fixed models for the engine's tests, written with the ONNX builder in several
// exporter forms. Parameters come from a closed formula, so they never change.
import { buildOnnx, type BuildNode, type BuildTensor } from '../onnx/build.ts';

/** Deterministic pseudo-random values in [-scale, scale). */
export function fixedValues(count: number, seed: number, scale: number): number[] {
  const out: number[] = [];
  let s = seed >>> 0;
  for (let i = 0; i < count; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out.push(((s / 2 ** 32) * 2 - 1) * scale);
  }
  return out;
}

/** Fixed inputs in [0, 1). */
export function fixedInputs(samples: number, size: number, seed: number): number[][] {
  return Array.from({ length: samples }, (_, n) => fixedValues(size, seed + n, 0.5).map((v) => v + 0.5));
}

/** ONNX attribute values, as the builder takes them. */
export const int = (value: number) => ({ type: 'int' as const, value });
export const ints = (value: number[]) => ({ type: 'ints' as const, value });
export const float = (value: number) => ({ type: 'float' as const, value });

function transpose(w: number[], rows: number, cols: number): number[] {
  const t = new Array<number>(w.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = w[r * cols + c]!;
  return t;
}

export type DenseForm = 'gemm-transB' | 'gemm' | 'matmul-add';

/** A dense block x[K] -> y[M] in one of the exporter forms (weights given as [M][K]). */
function denseNodes(
  form: DenseForm,
  prefix: string,
  x: string,
  y: string,
  w: number[],
  b: number[],
  M: number,
  K: number,
): { nodes: BuildNode[]; inits: BuildTensor[] } {
  if (form === 'gemm-transB') {
    return {
      nodes: [
        {
          opType: 'Gemm',
          name: `${prefix}/Gemm`,
          inputs: [x, `${prefix}.weight`, `${prefix}.bias`],
          outputs: [y],
          attributes: { alpha: float(1), beta: float(1), transB: int(1) },
        },
      ],
      inits: [
        { name: `${prefix}.weight`, dims: [M, K], data: w },
        { name: `${prefix}.bias`, dims: [M], data: b },
      ],
    };
  }
  if (form === 'gemm') {
    return {
      nodes: [{ opType: 'Gemm', name: `${prefix}/Gemm`, inputs: [x, `${prefix}.weight`, `${prefix}.bias`], outputs: [y] }],
      inits: [
        { name: `${prefix}.weight`, dims: [K, M], data: transpose(w, M, K) },
        { name: `${prefix}.bias`, dims: [M], data: b },
      ],
    };
  }
  return {
    nodes: [
      { opType: 'MatMul', name: `${prefix}/MatMul`, inputs: [x, `${prefix}.weight`], outputs: [`${y}_mm`] },
      { opType: 'Add', name: `${prefix}/Add`, inputs: [`${prefix}.bias`, `${y}_mm`], outputs: [y] },
    ],
    inits: [
      { name: `${prefix}.weight`, dims: [K, M], data: transpose(w, M, K) },
      { name: `${prefix}.bias`, dims: [M], data: b },
    ],
  };
}

/** MLP 6 -> 8 -> relu -> 3. */
export function mlpOnnx(opts: { opset?: number; form?: DenseForm; identity?: boolean } = {}): Uint8Array {
  const form = opts.form ?? 'gemm-transB';
  const w1 = fixedValues(8 * 6, 1, 0.6);
  const b1 = fixedValues(8, 2, 0.2);
  const w2 = fixedValues(3 * 8, 3, 0.8);
  const b2 = fixedValues(3, 4, 0.1);
  const l1 = denseNodes(form, 'fc1', opts.identity ? 'xi' : 'input', 'h1', w1, b1, 8, 6);
  const l2 = denseNodes(form, 'fc2', 'r1', 'output', w2, b2, 3, 8);
  return buildOnnx({
    opset: opts.opset ?? 13,
    inputs: [{ name: 'input', shape: ['N', 6] }],
    outputs: [{ name: 'output', shape: ['N', 3] }],
    initializers: [...l1.inits, ...l2.inits],
    nodes: [
      ...(opts.identity ? [{ opType: 'Identity', name: 'id', inputs: ['input'], outputs: ['xi'] }] : []),
      ...l1.nodes,
      { opType: 'Relu', name: 'relu1', inputs: ['h1'], outputs: ['r1'] },
      ...l2.nodes,
    ],
  });
}

export type FlattenForm = 'flatten' | 'reshape-initializer' | 'reshape-constant';

/** CNN [1, 6, 6] -> conv 3x3 pad 1 (4 ch) -> relu -> maxpool 2 -> avgpool 1x1... -> flatten -> dense 5. */
export function cnnOnnx(opts: { opset?: number; flatten?: FlattenForm; dense?: DenseForm } = {}): Uint8Array {
  const flatten = opts.flatten ?? 'flatten';
  const kw = fixedValues(4 * 1 * 3 * 3, 11, 0.7);
  const kb = fixedValues(4, 12, 0.1);
  const w = fixedValues(5 * 4 * 2 * 2, 13, 0.5);
  const b = fixedValues(5, 14, 0.1);
  const fc = denseNodes(opts.dense ?? 'gemm-transB', 'fc', 'flat', 'output', w, b, 5, 16);
  const shapeInit: BuildTensor = { name: 'flat_shape', dims: [2], data: [-1, 16], type: 'int64' };
  const flattenNodes: BuildNode[] =
    flatten === 'flatten'
      ? [{ opType: 'Flatten', name: 'flatten', inputs: ['p2'], outputs: ['flat'], attributes: { axis: int(1) } }]
      : flatten === 'reshape-initializer'
        ? [{ opType: 'Reshape', name: 'reshape', inputs: ['p2', 'flat_shape'], outputs: ['flat'] }]
        : [
            {
              opType: 'Constant',
              name: 'shape_const',
              inputs: [],
              outputs: ['flat_shape_c'],
              attributes: { value: { type: 'tensor', value: { ...shapeInit, name: '' } } },
            },
            { opType: 'Reshape', name: 'reshape', inputs: ['p2', 'flat_shape_c'], outputs: ['flat'] },
          ];
  return buildOnnx({
    opset: opts.opset ?? 13,
    inputs: [{ name: 'input', shape: ['N', 1, 6, 6] }],
    outputs: [{ name: 'output', shape: ['N', 5] }],
    initializers: [
      { name: 'conv.weight', dims: [4, 1, 3, 3], data: kw },
      { name: 'conv.bias', dims: [4], data: kb },
      ...(flatten === 'reshape-initializer' ? [shapeInit] : []),
      ...fc.inits,
    ],
    nodes: [
      {
        opType: 'Conv',
        name: 'conv',
        inputs: ['input', 'conv.weight', 'conv.bias'],
        outputs: ['c1'],
        attributes: { dilations: ints([1, 1]), group: int(1), kernel_shape: ints([3, 3]), pads: ints([1, 1, 1, 1]), strides: ints([1, 1]) },
      },
      { opType: 'Relu', name: 'relu', inputs: ['c1'], outputs: ['r1'] },
      {
        opType: 'MaxPool',
        name: 'pool',
        inputs: ['r1'],
        outputs: ['p1'],
        attributes: { kernel_shape: ints([2, 2]), pads: ints([0, 0, 0, 0]), strides: ints([2, 2]) },
      },
      {
        opType: 'AveragePool',
        name: 'avg',
        inputs: ['p1'],
        outputs: ['p2'],
        attributes: { kernel_shape: ints([2, 2]), pads: ints([0, 0, 0, 0]), strides: ints([1, 1]) },
      },
      ...flattenNodes,
      ...fc.nodes,
    ],
  });
}
