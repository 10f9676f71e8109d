// Poisoned updates, as transforms of an honest one (the three standard attacks of
// the Byzantine-robustness literature): sign flip (send g - s (w - g), the honest
// step reversed and scaled by s), scaling (g + s (w - g), the honest step boosted),
// and Gaussian noise (g + N(0, sigma^2) per element, no training at all). A
// Byzantine client wraps an honest one, so it knows the global model g and trains
// like everyone else before it lies.
import { Xoshiro128 } from '../train/prng.ts';
import { standardNormal } from './random.ts';
import { FIXED_LIMIT, FIXED_SCALE, type Parameters } from './strategies/parameters.ts';
import type { FlClient } from './simulation.ts';

export type Attack = { kind: 'sign-flip'; factor: number } | { kind: 'scale'; factor: number } | { kind: 'gaussian'; sigma: number };

/** The poisoned vector; elements are clamped into the fixed-point range, so the strategy cannot refuse it for its size. */
export function poisonUpdate(global: Parameters, honest: Parameters, attack: Attack, rng: Xoshiro128): number[] {
  const limit = FIXED_LIMIT - 1;
  const clamp = (q: number) => Math.max(-limit, Math.min(limit, Math.round(q)));
  return global.map((g, i) => {
    if (attack.kind === 'sign-flip') return clamp(g - attack.factor * (honest[i]! - g));
    if (attack.kind === 'scale') return clamp(g + attack.factor * (honest[i]! - g));
    return clamp(g + attack.sigma * FIXED_SCALE * standardNormal(rng));
  });
}

export function byzantineClient(inner: FlClient, attack: Attack, seed: number): FlClient {
  const rng = new Xoshiro128(seed);
  return {
    index: inner.index,
    fit(ins, serverRound) {
      const honest = inner.fit(ins, serverRound);
      return { ...honest, parameters: poisonUpdate(ins.parameters, honest.parameters, attack, rng) };
    },
    ...(inner.evaluate ? { evaluate: inner.evaluate.bind(inner) } : {}),
  };
}
