// What every strategy here shares with Flower's FedAvg: client sampling by
// fractionFit / minFitClients / minAvailableClients, the fit and evaluate configs,
// the checks on what clients send, and the weighted loss of aggregateEvaluate. A
// strategy differs only in how it combines the checked updates (`combine`).
import { Xoshiro128 } from '../../train/prng.ts';
import { StrategyError } from './errors.ts';
import { checkParameters, type Parameters } from './parameters.ts';
import type { Config, EvaluateAggregate, EvaluateIns, FitAggregate, FitIns, FitRes, Instruction, Metrics, MetricsAggregationFn, Strategy } from './strategy.ts';

/** Flower's FedAvg parameters, in camelCase. */
export type FedAvgOptions = {
  /** The task's initial model; also fixes the length every update must have. */
  initialParameters: Parameters;
  fractionFit?: number;
  fractionEvaluate?: number;
  minFitClients?: number;
  minEvaluateClients?: number;
  minAvailableClients?: number;
  evaluateFn?: (serverRound: number, parameters: Parameters, config: Config) => { loss: number; metrics: Metrics } | undefined;
  onFitConfigFn?: (serverRound: number) => Config;
  onEvaluateConfigFn?: (serverRound: number) => Config;
  acceptFailures?: boolean;
  fitMetricsAggregationFn?: MetricsAggregationFn;
  evaluateMetricsAggregationFn?: MetricsAggregationFn;
  /** Not Flower's: seeds the client sample of each round, which Flower draws at random. */
  samplingSeed?: number;
};

export type Combine = (results: readonly FitRes[]) => { parameters: Parameters; metrics?: Metrics };

export function createStrategy(name: string, options: FedAvgOptions, combine: Combine, extraFitConfig: Config = {}): Strategy {
  const settings = {
    fractionFit: options.fractionFit ?? 1,
    fractionEvaluate: options.fractionEvaluate ?? 1,
    minFitClients: options.minFitClients ?? 2,
    minEvaluateClients: options.minEvaluateClients ?? 2,
    minAvailableClients: options.minAvailableClients ?? 2,
    acceptFailures: options.acceptFailures ?? true,
    samplingSeed: options.samplingSeed ?? 0,
  };
  for (const key of ['fractionFit', 'fractionEvaluate'] as const) {
    if (!(settings[key] >= 0 && settings[key] <= 1)) badConfig(`${key} must lie in [0, 1].`, settings[key]);
  }
  for (const key of ['minFitClients', 'minEvaluateClients', 'minAvailableClients'] as const) {
    if (!(Number.isInteger(settings[key]) && settings[key] >= 1)) badConfig(`${key} must be a positive integer.`, settings[key]);
  }
  checkParameters(options.initialParameters, options.initialParameters.length, 'the initial model');
  const length = options.initialParameters.length;

  const sample = (serverRound: number, clients: readonly number[], fraction: number, minimum: number): number[] => {
    const available = [...new Set(clients)].sort((a, b) => a - b);
    if (available.length < settings.minAvailableClients || available.length < minimum) {
      throw new StrategyError('FL_NOT_ENOUGH_CLIENTS', 'Fewer clients are available than the strategy needs.', {
        details: [`available: ${available.length}`, `minAvailableClients: ${settings.minAvailableClients}`, `needed this step: ${minimum}`],
      });
    }
    const size = Math.max(Math.floor(available.length * fraction), minimum);
    if (size >= available.length) return available;
    const rng = new Xoshiro128((settings.samplingSeed ^ Math.imul(serverRound, 0x9e3779b1)) >>> 0);
    return rng
      .shuffle([...available])
      .slice(0, size)
      .sort((a, b) => a - b);
  };

  return {
    name,
    initializeParameters: () => options.initialParameters,

    configureFit(serverRound, parameters, clients): Instruction<FitIns>[] {
      const config = { ...(options.onFitConfigFn?.(serverRound) ?? {}), ...extraFitConfig };
      return sample(serverRound, clients, settings.fractionFit, settings.minFitClients).map((client) => ({ client, ins: { parameters, config } }));
    },

    aggregateFit(_serverRound, results, failures): FitAggregate {
      if (!settings.acceptFailures && failures.length > 0) return { parameters: undefined, metrics: {} };
      const checked = checkResults(results, length);
      if (checked.length < settings.minFitClients) {
        throw new StrategyError('FL_TOO_FEW_RESULTS', 'Fewer updates arrived than minFitClients.', {
          details: [`results: ${checked.length}`, `failures: ${failures.length}`, `minFitClients: ${settings.minFitClients}`],
        });
      }
      const combined = combine(checked);
      const metrics = options.fitMetricsAggregationFn?.(checked.map((r) => ({ numExamples: r.numExamples, metrics: r.metrics ?? {} }))) ?? {};
      return { parameters: combined.parameters, metrics: { ...metrics, ...(combined.metrics ?? {}) } };
    },

    configureEvaluate(serverRound, parameters, clients): Instruction<EvaluateIns>[] {
      if (settings.fractionEvaluate === 0) return [];
      const config = options.onEvaluateConfigFn?.(serverRound) ?? {};
      return sample(serverRound, clients, settings.fractionEvaluate, settings.minEvaluateClients).map((client) => ({ client, ins: { parameters, config } }));
    },

    aggregateEvaluate(_serverRound, results, failures): EvaluateAggregate {
      if (results.length === 0 || (!settings.acceptFailures && failures.length > 0)) return { loss: undefined, metrics: {} };
      const sorted = [...results].sort((a, b) => a.client - b.client);
      let weighted = 0;
      let examples = 0;
      sorted.forEach((r, i) => {
        if (i > 0 && sorted[i - 1]!.client === r.client) {
          throw new StrategyError('FL_DUPLICATE_CLIENT', `Client ${r.client} sent more than one evaluation this round.`);
        }
        checkExampleCount(r.numExamples, r.client);
        if (!Number.isFinite(r.loss)) {
          throw new StrategyError('FL_VALUE_NOT_FINITE', `The loss reported by client ${r.client} is not finite.`, { details: [`got: ${r.loss}`] });
        }
        weighted += r.numExamples * r.loss;
        examples += r.numExamples;
      });
      const metrics = options.evaluateMetricsAggregationFn?.(sorted.map((r) => ({ numExamples: r.numExamples, metrics: r.metrics ?? {} }))) ?? {};
      return { loss: weighted / examples, metrics };
    },

    evaluate(serverRound, parameters) {
      return options.evaluateFn?.(serverRound, parameters, options.onEvaluateConfigFn?.(serverRound) ?? {});
    },
  };
}

/** The results in participant order, each checked; one client may answer once. */
export function checkResults(results: readonly FitRes[], length: number): FitRes[] {
  const sorted = [...results].sort((a, b) => a.client - b.client);
  sorted.forEach((r, i) => {
    if (i > 0 && sorted[i - 1]!.client === r.client) {
      throw new StrategyError('FL_DUPLICATE_CLIENT', `Client ${r.client} sent more than one update this round.`);
    }
    checkExampleCount(r.numExamples, r.client);
    checkParameters(r.parameters, length, `client ${r.client}'s update`);
  });
  return sorted;
}

function checkExampleCount(numExamples: number, client: number): void {
  if (!(Number.isSafeInteger(numExamples) && numExamples > 0)) {
    throw new StrategyError('FL_BAD_EXAMPLE_COUNT', `Client ${client} reported an example count that is not a positive integer.`, {
      details: [`got: ${numExamples}`],
    });
  }
}

export function badConfig(message: string, got: unknown): never {
  throw new StrategyError('FL_BAD_STRATEGY_CONFIG', message, { details: [`got: ${String(got)}`] });
}
