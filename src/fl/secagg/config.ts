// The parameters of a SecAgg+ round, named and read as Flower's SecAggPlusWorkflow reads
// them: `numShares` is how many shares each client splits its secrets into (itself and
// its neighbours), an integer above 1 or a fraction of the participants; the
// `reconstructionThreshold` is how many of them rebuild a secret, an integer or a
// fraction of numShares; every value is clipped to [-clippingRange, clippingRange] and
// mapped onto the integers [0, quantizationRange - 1]; masks and sums live modulo
// `modulusRange`. Unlike Flower, the modulus must be a power of two (masks are then
// uniform by masking bits) and large enough that the sum of every participant's
// quantized value cannot wrap, so the sum is exact.
import { SecAggError } from './errors.ts';

export type SecAggPlusConfig = {
  numShares: number;
  reconstructionThreshold: number;
  /** Flower's default: 8. */
  clippingRange?: number;
  /** Flower's default: 2^22. */
  quantizationRange?: number;
  /** Flower's default: 2^32. */
  modulusRange?: number;
};

/** The parameters fixed for one round of `participants` clients. */
export type ResolvedConfig = {
  participants: number;
  /** Shares per secret: the client itself and its neighbours (2 * half + 1, or everyone in a small round). */
  numShares: number;
  /** Neighbours on each side of a client on the shuffled ring. */
  half: number;
  reconstructionThreshold: number;
  clippingRange: number;
  quantizationRange: number;
  modulusRange: number;
};

export const DEFAULT_CLIPPING_RANGE = 8;
export const DEFAULT_QUANTIZATION_RANGE = 2 ** 22;
export const DEFAULT_MODULUS_RANGE = 2 ** 32;

function bad(message: string, details: string[]): never {
  throw new SecAggError('SECAGG_BAD_CONFIG', message, { details });
}

export function resolveConfig(config: SecAggPlusConfig, participants: number): ResolvedConfig {
  if (!Number.isInteger(participants) || participants < 3 || participants > 10_000) {
    bad('Secure aggregation needs between 3 and 10000 participants.', [`got: ${participants}`]);
  }
  const wanted = config.numShares <= 1 && config.numShares > 0 ? Math.ceil(config.numShares * participants) : config.numShares;
  if (!Number.isInteger(wanted) || wanted < 3) {
    bad('numShares must be an integer of at least 3 or a fraction in (0, 1] of the participants.', [`got: ${config.numShares}`]);
  }
  // A ring neighbourhood is symmetric: half neighbours on each side, never more than all.
  // An even count is rounded up to the next odd one.
  const half = Math.min(Math.ceil((wanted - 1) / 2), Math.floor((participants - 1) / 2));
  const numShares = participants - 1 <= 2 * half ? participants : 2 * half + 1;
  const t = config.reconstructionThreshold;
  const threshold = t > 0 && t <= 1 && !Number.isInteger(t) ? Math.ceil(t * numShares) : t;
  if (!Number.isInteger(threshold) || threshold < 2 || threshold > numShares) {
    bad('reconstructionThreshold must be an integer in [2, numShares] or a fraction of numShares.', [`got: ${t}`, `numShares: ${numShares}`]);
  }
  const clippingRange = config.clippingRange ?? DEFAULT_CLIPPING_RANGE;
  const quantizationRange = config.quantizationRange ?? DEFAULT_QUANTIZATION_RANGE;
  const modulusRange = config.modulusRange ?? DEFAULT_MODULUS_RANGE;
  if (!(clippingRange > 0 && Number.isFinite(clippingRange))) bad('clippingRange must be a positive number.', [`got: ${clippingRange}`]);
  if (!Number.isInteger(quantizationRange) || quantizationRange < 2) {
    bad('quantizationRange must be an integer of at least 2.', [`got: ${quantizationRange}`]);
  }
  if (!Number.isInteger(modulusRange) || modulusRange < 2 || modulusRange > 2 ** 32 || !Number.isInteger(Math.log2(modulusRange))) {
    bad('modulusRange must be a power of two up to 2^32.', [`got: ${modulusRange}`]);
  }
  if (participants * (quantizationRange - 1) >= modulusRange) {
    bad('The sum of every quantized value could wrap the modulus; raise modulusRange or lower quantizationRange.', [
      `participants * (quantizationRange - 1): ${participants * (quantizationRange - 1)}`,
      `modulusRange: ${modulusRange}`,
    ]);
  }
  return { participants, numShares, half, reconstructionThreshold: threshold, clippingRange, quantizationRange, modulusRange };
}

/** Clips to [-c, c] and maps linearly onto [0, Q - 1], rounding to the nearest. */
export function quantize(values: ArrayLike<number>, config: Pick<ResolvedConfig, 'clippingRange' | 'quantizationRange'>): Uint32Array {
  const { clippingRange: c, quantizationRange: q } = config;
  const out = new Uint32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    if (!Number.isFinite(x)) {
      throw new SecAggError('SECAGG_MASKED_INPUT_INVALID', 'A value to aggregate is not a finite number.', {
        details: [`index: ${i}`, `got: ${x}`],
      });
    }
    const clipped = Math.min(c, Math.max(-c, x));
    out[i] = Math.round(((clipped + c) / (2 * c)) * (q - 1));
  }
  return out;
}

/** The float sum of `count` clients from the integer sum of their quantized values. */
export function dequantizeSum(sum: ArrayLike<number>, count: number, config: Pick<ResolvedConfig, 'clippingRange' | 'quantizationRange'>): Float64Array {
  const { clippingRange: c, quantizationRange: q } = config;
  const out = new Float64Array(sum.length);
  for (let i = 0; i < sum.length; i++) out[i] = (sum[i]! * 2 * c) / (q - 1) - count * c;
  return out;
}
