// Draws the simulations need beyond the trainer's uniform ones, from the same seeded
// xoshiro128** stream: a standard normal (noise attacks) and a Gamma (Dirichlet
// partitions). They use Math.log / Math.sqrt / Math.cos, which are not bit-identical
// on every platform, so nothing that must be recomputed by others depends on them.
import type { Xoshiro128 } from '../train/prng.ts';

/** A standard normal draw (Box-Muller, one value per two uniforms). */
export function standardNormal(rng: Xoshiro128): number {
  const u = 1 - rng.nextFloat(); // (0, 1]: the log stays finite
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.nextFloat());
}

/** Gamma(shape, 1) by Marsaglia and Tsang (2000); shape < 1 through Gamma(shape + 1) U^(1 / shape). */
export function gamma(rng: Xoshiro128, shape: number): number {
  if (shape < 1) return gamma(rng, shape + 1) * (1 - rng.nextFloat()) ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = standardNormal(rng);
    const v = (1 + c * x) ** 3;
    if (v <= 0) continue;
    const u = 1 - rng.nextFloat();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}
