// Krum and Multi-Krum (Blanchard et al., 2017), as Flower defines them: a client's
// score is the sum of squared distances to its K - f - 2 closest peers (at least 1);
// Krum keeps the lowest-scoring update, Multi-Krum (numClientsToKeep > 0) the FedAvg
// of the numClientsToKeep lowest. Distances are exact integers and ties go to the
// lower participant index, so every recomputation selects the same clients.
import { aggregateWeighted, krumScores, lowestScores } from './aggregate.ts';
import { badConfig, createStrategy, type FedAvgOptions } from './create-strategy.ts';
import { StrategyError } from './errors.ts';
import type { Strategy } from './strategy.ts';

export type KrumOptions = FedAvgOptions & {
  /** f, the number of Byzantine clients tolerated. */
  numMaliciousClients?: number;
  /** 0: Krum; m > 0: Multi-Krum over the m best. */
  numClientsToKeep?: number;
};

export function krum(options: KrumOptions): Strategy {
  const f = options.numMaliciousClients ?? 0;
  const keep = options.numClientsToKeep ?? 0;
  if (!(Number.isInteger(f) && f >= 0)) badConfig('numMaliciousClients must be an integer >= 0.', f);
  if (!(Number.isInteger(keep) && keep >= 0)) badConfig('numClientsToKeep must be an integer >= 0.', keep);
  return createStrategy(keep > 0 ? 'MultiKrum' : 'Krum', options, (results) => {
    if (keep > results.length) {
      throw new StrategyError('FL_TOO_FEW_RESULTS', 'Multi-Krum has fewer updates than numClientsToKeep.', {
        details: [`results: ${results.length}`, `numClientsToKeep: ${keep}`],
      });
    }
    const scores = krumScores(
      results.map((r) => r.parameters),
      f,
    );
    const chosen = lowestScores(scores, Math.max(1, keep)).sort((a, b) => a - b);
    const selected = chosen.map((i) => results[i]!);
    const parameters = keep > 0 ? aggregateWeighted(selected) : selected[0]!.parameters;
    return { parameters, metrics: { selected: selected.map((r) => r.client).join(',') } };
  });
}
