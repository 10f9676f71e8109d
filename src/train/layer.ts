// The training-side building blocks: a float64 tensor and the layer contract that
// every trainable operation follows. Training runs in float64 with a fixed summation
// order (ascending indices, one thread), so the same seed gives the same weights bit
// for bit; quantization to the fixed-point engine happens only at import time.
export type Tensor = {
  /** Batch first: [N, ...per-row shape]. */
  shape: readonly number[];
  data: Float64Array;
};

/** A named trainable array with its gradient from the last backward pass. */
export type Param = {
  name: string;
  shape: readonly number[];
  value: Float64Array;
  grad: Float64Array;
};

export interface Layer {
  readonly kind: string;
  /** Computes the output and keeps what backward needs. */
  forward(x: Tensor): Tensor;
  /** Given d(loss)/d(output) for the last forward input, fills each param's grad
   *  (overwriting it) and returns d(loss)/d(input). */
  backward(gradOut: Tensor): Tensor;
  params(): Param[];
  /** The per-row output shape for a per-row input shape. */
  outputShape(inputShape: readonly number[]): number[];
}

export function tensor(shape: readonly number[], data?: Float64Array): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return { shape: [...shape], data: data ?? new Float64Array(size) };
}

export function param(name: string, shape: readonly number[]): Param {
  const size = shape.reduce((a, b) => a * b, 1);
  return { name, shape: [...shape], value: new Float64Array(size), grad: new Float64Array(size) };
}
