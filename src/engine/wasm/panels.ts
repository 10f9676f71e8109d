// Load-time preparation of a dense or conv layer for the gemm kernel: the weights
// packed once (dense: transposed into panels; conv: rows padded to an even length; see
// kernels.ts), the bias with the rounding half added, and the proven int32 chunk length.

/** Largest |activation|: every tensor element is int16. */
const ACT_ABS_MAX = 32768;
/** Largest magnitude an int32 lane holds. */
const INT32_MAX = 2 ** 31 - 1;

export type Panels = {
  /** int16 panels: blocks x pairs x 8. */
  weights: Int16Array;
  /** int64 bias + 2^(s-1), blocks x 4 (zero past the real outputs). */
  bias: BigInt64Array;
  pairs: number;
  blocks: number;
  /** Pairs accumulated in int32 before widening to int64 (see `provenChunk`). */
  chunk: number;
};

/**
 * The longest run of consecutive input pairs whose partial sum provably fits an int32
 * lane for every output: the largest c such that, for every row m and every window of
 * c pairs, ACT_ABS_MAX * sum |w| over the window's 2c weights <= 2^31 - 1. Every
 * partial sum within a window is bounded by the same expression, so no int32 addition
 * wraps. One pair is always safe (|w| <= 32767 gives 2 * 32768 * 32767 < 2^31).
 */
export function provenChunk(w: ArrayLike<number>, M: number, K: number): number {
  const pairs = Math.ceil(K / 2);
  const limit = Math.floor(INT32_MAX / ACT_ABS_MAX); // sum |w| <= 65535
  const pairSums = new Float64Array(M * pairs);
  for (let m = 0; m < M; m++) {
    for (let k = 0; k < K; k++) pairSums[m * pairs + (k >> 1)]! += Math.abs(w[m * K + k]!);
  }
  const fits = (c: number): boolean => {
    for (let m = 0; m < M; m++) {
      let sum = 0;
      for (let p = 0; p < pairs; p++) {
        sum += pairSums[m * pairs + p]!;
        if (p >= c) sum -= pairSums[m * pairs + p - c]!;
        if (sum > limit) return false;
      }
    }
    return true;
  };
  // A window that fits contains only windows that fit: binary search on c.
  let lo = 1;
  let hi = Math.max(1, pairs);
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Dense weights rows w[m][0..K) (row-major, M rows) as the gemm kernel's lane operand, with their bias. */
export function packPanels(w: ArrayLike<number>, bias: ArrayLike<number>, M: number, K: number, shift: number): Panels {
  const pairs = Math.ceil(K / 2);
  const blocks = Math.ceil(M / 4);
  const weights = new Int16Array(blocks * pairs * 8);
  for (let m = 0; m < M; m++) {
    const j = m >> 2;
    const lane = m & 3;
    for (let k = 0; k < K; k++) weights[(j * pairs + (k >> 1)) * 8 + lane * 2 + (k & 1)] = w[m * K + k]!;
  }
  return { weights, bias: roundedBias(bias, M, blocks * 4, shift), pairs, blocks, chunk: provenChunk(w, M, K) };
}

export type Rows = {
  /** int16 rows padded to an even length: M x 2 * pairs. */
  weights: Int16Array;
  /** int64 bias + 2^(s-1), one per row. */
  bias: BigInt64Array;
  pairs: number;
  chunk: number;
};

/** Conv weights rows w[m][0..K) as the gemm kernel's row operand (padded to an even length), with their bias. */
export function packRows(w: ArrayLike<number>, bias: ArrayLike<number>, M: number, K: number, shift: number): Rows {
  const pairs = Math.ceil(K / 2);
  const weights = new Int16Array(M * pairs * 2);
  for (let m = 0; m < M; m++) for (let k = 0; k < K; k++) weights[m * pairs * 2 + k] = w[m * K + k]!;
  return { weights, bias: roundedBias(bias, M, M, shift), pairs, chunk: provenChunk(w, M, K) };
}

/** bias + 2^(s-1) as int64 (exact: |bias| <= 2^47), zero past the M real entries. */
function roundedBias(bias: ArrayLike<number>, M: number, length: number, shift: number): BigInt64Array {
  const half = shift === 0 ? 0n : 1n << BigInt(shift - 1);
  const out = new BigInt64Array(length);
  for (let m = 0; m < M; m++) out[m] = BigInt(bias[m]!) + half;
  return out;
}
