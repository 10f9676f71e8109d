// Clipping and Gaussian noise on fixed-point parameter vectors. An update is clipped as
// a delta from the round's global model, in L2 norm, so that one client moves the
// aggregate by at most the clipping norm; noise is drawn from a CSPRNG (a seeded
// ChaCha20 stream in tests, the operating system otherwise), never from Math.random.
import { cryptoRandomBytes, type RandomBytes, uniform } from '../secagg/random-bytes.ts';
import { fromFixed, type Parameters, toFixed } from '../strategies/parameters.ts';
import { DpError } from './errors.ts';

/** A standard normal draw (Box-Muller on two CSPRNG uniforms). */
export function standardNormal(random: RandomBytes = cryptoRandomBytes): number {
  const u = 1 - uniform(random); // (0, 1]: the log stays finite
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform(random));
}

export function l2Norm(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i]! * values[i]!;
  return Math.sqrt(s);
}

/** The delta update - global, in value units. */
export function deltaOf(update: Parameters, global: Parameters): Float64Array {
  const u = fromFixed(update);
  const g = fromFixed(global);
  for (let i = 0; i < u.length; i++) u[i] = u[i]! - g[i]!;
  return u;
}

export function checkPositive(name: string, value: number): void {
  if (!(value > 0 && Number.isFinite(value))) throw new DpError('DP_BAD_CONFIG', `${name} must be a positive number.`, { details: [`got: ${value}`] });
}

/** global + delta scaled so that its L2 norm is at most clippingNorm, back in fixed point. */
export function clipUpdate(update: Parameters, global: Parameters, clippingNorm: number): { parameters: number[]; norm: number } {
  checkPositive('clippingNorm', clippingNorm);
  const delta = deltaOf(update, global);
  const norm = l2Norm(delta);
  const scale = norm > clippingNorm ? clippingNorm / norm : 1;
  const g = fromFixed(global);
  for (let i = 0; i < delta.length; i++) delta[i] = g[i]! + delta[i]! * scale;
  return { parameters: toFixed(delta), norm };
}

/** Parameters plus independent N(0, std^2) noise on every element. */
export function addGaussianNoise(parameters: Parameters, std: number, random: RandomBytes = cryptoRandomBytes): number[] {
  const values = fromFixed(parameters);
  for (let i = 0; i < values.length; i++) values[i] = values[i]! + std * standardNormal(random);
  return toFixed(values);
}
