// Decoding of ONNX bytes into plain objects (int64 fields as numbers) and of tensors
// into numeric arrays.
import { OnnxDecodeError, OnnxInvalidError } from '../errors.ts';
import { ModelProto, OnnxDataType } from './schema.ts';

export type OnnxTensor = {
  name: string;
  dims: number[];
  dataType: number;
  rawData?: Uint8Array;
  floatData?: number[];
  int32Data?: number[];
  int64Data?: number[];
  doubleData?: number[];
};
export type OnnxAttribute = { name: string; type?: number; f?: number; i?: number; s?: Uint8Array; t?: OnnxTensor; floats?: number[]; ints?: number[] };
export type OnnxNode = { input?: string[]; output?: string[]; name?: string; opType?: string; domain?: string; attribute?: OnnxAttribute[] };
export type OnnxDim = { dimValue?: number; dimParam?: string };
export type OnnxValueInfo = { name: string; type?: { tensorType?: { elemType?: number; shape?: { dim?: OnnxDim[] } } } };
export type OnnxGraph = { node?: OnnxNode[]; name?: string; initializer?: OnnxTensor[]; input?: OnnxValueInfo[]; output?: OnnxValueInfo[] };
export type OnnxModel = { irVersion?: number; graph?: OnnxGraph; opsetImport?: { domain?: string; version?: number }[] };

export function decodeModel(bytes: Uint8Array): OnnxModel {
  if (!(bytes instanceof Uint8Array)) {
    throw new OnnxDecodeError(['expected: the bytes of an ONNX file (Uint8Array)', `got: ${bytes === null ? 'null' : typeof bytes}`]);
  }
  if (bytes.length === 0) throw new OnnxDecodeError(['expected: the bytes of an ONNX file', 'got: an empty file']);
  let model: OnnxModel;
  try {
    model = ModelProto.toObject(ModelProto.decode(bytes), { longs: Number, arrays: true }) as OnnxModel;
  } catch (cause) {
    throw new OnnxDecodeError([`bytes: ${bytes.length}`, 'the protobuf message is truncated or is not an ONNX ModelProto'], cause);
  }
  if (!model.graph?.node || model.graph.node.length === 0 || !model.opsetImport || model.opsetImport.length === 0) {
    throw new OnnxDecodeError([
      `bytes: ${bytes.length}`,
      'expected: a ModelProto with a graph of nodes and an opset import',
      `got: ${model.graph ? 'a graph without nodes' : 'no graph'}${model.opsetImport?.length ? '' : ', no opset import'}`,
    ]);
  }
  return model;
}

/** A tensor's values as doubles (float32, float64, int32 and int64 tensors). */
export function tensorValues(t: OnnxTensor, where: string): Float64Array {
  const count = (t.dims ?? []).reduce((a, b) => a * b, 1);
  const raw = t.rawData && t.rawData.length > 0 ? t.rawData : undefined;
  const view = raw ? new DataView(raw.buffer, raw.byteOffset, raw.byteLength) : undefined;
  const out = new Float64Array(count);
  const width = t.dataType === OnnxDataType.FLOAT || t.dataType === OnnxDataType.INT32 ? 4 : 8;
  if (t.dataType !== OnnxDataType.FLOAT && t.dataType !== OnnxDataType.DOUBLE && t.dataType !== OnnxDataType.INT32 && t.dataType !== OnnxDataType.INT64) {
    throw new OnnxInvalidError('A tensor has an unsupported data type.', [
      `tensor: ${t.name} (${where})`,
      'expected: float, double, int32 or int64',
      `got: data type ${t.dataType}`,
    ]);
  }
  if (view) {
    if (raw!.length !== count * width) {
      throw new OnnxInvalidError('A tensor has the wrong number of bytes.', [
        `tensor: ${t.name} (${where})`,
        `expected: ${count * width} bytes`,
        `got: ${raw!.length}`,
      ]);
    }
    for (let i = 0; i < count; i++) {
      out[i] =
        t.dataType === OnnxDataType.FLOAT
          ? view.getFloat32(i * 4, true)
          : t.dataType === OnnxDataType.DOUBLE
            ? view.getFloat64(i * 8, true)
            : t.dataType === OnnxDataType.INT32
              ? view.getInt32(i * 4, true)
              : Number(view.getBigInt64(i * 8, true));
    }
    return out;
  }
  const list =
    t.dataType === OnnxDataType.FLOAT
      ? t.floatData
      : t.dataType === OnnxDataType.DOUBLE
        ? t.doubleData
        : t.dataType === OnnxDataType.INT32
          ? t.int32Data
          : t.int64Data;
  if ((list?.length ?? 0) !== count) {
    throw new OnnxInvalidError('A tensor has the wrong number of values.', [`tensor: ${t.name} (${where})`, `expected: ${count}`, `got: ${list?.length ?? 0}`]);
  }
  for (let i = 0; i < count; i++) out[i] = Number(list![i]);
  return out;
}
