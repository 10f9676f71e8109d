// Writes a trained network as ONNX through the engine's graph builder, laid out the way
// PyTorch's exporter lays out such networks (initializers named after the module
// parameters, nodes named "/module/Op", a symbolic batch dimension "N"). Each default
// model uses another spelling so that the set exercises the importer: Gemm with
// transB=1; Conv, MaxPool and a constant-shape Reshape; MatMul on a transposed weight
// followed by Add.
import { buildOnnx, type BuildNode, type BuildTensor } from '../engine/onnx/build.ts';
import { Conv2d } from './conv2d.ts';
import { Dense } from './dense.ts';
import { TrainError } from './errors.ts';
import { Flatten } from './flatten.ts';
import type { Layer } from './layer.ts';
import { MaxPool2d } from './maxpool2d.ts';
import type { ExportForm } from './models.ts';
import { Relu } from './relu.ts';
import type { Sequential } from './sequential.ts';

export const onnxInputName = 'input';
export const onnxOutputName = 'logits';

export type ExportOnnxOptions = { opset: number; form: ExportForm; graphName: string };

export function exportOnnx(net: Sequential, options: ExportOnnxOptions): Uint8Array {
  const nodes: BuildNode[] = [];
  const initializers: BuildTensor[] = [];
  let current = onnxInputName;
  let rowShape: readonly number[] = net.inputShape;
  let matmulCounter = 0;
  const last = net.layers.length - 1;

  net.layers.forEach((layer, index) => {
    const module = layerModuleName(net, layer, index);
    const outputOf = (op: string) => (index === last ? onnxOutputName : `/${module}/${op}_output_0`);
    if (layer instanceof Dense) {
      const prefix = layer.weight.name.slice(0, -'.weight'.length);
      if (options.form === 'matmul-add') {
        // PyTorch's opset-17 Linear export: MatMul against the transposed weight, then Add.
        matmulCounter++;
        const transposed = new Float64Array(layer.weight.value.length);
        for (let o = 0; o < layer.outFeatures; o++) {
          for (let i = 0; i < layer.inFeatures; i++) transposed[i * layer.outFeatures + o] = layer.weight.value[o * layer.inFeatures + i]!;
        }
        const weightName = `onnx::MatMul_${matmulCounter}`;
        initializers.push({ name: weightName, dims: [layer.inFeatures, layer.outFeatures], data: transposed });
        initializers.push({ name: layer.bias.name, dims: [layer.outFeatures], data: layer.bias.value });
        const product = `/${prefix}/MatMul_output_0`;
        nodes.push({ opType: 'MatMul', name: `/${prefix}/MatMul`, inputs: [current, weightName], outputs: [product] });
        current = index === last ? onnxOutputName : `/${prefix}/Add_output_0`;
        nodes.push({ opType: 'Add', name: `/${prefix}/Add`, inputs: [layer.bias.name, product], outputs: [current] });
      } else {
        initializers.push({ name: layer.weight.name, dims: layer.weight.shape, data: layer.weight.value });
        initializers.push({ name: layer.bias.name, dims: layer.bias.shape, data: layer.bias.value });
        const out = index === last ? onnxOutputName : `/${prefix}/Gemm_output_0`;
        nodes.push({
          opType: 'Gemm',
          name: `/${prefix}/Gemm`,
          inputs: [current, layer.weight.name, layer.bias.name],
          outputs: [out],
          attributes: { alpha: { type: 'float', value: 1 }, beta: { type: 'float', value: 1 }, transB: { type: 'int', value: 1 } },
        });
        current = out;
      }
    } else if (layer instanceof Conv2d) {
      const prefix = layer.weight.name.slice(0, -'.weight'.length);
      initializers.push({ name: layer.weight.name, dims: layer.weight.shape, data: layer.weight.value });
      initializers.push({ name: layer.bias.name, dims: layer.bias.shape, data: layer.bias.value });
      const out = outputOf('Conv').replace(`/${module}/`, `/${prefix}/`);
      const p = layer.pad;
      nodes.push({
        opType: 'Conv',
        name: `/${prefix}/Conv`,
        inputs: [current, layer.weight.name, layer.bias.name],
        outputs: [out],
        attributes: {
          dilations: { type: 'ints', value: [1, 1] },
          group: { type: 'int', value: 1 },
          kernel_shape: { type: 'ints', value: [layer.kernel, layer.kernel] },
          pads: { type: 'ints', value: [p, p, p, p] },
          strides: { type: 'ints', value: [1, 1] },
        },
      });
      current = out;
    } else if (layer instanceof Relu) {
      const out = outputOf('Relu');
      nodes.push({ opType: 'Relu', name: `/${module}/Relu`, inputs: [current], outputs: [out] });
      current = out;
    } else if (layer instanceof MaxPool2d) {
      const out = outputOf('MaxPool');
      const k = layer.window;
      nodes.push({
        opType: 'MaxPool',
        name: `/${module}/MaxPool`,
        inputs: [current],
        outputs: [out],
        attributes: {
          ceil_mode: { type: 'int', value: 0 },
          kernel_shape: { type: 'ints', value: [k, k] },
          pads: { type: 'ints', value: [0, 0, 0, 0] },
          strides: { type: 'ints', value: [k, k] },
        },
      });
      current = out;
    } else if (layer instanceof Flatten) {
      // x.reshape(-1, features) in PyTorch exports as Reshape with a constant shape.
      const out = outputOf('Reshape');
      const shapeName = `/${module}/Constant_output_0`;
      initializers.push({ name: shapeName, dims: [2], data: [-1, layer.outputShape(rowShape)[0]!], type: 'int64' });
      nodes.push({ opType: 'Reshape', name: `/${module}/Reshape`, inputs: [current, shapeName], outputs: [out] });
      current = out;
    } else {
      throw new TrainError('TRAIN_BAD_CONFIG', 'The network holds a layer the ONNX export does not know.', { details: [`layer: ${layer.kind}`] });
    }
    rowShape = layer.outputShape(rowShape);
  });

  // The builder may hand back a Node Buffer; callers get a plain Uint8Array.
  const bytes = buildOnnx({
    opset: options.opset,
    graphName: options.graphName,
    producerName: 'trellis-train',
    producerVersion: '1',
    inputs: [{ name: onnxInputName, shape: ['N', ...net.inputShape] }],
    outputs: [{ name: onnxOutputName, shape: ['N', ...net.outputShape] }],
    initializers,
    nodes,
  });
  return new Uint8Array(bytes);
}

/** The module name a parameter-free layer gets ("relu", "relu_1", ... as PyTorch numbers them). */
function layerModuleName(net: Sequential, layer: Layer, index: number): string {
  const same = net.layers.slice(0, index).filter((l) => l.kind === layer.kind).length;
  const base = layer.kind === 'maxpool2d' ? 'pool' : layer.kind;
  return same === 0 ? base : `${base}_${same}`;
}
