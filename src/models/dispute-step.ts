// What the last move of a dispute over a model costs: the step re-executes one output
// element on chain, with its operands (chunks of 16 elements), their Merkle paths and
// the weight row in calldata. The word count is the ModelRegistry's own (_setShape, MAX_STEP_WORDS); the
// gas is a line through the steps `npm run bench -- disputes` measured
// (bench/results/disputes.jsonl): 43 words took 0.45 M gas (breast-cancer-mlp) and
// 1,683 words 3.53 M (a dense row over 1,568 inputs), the default models' other steps
// falling at or below the line. Calldata and hashing grow with the words; the rest of
// the step is about constant.
import type { Artifact } from '../engine/index.ts';
import { chunkCount } from '../engine/trace.ts';
import { commitmentShape, type CommitmentShape } from '../engine/weights.ts';

/** ModelRegistry.MAX_STEP_WORDS: publication refuses a model with a larger step. */
export const MAX_STEP_WORDS = 3072;
export const STEP_GAS_BASE = 370_000;
export const STEP_GAS_PER_WORD = 1_880;

export type DisputeStep = {
  /** 1-based layer number (tensor number of its output). */
  layer: number;
  node: string;
  words: number;
  gasEstimate: number;
};

const depthOf = (n: number): number => (n <= 1 ? 0 : Math.ceil(Math.log2(n)));

/** Calldata words of the step of each layer, as ModelRegistry._setShape counts them. */
export function stepWords(shape: CommitmentShape): number[] {
  const sizeOf = (tensor: number) => (tensor === 0 ? shape.inputSize : shape.layers[tensor - 1]!.outSize);
  const rowDepth = depthOf(shape.rowCount + shape.layers.length);
  return shape.layers.map((l) => {
    const chunksA = chunkCount(sizeOf(l.inputA));
    const byChunk = Math.min(l.fanIn, chunksA) * (1 + depthOf(chunksA));
    let words = Math.min(byChunk, chunksA) + 1 + depthOf(chunkCount(sizeOf(l.inputB)));
    if (l.rowLength !== 0) words += Math.floor((2 * l.rowLength + 31) / 32) + rowDepth;
    return words;
  });
}

export const stepGasEstimate = (words: number): number => STEP_GAS_BASE + STEP_GAS_PER_WORD * words;

/** The layer whose dispute step needs the most calldata, with its estimated gas. */
export function largestDisputeStep(artifact: Artifact): DisputeStep {
  const words = stepWords(commitmentShape(artifact));
  const i = words.indexOf(Math.max(...words));
  return { layer: i + 1, node: artifact.layers[i]!.name, words: words[i]!, gasEstimate: stepGasEstimate(words[i]!) };
}
