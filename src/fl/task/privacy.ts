// Differential privacy on a task (docs/privacy.md): the owner's parameters checked and
// put in the contract's fixed point before anything is sent, the committed parameters
// read back, and the participant's clipping and noise with exactly those. The epsilon of
// a round is the contract's own (src/fl/dp/gaussian-bound.ts is the same function), so
// what the SDK says a task spends is what the chain enforces.
import { DpError } from '../dp/errors.ts';
import { epsilonBoundMicros, MAX_MICROS, noiseMicrosFor, roundsWithinBudget } from '../dp/gaussian-bound.ts';
import { addGaussianNoise, clipUpdate } from '../dp/noise.ts';
import type { RandomBytes } from '../secagg/random-bytes.ts';
import type { TaskConfig } from './chain.ts';

export type PrivacyOptions = {
  /** The epsilon budget of the whole task. */
  epsilon: number;
  /** The delta it is for; default 1e-5. */
  delta?: number;
  /** The noise multiplier z; default the least whose rounds all fit the budget. */
  noiseMultiplier?: number;
  /** The L2 clipping norm C of each update's delta; default 1. */
  clippingNorm?: number;
};

/** The task config's four DP fields (all zero: no differential privacy). */
export type PrivacyFields = { dpEpsilonMicros: number; dpDeltaAtto: bigint; dpNoiseMicros: number; dpClipMicros: number };

export const NO_PRIVACY: PrivacyFields = { dpEpsilonMicros: 0, dpDeltaAtto: 0n, dpNoiseMicros: 0, dpClipMicros: 0 };

/** What a task committed to, in plain numbers. */
export type TaskPrivacy = { epsilon: number; delta: number; noiseMultiplier: number; clippingNorm: number };

const WAD = 10n ** 18n;

function micros(name: string, value: number | undefined): bigint {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new DpError('DP_BAD_CONFIG', `${name} must be a positive number.`, { details: [`got: ${value}`] });
  }
  const m = BigInt(Math.round(value * 1e6));
  if (m < 1n || m > MAX_MICROS) {
    throw new DpError('DP_BAD_CONFIG', `${name} must lie between 0.000001 and 4294.967295 (the contract counts it in millionths).`, {
      details: [`got: ${value}`],
    });
  }
  return m;
}

function atto(delta: number): bigint {
  if (!Number.isFinite(delta) || !(delta > 0 && delta < 1)) {
    throw new DpError('DP_BAD_CONFIG', 'delta must lie strictly between 0 and 1.', { details: [`got: ${delta}`] });
  }
  const d = BigInt(Math.round(delta * 1e18));
  if (d < 1n || d >= WAD) throw new DpError('DP_BAD_CONFIG', 'delta must be at least 1e-18 and below 1.', { details: [`got: ${delta}`] });
  return d;
}

/**
 * The DP fields of a task of `rounds` rounds, refusing by name what the contract would
 * refuse (and a noise multiplier, clipping norm or budget out of range) before any
 * transaction. A budget that covers fewer rounds than the task has is allowed: the task
 * then ends when the next round would pass it.
 */
export function privacyFields(o: PrivacyOptions | undefined, rounds: number): PrivacyFields {
  if (!o) return NO_PRIVACY;
  const budget = micros('The epsilon budget', o.epsilon);
  const delta = atto(o.delta ?? 1e-5);
  const clip = micros('The clipping norm', o.clippingNorm ?? 1);
  const noise = o.noiseMultiplier === undefined ? noiseMicrosFor(budget, delta, rounds) : micros('The noise multiplier', o.noiseMultiplier);
  const first = epsilonBoundMicros(noise, delta, 1);
  if (first > budget) {
    throw new DpError('DP_BUDGET_EXCEEDED', 'The epsilon budget is too small for even one round at this noise.', {
      details: [`epsilon after round 1: ${Number(first) / 1e6}`, `budget: ${Number(budget) / 1e6}`, 'raise --dp-epsilon or --dp-noise; nothing was sent'],
    });
  }
  return { dpEpsilonMicros: Number(budget), dpDeltaAtto: delta, dpNoiseMicros: Number(noise), dpClipMicros: Number(clip) };
}

/** The task's committed DP parameters, or undefined for a task without DP. */
export function taskPrivacy(config: Pick<TaskConfig, keyof PrivacyFields>): TaskPrivacy | undefined {
  if (config.dpEpsilonMicros === 0) return undefined;
  return {
    epsilon: config.dpEpsilonMicros / 1e6,
    delta: Number(config.dpDeltaAtto) / 1e18,
    noiseMultiplier: config.dpNoiseMicros / 1e6,
    clippingNorm: config.dpClipMicros / 1e6,
  };
}

/** The rounds a task's budget lets open (at most its `rounds`). */
export const roundsAllowed = (config: Pick<TaskConfig, keyof PrivacyFields | 'rounds'>): number =>
  config.dpEpsilonMicros === 0
    ? config.rounds
    : roundsWithinBudget(BigInt(config.dpEpsilonMicros), BigInt(config.dpNoiseMicros), config.dpDeltaAtto, config.rounds);

/** What a participant may ask of its own SDK: more noise or a smaller norm than committed, never less. */
export type PrivacyRequest = { noiseMultiplier?: number; clippingNorm?: number; random?: RandomBytes };

/**
 * The participant's update as it leaves the machine: its delta from the round's global
 * model clipped to L2 norm C, then N(0, (z C)^2) added to every element. Each update is
 * published, so each carries the whole noise itself (docs/privacy.md). A request for
 * weaker parameters than the task committed is refused before anything is sent.
 */
export function privatizeUpdate(
  update: readonly number[],
  global: readonly number[],
  committed: TaskPrivacy,
  request: PrivacyRequest = {},
): { parameters: number[]; norm: number; noiseStd: number } {
  const z = request.noiseMultiplier ?? committed.noiseMultiplier;
  const c = request.clippingNorm ?? committed.clippingNorm;
  if (!(z >= committed.noiseMultiplier) || !(c > 0 && c <= committed.clippingNorm)) {
    throw new DpError('DP_WEAKER_THAN_TASK', 'The update would carry less privacy than the task committed to; nothing was sent.', {
      details: [
        `noise multiplier: asked ${z}, committed ${committed.noiseMultiplier} (at least that)`,
        `clipping norm: asked ${c}, committed ${committed.clippingNorm} (at most that)`,
      ],
    });
  }
  const clipped = clipUpdate(update, global, c);
  const noiseStd = z * c;
  return { parameters: addGaussianNoise(clipped.parameters, noiseStd, request.random), norm: clipped.norm, noiseStd };
}
