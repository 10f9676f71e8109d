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
  'breast-cancer-mlp': {
    moves: 6,
    open: 447_230,
    revealRoots: 164_116,
    chooseLayer: 141_258,
    revealNodes: 80_447,
    pick: 55_920,
    step: 451_995,
    total: 1_338_660,
  },
  'digits-mlp': { moves: 8, open: 462_102, revealRoots: 164_116, chooseLayer: 144_436, revealNodes: 82_979, pick: 55_776, step: 483_079, total: 1_489_380 },
  'digits-cnn': { moves: 10, open: 462_090, revealRoots: 188_777, chooseLayer: 155_392, revealNodes: 82_967, pick: 55_601, step: 612_904, total: 1_569_162 },
  // 32x28x28 layer (bench/support/large-layer-model.ts); its step is a dense row over 1568 inputs.
  'large-layer': {
    moves: 12,
    open: 1_206_896,
    revealRoots: 188_777,
    chooseLayer: 332_960,
    revealNodes: 82_979,
    pick: 55_613,
    step: 3_530_936,
    total: 5_392_732,
  },
};

/** `timeout` against a silent provider: the slash, the jail and the split included. */
export const measuredTimeoutGas = 321_499;

/** ModelRegistry.MAX_TENSOR_SIZE: the largest tensor a published model may have. */
export const MAX_TENSOR_SIZE = 2 ** 24;

/** Rounds of the descent (one revealNodes and one pick each) over a tensor of `size` elements. */
export function descentRounds(size: number): number {
  const depth = Math.ceil(Math.log2(Math.max(size, 1)));
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
