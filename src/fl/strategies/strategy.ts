// The strategy contract, shaped like Flower's: the server loop asks a strategy which
// clients train and with what (configureFit), hands it what came back (aggregateFit,
// failures included as an input rather than thrown), and does the same for
// evaluation. The loop never knows which algorithm runs. Clients are named by their
// participant index, so every party orders results the same way.
import type { Parameters } from './parameters.ts';

export type Scalar = number | string | boolean;
export type Config = Readonly<Record<string, Scalar>>;
export type Metrics = Readonly<Record<string, Scalar>>;

export type FitIns = { parameters: Parameters; config: Config };
export type EvaluateIns = { parameters: Parameters; config: Config };
/** One client and what it is asked to do this round. */
export type Instruction<Ins> = { client: number; ins: Ins };

export type FitRes = {
  client: number;
  parameters: Parameters;
  /** Training examples behind the update; weights it in FedAvg. */
  numExamples: number;
  metrics?: Metrics;
};

export type EvaluateRes = { client: number; loss: number; numExamples: number; metrics?: Metrics };

/** A client that did not answer, or answered with an error. */
export type Failure = { client: number; error: unknown };

export type FitAggregate = {
  /** Undefined when the round is not aggregated (failures and acceptFailures false). */
  parameters: Parameters | undefined;
  metrics: Metrics;
};

export type EvaluateAggregate = { loss: number | undefined; metrics: Metrics };

/** Flower's MetricsAggregationFn: (numExamples, metrics) of each client to one record. */
export type MetricsAggregationFn = (results: readonly { numExamples: number; metrics: Metrics }[]) => Metrics;

export interface Strategy {
  readonly name: string;
  initializeParameters(): Parameters;
  configureFit(serverRound: number, parameters: Parameters, clients: readonly number[]): Instruction<FitIns>[];
  aggregateFit(serverRound: number, results: readonly FitRes[], failures: readonly Failure[]): FitAggregate;
  configureEvaluate(serverRound: number, parameters: Parameters, clients: readonly number[]): Instruction<EvaluateIns>[];
  aggregateEvaluate(serverRound: number, results: readonly EvaluateRes[], failures: readonly Failure[]): EvaluateAggregate;
  /** Server-side evaluation through evaluateFn, when one is given. */
  evaluate(serverRound: number, parameters: Parameters): { loss: number; metrics: Metrics } | undefined;
}
