// FedProx (Li et al., 2020): FedAvg on the server; each client adds the proximal term
// (mu / 2) ||w - w_global||^2 to its loss. The server's only part is to send
// proximal_mu in every fit config, as Flower's FedProx does.
import { aggregateWeighted } from './aggregate.ts';
import { badConfig, createStrategy, type FedAvgOptions } from './create-strategy.ts';
import type { Strategy } from './strategy.ts';

export type FedProxOptions = FedAvgOptions & { proximalMu: number };

/** The fit config key the client reads mu from (Flower's name). */
export const PROXIMAL_MU_KEY = 'proximal_mu';

export function fedProx(options: FedProxOptions): Strategy {
  if (!(Number.isFinite(options.proximalMu) && options.proximalMu >= 0)) badConfig('proximalMu must be a finite number >= 0.', options.proximalMu);
  return createStrategy('FedProx', options, (results) => ({ parameters: aggregateWeighted(results) }), { [PROXIMAL_MU_KEY]: options.proximalMu });
}
