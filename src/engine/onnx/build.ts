// A small ONNX writer that lays out files the way common exporters (PyTorch's among
// them) do: float32 initializers as little-endian raw_data, a symbolic batch dimension
// on inputs and outputs, attributes with explicit types. The same description always
// yields the same bytes, so a model file can be regenerated and compared byte for byte.
import { ModelProto, OnnxAttributeType, OnnxDataType } from './schema.ts';

/** A dimension: a fixed size, or a symbolic name such as 'N' for the batch. */
export type BuildDim = number | string;

export type BuildValueInfo = { name: string; shape: readonly BuildDim[] };

/** A constant tensor: float32 (the default) or int64 (shapes for Reshape). */
export type BuildTensor = {
  name: string;
  dims: readonly number[];
  data: ArrayLike<number>;
  type?: 'float32' | 'int64';
};

/** An attribute value with its ONNX type spelled out, so 1 and 1.0 never get confused. */
export type BuildAttribute =
  | { type: 'int'; value: number }
  | { type: 'ints'; value: readonly number[] }
  | { type: 'float'; value: number }
  | { type: 'floats'; value: readonly number[] }
  | { type: 'string'; value: string }
  | { type: 'tensor'; value: BuildTensor };

export type BuildNode = {
  opType: string;
  name: string;
  inputs: readonly string[];
  outputs: readonly string[];
  /** Written in the order given (exporters write them in a fixed order too). */
  attributes?: Readonly<Record<string, BuildAttribute>>;
};

export type BuildOnnxParameters = {
  /** Default-domain opset version, 11..17 for files the engine imports. */
  opset: number;
  graphName?: string;
  producerName?: string;
  producerVersion?: string;
  inputs: readonly BuildValueInfo[];
  outputs: readonly BuildValueInfo[];
  initializers?: readonly BuildTensor[];
  nodes: readonly BuildNode[];
};

export type BuildOnnxReturnType = Uint8Array;

// The IR version each opset shipped with (onnx/helper.py VERSION_TABLE).
function irVersionFor(opset: number): number {
  if (opset <= 11) return 6;
  if (opset <= 14) return 7;
  if (opset <= 18) return 8;
  return 9;
}

function tensorObject(t: BuildTensor): Record<string, unknown> {
  const type = t.type ?? 'float32';
  const count = t.dims.reduce((a, b) => a * b, 1);
  if (t.data.length !== count) {
    throw new RangeError(`tensor ${t.name}: dims ${JSON.stringify(t.dims)} need ${count} values, got ${t.data.length}`);
  }
  let raw: Uint8Array;
  if (type === 'float32') {
    raw = new Uint8Array(count * 4);
    const view = new DataView(raw.buffer);
    for (let i = 0; i < count; i++) view.setFloat32(i * 4, t.data[i]!, true);
  } else {
    raw = new Uint8Array(count * 8);
    const view = new DataView(raw.buffer);
    for (let i = 0; i < count; i++) view.setBigInt64(i * 8, BigInt(t.data[i]!), true);
  }
  return {
    dims: [...t.dims],
    dataType: type === 'float32' ? OnnxDataType.FLOAT : OnnxDataType.INT64,
    name: t.name,
    rawData: raw,
  };
}

function attributeObject(name: string, a: BuildAttribute): Record<string, unknown> {
  switch (a.type) {
    case 'int':
      return { name, i: a.value, type: OnnxAttributeType.INT };
    case 'ints':
      return { name, ints: [...a.value], type: OnnxAttributeType.INTS };
    case 'float':
      return { name, f: a.value, type: OnnxAttributeType.FLOAT };
    case 'floats':
      return { name, floats: [...a.value], type: OnnxAttributeType.FLOATS };
    case 'string':
      return { name, s: new TextEncoder().encode(a.value), type: OnnxAttributeType.STRING };
    case 'tensor':
      return { name, t: tensorObject(a.value), type: OnnxAttributeType.TENSOR };
  }
}

function valueInfoObject(v: BuildValueInfo): Record<string, unknown> {
  return {
    name: v.name,
    type: {
      tensorType: {
        elemType: OnnxDataType.FLOAT,
        shape: { dim: v.shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

/** Encodes a graph description as ONNX bytes; deterministic for a given description. */
export function buildOnnx(parameters: BuildOnnxParameters): BuildOnnxReturnType {
  const p = parameters;
  const model = {
    irVersion: irVersionFor(p.opset),
    producerName: p.producerName ?? 'trellis',
    producerVersion: p.producerVersion ?? '1',
    graph: {
      node: p.nodes.map((n) => ({
        input: [...n.inputs],
        output: [...n.outputs],
        name: n.name,
        opType: n.opType,
        attribute: Object.entries(n.attributes ?? {}).map(([k, v]) => attributeObject(k, v)),
      })),
      name: p.graphName ?? 'main_graph',
      initializer: (p.initializers ?? []).map(tensorObject),
      input: p.inputs.map(valueInfoObject),
      output: p.outputs.map(valueInfoObject),
    },
    opsetImport: [{ domain: '', version: p.opset }],
  };
  const message = ModelProto.fromObject(model);
  return ModelProto.encode(message).finish();
}
