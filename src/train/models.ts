// The default models: what each one is, which data it learns from, and the training
// settings that fix its weights. `npm run models` trains every entry here.
import { Conv2d } from './conv2d.ts';
import { loadBreastCancer, loadDigits, type Dataset } from './datasets.ts';
import { Dense } from './dense.ts';
import { TrainError } from './errors.ts';
import type { FitOptions } from './fit.ts';
import { Flatten } from './flatten.ts';
import { MaxPool2d } from './maxpool2d.ts';
import type { Xoshiro128 } from './prng.ts';
import { Relu } from './relu.ts';
import { Sequential } from './sequential.ts';

export type ModelName = 'digits-mlp' | 'digits-cnn' | 'breast-cancer-mlp';

/** How the ONNX file spells the network (each default model uses another form). */
export type ExportForm = 'gemm' | 'conv-reshape-gemm' | 'matmul-add';

export type ModelSpec = {
  name: ModelName;
  description: string;
  dataset: 'digits' | 'breast_cancer';
  /** Standardize features on the client (mean/std of the training rows). */
  standardize: boolean;
  /** The raw input range declared to the engine when not standardizing. */
  inputRange: { min: number; max: number };
  seed: number;
  heldOutFraction: number;
  fit: FitOptions;
  opset: number;
  form: ExportForm;
  /** The class each output stands for, written to models/<name>.schema.json. */
  classLabels: readonly string[];
  /** The name of each input value, when the data set names them. */
  featureNames?: readonly string[];
  /** Builds the network with weights drawn from `rng`. */
  build(rng: Xoshiro128): Sequential;
};

const digitLabels = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

/** The columns of data/breast_cancer.csv (ten measures as mean, standard error and worst), named as in examples/breast-cancer.csv. */
const breastCancerMeasures = [
  'radius',
  'texture',
  'perimeter',
  'area',
  'smoothness',
  'compactness',
  'concavity',
  'concave points',
  'symmetry',
  'fractal dimension',
];
const breastCancerFeatureNames = [
  ...breastCancerMeasures.map((m) => `mean ${m}`),
  ...breastCancerMeasures.map((m) => `${m} error`),
  ...breastCancerMeasures.map((m) => `worst ${m}`),
];

export const modelSpecs: readonly ModelSpec[] = [
  {
    name: 'digits-mlp',
    description: '8x8 handwritten digits, 64 -> 32 -> ReLU -> 10',
    dataset: 'digits',
    standardize: false,
    inputRange: { min: 0, max: 16 },
    seed: 1,
    heldOutFraction: 0.2,
    fit: { epochs: 40, batchSize: 32, learningRate: 0.003 },
    opset: 13,
    form: 'gemm',
    classLabels: digitLabels,
    build(rng) {
      const fc1 = new Dense(64, 32, 'fc1');
      const fc2 = new Dense(32, 10, 'fc2');
      fc1.init(rng);
      fc2.init(rng);
      return new Sequential([64], [fc1, new Relu(), fc2]);
    },
  },
  {
    name: 'digits-cnn',
    description: '8x8 handwritten digits, Conv 3x3 (8 channels, pad 1) -> ReLU -> MaxPool 2x2 -> Flatten -> 10',
    dataset: 'digits',
    standardize: false,
    inputRange: { min: 0, max: 16 },
    seed: 2,
    heldOutFraction: 0.2,
    fit: { epochs: 30, batchSize: 32, learningRate: 0.003 },
    opset: 11,
    form: 'conv-reshape-gemm',
    classLabels: digitLabels,
    build(rng) {
      const conv = new Conv2d(1, 8, 3, 1, 'conv');
      const fc = new Dense(8 * 4 * 4, 10, 'fc');
      conv.init(rng);
      fc.init(rng);
      return new Sequential([1, 8, 8], [conv, new Relu(), new MaxPool2d(2), new Flatten(), fc]);
    },
  },
  {
    name: 'breast-cancer-mlp',
    description: 'Wisconsin diagnostic breast cancer, 30 standardized features -> 16 -> ReLU -> 2',
    dataset: 'breast_cancer',
    standardize: true,
    // Not used: the range follows from the standardized training rows.
    inputRange: { min: 0, max: 0 },
    seed: 3,
    heldOutFraction: 0.2,
    fit: { epochs: 60, batchSize: 16, learningRate: 0.001 },
    opset: 17,
    form: 'matmul-add',
    // data/breast_cancer.rst: class 0 is malignant, 1 benign.
    classLabels: ['malignant', 'benign'],
    featureNames: breastCancerFeatureNames,
    build(rng) {
      const fc1 = new Dense(30, 16, 'fc1');
      const fc2 = new Dense(16, 2, 'fc2');
      fc1.init(rng);
      fc2.init(rng);
      return new Sequential([30], [fc1, new Relu(), fc2]);
    },
  },
];

export function modelSpec(name: string): ModelSpec {
  const spec = modelSpecs.find((s) => s.name === name);
  if (!spec) {
    throw new TrainError('TRAIN_UNKNOWN_MODEL', `There is no default model named "${name}".`, {
      details: [`known: ${modelSpecs.map((s) => s.name).join(', ')}`],
    });
  }
  return spec;
}

export function loadDataset(name: ModelSpec['dataset'], dataDir?: string): Dataset {
  return name === 'digits' ? loadDigits(dataDir) : loadBreastCancer(dataDir);
}
