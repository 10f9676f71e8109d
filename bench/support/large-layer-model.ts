// A model with a 32x28x28 layer, for measuring what a dispute costs on a large tensor:
// conv (1 -> 32 channels, 3x3, pad 1) on a 28x28 input, relu, max pool 4x4 (to 32x7x7),
// then dense 1568 -> 10. Weights come from a closed formula, so the model never changes.
import { buildOnnx, createEngine, importOnnx, type Engine } from '../../src/engine/index.ts';
import { fixedInputs, fixedValues, float, int, ints } from '../../src/engine/testing/fixtures.ts';

export function largeLayerEngine(): Engine {
  const onnx = buildOnnx({
    opset: 13,
    inputs: [{ name: 'input', shape: ['N', 1, 28, 28] }],
    outputs: [{ name: 'output', shape: ['N', 10] }],
    initializers: [
      { name: 'conv.weight', dims: [32, 1, 3, 3], data: fixedValues(32 * 9, 21, 0.6) },
      { name: 'conv.bias', dims: [32], data: fixedValues(32, 22, 0.1) },
      { name: 'fc.weight', dims: [10, 1568], data: fixedValues(10 * 1568, 23, 0.05) },
      { name: 'fc.bias', dims: [10], data: fixedValues(10, 24, 0.1) },
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
        attributes: { kernel_shape: ints([4, 4]), pads: ints([0, 0, 0, 0]), strides: ints([4, 4]) },
      },
      { opType: 'Flatten', name: 'flatten', inputs: ['p1'], outputs: ['flat'], attributes: { axis: int(1) } },
      {
        opType: 'Gemm',
        name: 'fc',
        inputs: ['flat', 'fc.weight', 'fc.bias'],
        outputs: ['output'],
        attributes: { alpha: float(1), beta: float(1), transB: int(1) },
      },
    ],
  });
  return createEngine(importOnnx(onnx, { calibration: fixedInputs(8, 28 * 28, 31), inputRange: { min: 0, max: 1 } }));
}
