// The artifact: everything needed to run a model bit-exactly, produced once by the
// ONNX importer and then stored as canonical JSON. Every number in it is an integer
// except the declared input range, which the caller gave at import time.
// Tensor numbering: tensor 0 is the quantized model input, tensor i (i >= 1) is the
// output of layers[i - 1]. A layer's `input` fields name tensors by that number, and
// the execution trace uses the same numbering (trace layer 0 = the input).
export type Hex = `0x${string}`;

/** Fixed-point parameters shared by every layer (see docs/engine-spec.md). */
export type Numerics = {
  /** Activations are signed integers in [-2^(bits-1), 2^(bits-1) - 1]. */
  activationBits: 16;
  /** Weights are signed integers in [-(2^(bits-1) - 1), 2^(bits-1) - 1]. */
  weightBits: 16;
  /** Largest fan-in (terms in one accumulation) the 53-bit bound allows. */
  maxFanIn: number;
};

type LayerBase = {
  /** Name of the ONNX node the layer came from (the last one when nodes were folded). */
  name: string;
  /** Output shape without the batch dimension, e.g. [10] or [8, 14, 14]. */
  shape: number[];
  /** Output scale: a value q stands for q * 2^-frac. */
  frac: number;
};

/** Gemm, or MatMul followed by Add: out[m] = requant(sum_k x[k] * w[m][k] + bias[m]). */
export type DenseLayer = LayerBase & {
  op: 'dense';
  input: number;
  inFeatures: number;
  outFeatures: number;
  weightFrac: number;
  /** Right shift from the accumulator scale (inFrac + weightFrac) to `frac`. */
  shift: number;
  /** Row-major [outFeatures][inFeatures]: one row per output neuron. */
  weights: number[];
  /** At the accumulator scale inFrac + weightFrac. */
  bias: number[];
};

/** 2-D convolution over NCHW with zero padding. */
export type ConvLayer = LayerBase & {
  op: 'conv';
  input: number;
  /** [C, H, W] of the input. */
  inShape: number[];
  kernel: [number, number];
  strides: [number, number];
  /** [top, left, bottom, right]. */
  pads: [number, number, number, number];
  dilations: [number, number];
  group: number;
  weightFrac: number;
  shift: number;
  /** [M][C / group][kh][kw]: one row (an output channel's kernel) per output channel. */
  weights: number[];
  bias: number[];
};

export type ReluLayer = LayerBase & { op: 'relu'; input: number };

/** Pooling over NCHW; padded positions never win a max and count per `countIncludePad`. */
export type PoolLayer = LayerBase & {
  op: 'maxpool' | 'avgpool';
  input: number;
  inShape: number[];
  kernel: [number, number];
  strides: [number, number];
  pads: [number, number, number, number];
  /** avgpool only: round-half-up 2^32 / (kh * kw), the fixed-point reciprocal of the divisor. */
  reciprocal: number;
};

/** Element-wise sum of two tensors of the same shape, aligned to a common scale. */
export type AddLayer = LayerBase & {
  op: 'add';
  inputs: [number, number];
  /** Left shifts that bring each input to the common scale max(fracA, fracB). */
  alignA: number;
  alignB: number;
  shift: number;
};

export type Layer = DenseLayer | ConvLayer | ReluLayer | PoolLayer | AddLayer;

export type Artifact = {
  format: 'trellis-fixed-1';
  /** keccak256 of the ONNX file bytes. */
  onnxHash: Hex;
  opset: number;
  numerics: Numerics;
  input: {
    name: string;
    /** Shape without the batch dimension. */
    shape: number[];
    frac: number;
    /** The caller must keep every input value within [min, max]. */
    range: { min: number; max: number };
  };
  output: { name: string; shape: number[]; frac: number };
  layers: Layer[];
  /** Merkle root over every weight row with its bias (docs/engine-spec.md, "Weight commitment"). */
  weightCommitment: Hex;
};
