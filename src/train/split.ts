// The deterministic train / held-out split: stratified by class, so that each class
// keeps its share on both sides, with the held-out rows of each class drawn by a
// seeded shuffle. The same data and seed always give the same two index lists.
import type { Dataset } from './datasets.ts';
import { TrainError } from './errors.ts';
import { Xoshiro128 } from './prng.ts';

export type Split = {
  /** Row indices into the data set, ascending. */
  train: Int32Array;
  heldOut: Int32Array;
};

export function stratifiedSplit(data: Pick<Dataset, 'rows' | 'classes' | 'y'>, heldOutFraction: number, seed: number): Split {
  if (!(heldOutFraction > 0 && heldOutFraction < 1)) {
    throw new TrainError('TRAIN_BAD_CONFIG', 'The held-out fraction must lie strictly between 0 and 1.', {
      details: [`got: ${heldOutFraction}`],
    });
  }
  const rng = new Xoshiro128(seed);
  const train: number[] = [];
  const heldOut: number[] = [];
  for (let c = 0; c < data.classes; c++) {
    const members: number[] = [];
    for (let i = 0; i < data.rows; i++) if (data.y[i] === c) members.push(i);
    rng.shuffle(members);
    const take = Math.round(members.length * heldOutFraction);
    heldOut.push(...members.slice(0, take));
    train.push(...members.slice(take));
  }
  const ascending = (a: number, b: number) => a - b;
  return { train: Int32Array.from(train.sort(ascending)), heldOut: Int32Array.from(heldOut.sort(ascending)) };
}

/** The rows of `data` at `indices`, as a new data set. */
export function selectRows(data: Dataset, indices: Int32Array): Dataset {
  const x = new Float64Array(indices.length * data.features);
  const y = new Int32Array(indices.length);
  indices.forEach((row, i) => {
    x.set(data.x.subarray(row * data.features, (row + 1) * data.features), i * data.features);
    y[i] = data.y[row]!;
  });
  return { ...data, rows: indices.length, x, y };
}
