// The public entry points of the fixed-point engine. Everything else under
// src/engine/ is internal and may change.
//
//   const artifact = importOnnx(onnxBytes, { calibration, inputRange: { min: 0, max: 1 } });
//   writeFileSync('model.fixed.json', serializeArtifact(artifact));
//   const engine = createEngine(parseArtifact(readFileSync('model.fixed.json', 'utf8')));
//   const result = run(engine, inputs, { batch: 64, trace: true });
//   result.values       // Float64Array, batch x outputSize, dequantized logits
//   result.output       // Int32Array, the exact integers
//   result.traces![0].root  // 0x trace root of sample 0
//   verifyTraceElement(proveTraceElement(result.traces![0], layer, index), root)
//   verifyWeightRow(proveWeightRow(artifact, layer, row), artifact.weightCommitment)

/** Writes ONNX files the way common exporters do (deterministic bytes). */
export { buildOnnx } from './onnx/build.ts';
export type { BuildOnnxParameters, BuildNode, BuildTensor, BuildAttribute, BuildValueInfo } from './onnx/build.ts';

/** ONNX bytes + calibration samples + declared input range -> artifact. */
export { importOnnx, onnxInputShape } from './onnx/import.ts';
export type { ImportOnnxOptions } from './onnx/import.ts';

/** Canonical JSON of an artifact, and its checked parse. */
export { serializeArtifact, parseArtifact } from './serialize.ts';

/** Prepares typed arrays once; `run` is then called any number of times. */
export { createEngine, run, quantizeInput } from './engine.ts';
export type { Engine, RunInput, RunOptions, RunResult } from './engine.ts';

/** Execution trace: per-layer integers, per-layer Merkle roots, the trace root. */
export { proveTraceElement, verifyTraceElement, tensorRoot } from './trace.ts';
export type { Trace, TraceElementProof } from './trace.ts';

/** Weight commitment: one proof per output neuron's (or output channel's) row and bias. */
export { proveWeightRow, verifyWeightRow, weightCommitment } from './weights.ts';
export type { WeightRowProof } from './weights.ts';

export type { Artifact, Layer, Hex } from './artifact.ts';
export * from './errors.ts';
