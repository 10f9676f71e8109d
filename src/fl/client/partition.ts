// How a data set is split across simulated data owners: IID (a seeded shuffle dealt
// out evenly) or non-IID by label, each class's rows shared among the clients in
// proportions drawn from Dirichlet(alpha) (small alpha: each client sees few
// classes). Every draw comes from the seeded xoshiro128** generator; the Gamma draws
// use Math.log, which is not bit-identical on every platform (src/fl/random.ts), so
// a partition is a simulation input, nothing anyone must recompute.
import { Xoshiro128 } from '../../train/prng.ts';
import { gamma } from '../random.ts';
import { StrategyError } from '../strategies/errors.ts';

/** Row indices per client, each ascending. */
export type Partition = Int32Array[];

export function iidPartition(rows: number, clients: number, seed: number): Partition {
  checkClients(rows, clients);
  const order = new Xoshiro128(seed).shuffle(Array.from({ length: rows }, (_, i) => i));
  const parts: number[][] = Array.from({ length: clients }, () => []);
  order.forEach((row, i) => {
    parts[i % clients]!.push(row);
  });
  return parts.map((p) => Int32Array.from(p.sort((a, b) => a - b)));
}

export type DirichletOptions = {
  alpha: number;
  seed: number;
  /** Redraw until every client has at least this many rows (Flower Datasets' default is 10). */
  minPartitionSize?: number;
  maxAttempts?: number;
};

export function dirichletPartition(labels: Int32Array, classes: number, clients: number, options: DirichletOptions): Partition {
  checkClients(labels.length, clients);
  const { alpha, seed } = options;
  const minSize = options.minPartitionSize ?? 10;
  const maxAttempts = options.maxAttempts ?? 100;
  if (!(Number.isFinite(alpha) && alpha > 0)) {
    throw new StrategyError('FL_BAD_PARTITION', 'The Dirichlet concentration alpha must be a positive number.', { details: [`got: ${alpha}`] });
  }
  const rng = new Xoshiro128(seed);
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const parts: number[][] = Array.from({ length: clients }, () => []);
    for (let c = 0; c < classes; c++) {
      const members: number[] = [];
      for (let i = 0; i < labels.length; i++) if (labels[i] === c) members.push(i);
      rng.shuffle(members);
      const shares = Array.from({ length: clients }, () => gamma(rng, alpha));
      const total = shares.reduce((a, b) => a + b, 0);
      // Cut the shuffled members at the cumulative proportions.
      let cumulative = 0;
      let start = 0;
      for (let k = 0; k < clients; k++) {
        cumulative += shares[k]!;
        const end = k === clients - 1 ? members.length : Math.round((cumulative / total) * members.length);
        parts[k]!.push(...members.slice(start, end));
        start = Math.max(start, end);
      }
    }
    if (parts.every((p) => p.length >= minSize)) return parts.map((p) => Int32Array.from(p.sort((a, b) => a - b)));
  }
  throw new StrategyError('FL_BAD_PARTITION', 'No Dirichlet draw gave every client enough rows.', {
    details: [`rows: ${labels.length}`, `clients: ${clients}`, `alpha: ${alpha}`, `minPartitionSize: ${minSize}`, `attempts: ${maxAttempts}`],
  });
}

function checkClients(rows: number, clients: number): void {
  if (!(Number.isInteger(clients) && clients >= 1 && clients <= rows)) {
    throw new StrategyError('FL_BAD_PARTITION', 'The number of clients must be an integer between 1 and the number of rows.', {
      details: [`rows: ${rows}`, `clients: ${clients}`],
    });
  }
}
