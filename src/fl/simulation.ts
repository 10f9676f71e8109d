// The server loop of a federation simulated in one process, as Flower's simulation
// runs it: each round the strategy picks the clients and their instructions, every
// client trains (an exception is a failure, handed to aggregateFit like a client that
// dropped), the strategy aggregates, and the new parameters are evaluated on the
// server (evaluateFn) and on the clients (configureEvaluate / aggregateEvaluate).
import type { Parameters } from './strategies/parameters.ts';
import type { EvaluateIns, EvaluateRes, Failure, FitIns, FitRes, Metrics, Strategy } from './strategies/strategy.ts';

export interface FlClient {
  readonly index: number;
  fit(ins: FitIns, serverRound: number): Omit<FitRes, 'client'>;
  evaluate?(ins: EvaluateIns, serverRound: number): Omit<EvaluateRes, 'client'>;
}

export type RoundRecord = {
  round: number;
  /** The global parameters after the round (unchanged when the round was not aggregated). */
  parameters: Parameters;
  global: Parameters;
  results: FitRes[];
  failures: Failure[];
  metrics: Metrics;
  serverEvaluation: { loss: number; metrics: Metrics } | undefined;
  clientLoss: number | undefined;
};

export type SimulationOptions = {
  strategy: Strategy;
  clients: readonly FlClient[];
  rounds: number;
  /** Called after each round (progress output, contribution scores). */
  onRound?: (record: RoundRecord) => void;
};

export function runSimulation(options: SimulationOptions): { parameters: Parameters; history: RoundRecord[] } {
  const { strategy, clients } = options;
  const byIndex = new Map(clients.map((c) => [c.index, c]));
  const indices = [...byIndex.keys()];
  let parameters = strategy.initializeParameters();
  const history: RoundRecord[] = [];
  for (let round = 1; round <= options.rounds; round++) {
    const global = parameters;
    const results: FitRes[] = [];
    const failures: Failure[] = [];
    for (const { client, ins } of strategy.configureFit(round, global, indices)) {
      try {
        results.push({ client, ...byIndex.get(client)!.fit(ins, round) });
      } catch (error) {
        failures.push({ client, error });
      }
    }
    const aggregated = strategy.aggregateFit(round, results, failures);
    parameters = aggregated.parameters ?? global;
    const evaluated: EvaluateRes[] = [];
    const evaluateFailures: Failure[] = [];
    const evaluators = indices.filter((i) => byIndex.get(i)!.evaluate);
    const evaluateInstructions = evaluators.length > 0 ? strategy.configureEvaluate(round, parameters, evaluators) : [];
    for (const { client, ins } of evaluateInstructions) {
      try {
        evaluated.push({ client, ...byIndex.get(client)!.evaluate!(ins, round) });
      } catch (error) {
        evaluateFailures.push({ client, error });
      }
    }
    const record: RoundRecord = {
      round,
      parameters,
      global,
      results,
      failures,
      metrics: aggregated.metrics,
      serverEvaluation: strategy.evaluate(round, parameters),
      clientLoss: evaluated.length > 0 ? strategy.aggregateEvaluate(round, evaluated, evaluateFailures).loss : undefined,
    };
    history.push(record);
    options.onRound?.(record);
  }
  return { parameters, history };
}
