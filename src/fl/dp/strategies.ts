// DP-FedAvg as Flower's DifferentialPrivacyServerSideFixedClipping and
// DifferentialPrivacyClientSideFixedClipping wrap a strategy: each update is clipped as
// a delta from the global model to L2 norm `clippingNorm`, the clipped updates are
// averaged with equal weights (the sensitivity argument needs every client to count the
// same, so example counts are ignored), and Gaussian noise of standard deviation
// noiseMultiplier * clippingNorm / numSampledClients is added to the mean. Server side,
// the aggregator clips; client side, the clients clip (fixedClippingClient reads the
// norm from the round's config) and the aggregator refuses an update that was not.
import type { RandomBytes } from '../secagg/random-bytes.ts';
import type { FlClient } from '../simulation.ts';
import type { Parameters } from '../strategies/parameters.ts';
import type { Failure, FitAggregate, FitRes, Strategy } from '../strategies/strategy.ts';
import { DpError } from './errors.ts';
import { addGaussianNoise, checkPositive, clipUpdate, deltaOf, l2Norm } from './noise.ts';

export const CLIPPING_NORM_KEY = 'dp_clipping_norm';

export type FixedClippingOptions = {
  noiseMultiplier: number;
  clippingNorm: number;
  numSampledClients: number;
  /** The noise source; the operating system's CSPRNG when absent. */
  random?: RandomBytes;
};

function checkOptions(options: FixedClippingOptions): void {
  checkPositive('clippingNorm', options.clippingNorm);
  if (!(options.noiseMultiplier >= 0 && Number.isFinite(options.noiseMultiplier))) {
    throw new DpError('DP_BAD_CONFIG', 'noiseMultiplier must be a non-negative number.', { details: [`got: ${options.noiseMultiplier}`] });
  }
  if (!Number.isInteger(options.numSampledClients) || options.numSampledClients < 1) {
    throw new DpError('DP_BAD_CONFIG', 'numSampledClients must be a positive integer.', { details: [`got: ${options.numSampledClients}`] });
  }
}

function wrap(
  inner: Strategy,
  name: string,
  options: FixedClippingOptions,
  prepare: (global: Parameters, results: readonly FitRes[], failures: Failure[]) => FitRes[],
): Strategy {
  checkOptions(options);
  const globals = new Map<number, Parameters>();
  return {
    name,
    initializeParameters: () => inner.initializeParameters(),
    configureFit(serverRound, parameters, clients) {
      globals.set(serverRound, parameters);
      return inner.configureFit(serverRound, parameters, clients).map(({ client, ins }) => ({
        client,
        ins: { ...ins, config: { ...ins.config, [CLIPPING_NORM_KEY]: options.clippingNorm } },
      }));
    },
    aggregateFit(serverRound, results, failures): FitAggregate {
      const global = globals.get(serverRound) ?? inner.initializeParameters();
      const allFailures = [...failures];
      const prepared = prepare(global, results, allFailures).map((r) => ({ ...r, numExamples: 1 }));
      const aggregate = inner.aggregateFit(serverRound, prepared, allFailures);
      if (!aggregate.parameters) return aggregate;
      const std = (options.noiseMultiplier * options.clippingNorm) / options.numSampledClients;
      return { ...aggregate, parameters: addGaussianNoise(aggregate.parameters, std, options.random), metrics: { ...aggregate.metrics, dp_noise_std: std } };
    },
    configureEvaluate: (r, p, c) => inner.configureEvaluate(r, p, c),
    aggregateEvaluate: (r, res, f) => inner.aggregateEvaluate(r, res, f),
    evaluate: (r, p) => inner.evaluate(r, p),
  };
}

/** The aggregator clips every update, then noises the mean. */
export function dpServerSideFixedClipping(inner: Strategy, options: FixedClippingOptions): Strategy {
  return wrap(inner, `dp-server-fixed(${inner.name})`, options, (global, results) =>
    results.map((r) => ({ ...r, parameters: clipUpdate(r.parameters, global, options.clippingNorm).parameters })),
  );
}

/**
 * The clients clip (see fixedClippingClient); the aggregator checks the norm, with room
 * for fixed-point rounding, counts an unclipped update as a failure and noises the mean.
 */
export function dpClientSideFixedClipping(inner: Strategy, options: FixedClippingOptions): Strategy {
  return wrap(inner, `dp-client-fixed(${inner.name})`, options, (global, results, failures) => {
    const kept: FitRes[] = [];
    for (const r of results) {
      const norm = l2Norm(deltaOf(r.parameters, global));
      const slack = Math.sqrt(r.parameters.length) / 2 ** 16;
      if (norm <= options.clippingNorm + slack) kept.push(r);
      else
        failures.push({
          client: r.client,
          error: new DpError('DP_BAD_CONFIG', 'An update exceeds the clipping norm.', { details: [`norm: ${norm}`, `clippingNorm: ${options.clippingNorm}`] }),
        });
    }
    return kept;
  });
}

/** A client that clips its own update to the norm the round's config names. */
export function fixedClippingClient(client: FlClient): FlClient {
  return {
    index: client.index,
    fit(ins, serverRound) {
      const result = client.fit(ins, serverRound);
      const norm = ins.config[CLIPPING_NORM_KEY];
      if (typeof norm !== 'number') return result;
      return { ...result, parameters: clipUpdate(result.parameters, ins.parameters, norm).parameters };
    },
    ...(client.evaluate ? { evaluate: client.evaluate.bind(client) } : {}),
  };
}
