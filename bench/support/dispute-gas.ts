// Gas of each dispute move as `npm run bench -- disputes` measured it on anvil (the run
// kept in bench/results/disputes.jsonl: worst layer of each model). The security model
// prices moves with these figures, so it needs no chain; when the disputes suite moves a
// figure, copy it here (bench/README.md lists both suites).
import { LEVELS_PER_REVEAL } from '../../src/verify/moves.ts';

/** Gas of one move of one dispute; `moves` counts open to resolution. */
export type MoveGas = {
  moves: number;
  open: number;
  revealRoots: number;
  chooseLayer: number;
  revealNodes: number;
  pick: number;
  step: number;
  total: number;
};

export const defaultModelNames = ['breast-cancer-mlp', 'digits-mlp', 'digits-cnn'] as const;
export type DefaultModelName = (typeof defaultModelNames)[number];

export const measuredGas: Readonly<Record<DefaultModelName | 'large-layer', MoveGas>> = {
  // Every tensor of breast-cancer-mlp's layers fits one chunk (16 elements): no descent.
  'breast-cancer-mlp': { moves: 4, open: 415_058, revealRoots: 163_530, chooseLayer: 145_647, revealNodes: 0, pick: 0, step: 432_899, total: 1_154_083 },
  'digits-mlp': { moves: 6, open: 400_477, revealRoots: 163_950, chooseLayer: 148_496, revealNodes: 63_328, pick: 52_099, step: 444_459, total: 1_268_213 },
  'digits-cnn': { moves: 8, open: 400_477, revealRoots: 188_599, chooseLayer: 159_452, revealNodes: 82_943, pick: 55_577, step: 523_617, total: 1_370_194 },
  // 32x28x28 layer (bench/support/large-layer-model.ts); its step is a dense row over 1568 inputs.
  'large-layer': {
    moves: 10,
    open: 457_961,
    revealRoots: 188_611,
    chooseLayer: 337_026,
    revealNodes: 82_967,
    pick: 55_613,
    step: 2_345_484,
    total: 3_329_070,
  },
};

/** `timeout` against a silent provider: the slash, the jail and the split included. */
export const measuredTimeoutGas = 322_554;

/** ModelRegistry.MAX_TENSOR_SIZE: the largest tensor a published model may have. */
export const MAX_TENSOR_SIZE = 2 ** 24;

/** Rounds of the descent (one revealNodes and one pick each) over a tensor of `size` elements: its tree has one leaf per chunk of 16. */
export function descentRounds(size: number): number {
  const depth = Math.ceil(Math.log2(Math.max(Math.ceil(size / 16), 1)));
  return Math.ceil(depth / LEVELS_PER_REVEAL);
}

/** Rounds of a measured dispute: open, revealRoots, chooseLayer and step, plus two moves a round. */
export function roundsOf(gas: MoveGas): number {
  return (gas.moves - 4) / 2;
}

/** Transactions from open to step of a dispute over a tensor of `rounds` descent rounds. */
export function movesOf(rounds: number): number {
  return 4 + 2 * rounds;
}
