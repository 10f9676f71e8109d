import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FloatModel } from '../engine/float.ts';
import { ModelProto } from '../engine/onnx/schema.ts';
import { exportOnnx } from './export-onnx.ts';
import { modelSpecs } from './models.ts';
import { Xoshiro128 } from './prng.ts';

// Each export form, run by onnxruntime, must compute what the float64 trainer computes
// (up to float32 rounding of weights and activations).
for (const spec of modelSpecs) {
  test(`${spec.form} export of ${spec.name} matches the trainer's own forward pass`, async () => {
    const net = spec.build(new Xoshiro128(9));
    const bytes = exportOnnx(net, { opset: spec.opset, form: spec.form, graphName: 'g' });
    const rng = new Xoshiro128(10);
    const rows = 5;
    const x = new Float64Array(rows * net.inputSize).map(() => rng.nextFloat() * 4);
    const expected = net.forwardRows(x, rows).data;
    const model = await FloatModel.load(bytes);
    try {
      const got = await model.run(x, rows);
      assert.equal(got.logits.length, expected.length);
      for (let i = 0; i < expected.length; i++) assert.ok(Math.abs(got.logits[i]! - expected[i]!) < 1e-4, `logit ${i}: ${got.logits[i]} vs ${expected[i]}`);
    } finally {
      await model.close();
    }
    const decoded = ModelProto.toObject(ModelProto.decode(bytes), { longs: Number }) as {
      opsetImport: { version: number }[];
      graph: { node: { opType: string }[] };
    };
    assert.equal(decoded.opsetImport[0]!.version, spec.opset);
    const ops = decoded.graph.node.map((n) => n.opType);
    assert.ok(!ops.includes('Softmax'));
    if (spec.form === 'matmul-add') assert.deepEqual(ops, ['MatMul', 'Add', 'Relu', 'MatMul', 'Add']);
    if (spec.form === 'gemm') assert.deepEqual(ops, ['Gemm', 'Relu', 'Gemm']);
    if (spec.form === 'conv-reshape-gemm') assert.deepEqual(ops, ['Conv', 'Relu', 'MaxPool', 'Reshape', 'Gemm']);
  });
}
