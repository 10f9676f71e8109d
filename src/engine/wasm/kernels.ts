// The engine's WebAssembly SIMD kernels, assembled once per process.
//
// gemm: out[r][l] = requant(rowBias[r] + laneBias[l] + sum_k a[r][k] * b[l][k], s), the
//   product of a row operand `a` (row-major int16) and a lane operand `b` packed in
//   panels: for each block of 4 lanes and each pair of columns (k, k+1), 8 int16
//   (b[l][k], b[l][k+1]) for l = 4j .. 4j+3. One i32x4.dot_i16x8_s of that vector with
//   the splatted pair (a[r][k], a[r][k+1]) gives the four lanes' partial sums of the
//   pair, with no horizontal reduction, and four rows share every panel load (register
//   blocking: 4 rows x 4 lanes per inner loop). Dense layers: rows are samples, lanes
//   output neurons (panels of weights, packed once at load). Conv layers: rows are
//   output channels (the weights), lanes output positions (im2col writes the input
//   windows straight into panels), so that every row's outputs are contiguous in NCHW.
//   Partial sums run in int32 lanes for `chunk` pairs, a length proven safe from the
//   layer's weights at load time (`provenChunk` in panels.ts, docs/engine-spec.md,
//   "Kernel accumulation"), then are widened into int64 lanes, which hold the exact
//   accumulator. The epilogue shifts (the biases come with 2^(s-1) already added),
//   saturates to int16 and stores four outputs at once.
// im2col: dst[i] = x[table[i]] masked (0 for padding), eight at a time.
// maxpool: the max over each window, eight outputs at a time, through tables of offsets.
// relu: max(0, x), eight int16 at a time.
// quantize: the model input, doubles to int16, with the range check.
import { assembleModule, FunctionBuilder, I32, op, simd, V128 } from './assemble.ts';

export type Kernels = {
  /**
   * (a, aStride, rows, panels, pairs, chunk, blocks, lanes, laneBias, laneBiasStride,
   * rowBias, rowBiasStride, shift, out, outRowStride); addresses and strides in bytes,
   * biases int64 (a stride of 0 reuses one zero). Output (r, l) goes to
   * out + r * outRowStride + 2 * l.
   */
  gemm: (...args: number[]) => void;
  /**
   * (x, table, mask, count, dst, samples, xStride): per sample, gathers `count` int16
   * (a multiple of 8) through an int32 table of byte offsets, and-ed with an int16 mask
   * (0 where padded).
   */
  im2col: (x: number, table: number, mask: number, count: number, dst: number, samples: number, xStride: number) => void;
  /**
   * (x, table, mask, window, blocks, dst, planes, xStride, outStride): per plane, for each block of
   * 8 outputs, the max over the window's `window` elements (table and mask: per element,
   * 8 byte offsets and 8 int16 masks, 0 where padded). Writes whole blocks: up to 7
   * outputs past a plane, which the next plane or the tensor's guard takes.
   */
  maxpool: (x: number, table: number, mask: number, window: number, blocks: number, dst: number, planes: number, xStride: number, outStride: number) => void;
  /**
   * (src, quads, dst, params): quantizes 4 * quads doubles into int16 (round half away
   * from zero, saturated); params holds the f64 min, max and 2^frac and receives, as an
   * i32 after them, 0 when a value lay outside [min, max] (NaN included), else -1.
   */
  quantize: (src: number, quads: number, dst: number, params: number) => void;
  /** (x, count, dst): dst[i] = max(0, x[i]) for count int16, in blocks of 8 (the tensors' guard takes the overrun). */
  relu: (x: number, count: number, dst: number) => void;
};

const P = {
  a: 0,
  aStride: 1,
  rows: 2,
  panels: 3,
  pairs: 4,
  chunk: 5,
  blocks: 6,
  lanes: 7,
  laneBias: 8,
  laneBiasStride: 9,
  rowBias: 10,
  rowBiasStride: 11,
  shift: 12,
  out: 13,
  outRowStride: 14,
} as const;

/** Picks the low 32 bits of each int64 lane of two vectors: four int32. */
const LOW_WORDS = [0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27];

/** The code for one block of `R` rows starting at row local `r0`. */
function rowBlock(f: FunctionBuilder, R: number, r0: number, limits: { min: number; max: number }): void {
  const ar = Array.from({ length: R }, () => f.local(I32));
  const orow = Array.from({ length: R }, () => f.local(I32));
  const rb = Array.from({ length: R }, () => f.local(V128));
  const a32 = Array.from({ length: R }, () => f.local(V128));
  const a64 = Array.from({ length: R }, () => [f.local(V128), f.local(V128)] as const);
  const j = f.local(I32);
  const p = f.local(I32);
  const end = f.local(I32);
  const bp = f.local(I32);
  const ao = f.local(I32);
  const lb = f.local(I32);
  const at = f.local(I32);
  const l = f.local(I32);
  const bv = f.local(V128);
  const lo = f.local(V128);
  const hi = f.local(V128);
  const row = f.local(I32);
  for (let r = 0; r < R; r++) {
    f.get(r0).i32(r).emit(op.i32Add).set(row);
    f.get(row).get(P.aStride).emit(op.i32Mul).get(P.a).emit(op.i32Add).set(ar[r]!);
    f.get(row).get(P.outRowStride).emit(op.i32Mul).get(P.out).emit(op.i32Add).set(orow[r]!);
    f.get(row).get(P.rowBiasStride).emit(op.i32Mul).get(P.rowBias).emit(op.i32Add).mem(op.i64Load, 3).v(simd.i64x2Splat).set(rb[r]!);
  }
  f.i32(0).set(j).get(P.laneBias).set(lb).get(P.panels).set(bp);
  f.whileLt(
    j,
    () => f.get(P.blocks),
    () => {
      // The accumulators start at the row's and the lanes' bias (2^(s-1) included).
      for (let r = 0; r < R; r++) {
        f.get(lb).vmem(simd.load, 4, 0).get(rb[r]!).v(simd.i64x2Add).set(a64[r]![0]);
        f.get(lb).vmem(simd.load, 4, 16).get(rb[r]!).v(simd.i64x2Add).set(a64[r]![1]);
      }
      f.i32(0).set(ao).i32(0).set(p);
      f.whileLt(
        p,
        () => f.get(P.pairs),
        () => {
          // end = min(p + chunk, pairs)
          f.get(p).get(P.chunk).emit(op.i32Add).set(end);
          f.get(end).get(P.pairs).get(end).get(P.pairs).emit(op.i32LtS, op.select).set(end);
          for (let r = 0; r < R; r++) f.i32(0).v(simd.i32x4Splat).set(a32[r]!);
          f.whileLt(
            p,
            () => f.get(end),
            () => {
              f.get(bp).vmem(simd.load, 4).set(bv);
              for (let r = 0; r < R; r++) {
                f.get(a32[r]!);
                f.get(ar[r]!).get(ao).emit(op.i32Add).vmem(simd.load32Splat, 2);
                f.get(bv).v(simd.i32x4Dot16).v(simd.i32x4Add).set(a32[r]!);
              }
              f.addTo(bp, 16).addTo(ao, 4).addTo(p, 1);
            },
          );
          for (let r = 0; r < R; r++) {
            f.get(a64[r]![0]).get(a32[r]!).v(simd.i64x2ExtendLowS).v(simd.i64x2Add).set(a64[r]![0]);
            f.get(a64[r]![1]).get(a32[r]!).v(simd.i64x2ExtendHighS).v(simd.i64x2Add).set(a64[r]![1]);
          }
        },
      );
      // Epilogue: floor shift, saturate to int16, pack four outputs, store them.
      for (let r = 0; r < R; r++) {
        for (const [h, v] of [
          [0, lo],
          [1, hi],
        ] as const) {
          f.get(a64[r]![h]).get(P.shift).v(simd.i64x2ShrS).set(v);
          f.get(v).get(limits.min).get(v).get(limits.min).v(simd.i64x2GtS).v(simd.bitselect).set(v);
          f.get(v).get(limits.max).get(v).get(limits.max).v(simd.i64x2LtS).v(simd.bitselect).set(v);
        }
        f.get(lo)
          .get(hi)
          .v(simd.shuffle)
          .emit(...LOW_WORDS)
          .set(lo);
        f.get(lo).get(lo).v(simd.i16x8NarrowI32x4S).set(lo);
        f.get(j).i32(8).emit(op.i32Mul).get(orow[r]!).emit(op.i32Add).set(at);
        // A whole block of real lanes takes one 64-bit store; the last, partial one lane stores.
        f.get(j).i32(4).emit(op.i32Mul).i32(4).emit(op.i32Add).get(P.lanes).emit(op.i32GtS, op.i32Eqz);
        f.emit(0x04, 0x40); // if
        f.get(at).get(lo).vstoreLane(simd.store64Lane, 0, 0);
        f.emit(0x05); // else
        for (let lane = 0; lane < 4; lane++) {
          f.get(j).i32(4).emit(op.i32Mul).i32(lane).emit(op.i32Add).set(l);
          f.get(l).get(P.lanes).emit(op.i32LtS);
          f.ifThen(() => {
            f.get(at)
              .get(lo)
              .vstoreLane(simd.store16Lane, 0, lane, lane * 2);
          });
        }
        f.emit(0x0b); // end if
      }
      f.addTo(j, 1).addLocal(lb, P.laneBiasStride);
    },
  );
}

function gemm(): FunctionBuilder {
  const f = new FunctionBuilder(15);
  const r0 = f.local(I32);
  const limit = f.local(I32);
  const min = f.local(V128);
  const max = f.local(V128);
  f.i64(-32768n).v(simd.i64x2Splat).set(min);
  f.i64(32767n).v(simd.i64x2Splat).set(max);
  f.i32(0).set(r0);
  f.get(P.rows).i32(-3).emit(op.i32Add).set(limit);
  f.whileLt(
    r0,
    () => f.get(limit),
    () => {
      rowBlock(f, 4, r0, { min, max });
      f.addTo(r0, 4);
    },
  );
  f.whileLt(
    r0,
    () => f.get(P.rows),
    () => {
      rowBlock(f, 1, r0, { min, max });
      f.addTo(r0, 1);
    },
  );
  return f;
}

/** Eight int16 gathered from `base` + the eight int32 byte offsets at `table`: a vector. */
function gather8(f: FunctionBuilder, base: number, table: number, into: number): void {
  f.i32(0).v(simd.i32x4Splat).set(into);
  for (let lane = 0; lane < 8; lane++) {
    f.get(base)
      .get(table)
      .mem(op.i32Load, 2, lane * 4)
      .emit(op.i32Add)
      .get(into)
      .vstoreLane(simd.load16Lane, 1, lane)
      .set(into);
  }
}

function im2col(): FunctionBuilder {
  const f = new FunctionBuilder(7);
  const [x, table, mask, count, dst, samples, xStride] = [0, 1, 2, 3, 4, 5, 6];
  const n = f.local(I32);
  const i = f.local(I32);
  const t = f.local(I32);
  const k = f.local(I32);
  const base = f.local(I32);
  const out = f.local(I32);
  const v = f.local(V128);
  f.i32(0).set(n).get(x).set(base).get(dst).set(out);
  f.whileLt(
    n,
    () => f.get(samples),
    () => {
      f.i32(0).set(i).get(table).set(t).get(mask).set(k);
      f.whileLt(
        i,
        () => f.get(count),
        () => {
          // Padding has offset 0 (inside the sample) and a zero mask.
          gather8(f, base, t, v);
          f.get(out).get(v).get(k).vmem(simd.load, 0).v(simd.and).vmem(simd.store, 0);
          f.addTo(out, 16).addTo(t, 32).addTo(k, 16).addTo(i, 8);
        },
      );
      f.addLocal(base, xStride).addTo(n, 1);
    },
  );
  return f;
}

function maxpool(): FunctionBuilder {
  const f = new FunctionBuilder(9);
  const [x, table, mask, window, blocks, dst, planes, xStride, outStride] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const c = f.local(I32);
  const b = f.local(I32);
  const e = f.local(I32);
  const t = f.local(I32);
  const k = f.local(I32);
  const base = f.local(I32);
  const plane = f.local(I32);
  const out = f.local(I32);
  const v = f.local(V128);
  const best = f.local(V128);
  const lowest = f.local(V128);
  f.i32(-32768).v(simd.i16x8Splat).set(lowest);
  f.i32(0).set(c).get(x).set(base).get(dst).set(plane);
  f.whileLt(
    c,
    () => f.get(planes),
    () => {
      f.i32(0).set(b).get(table).set(t).get(mask).set(k).get(plane).set(out);
      f.whileLt(
        b,
        () => f.get(blocks),
        () => {
          // Eight outputs at once; a padded position counts as -32768, which never
          // beats the window's real positions (every window has one).
          f.get(lowest).set(best).i32(0).set(e);
          f.whileLt(
            e,
            () => f.get(window),
            () => {
              gather8(f, base, t, v);
              f.get(v).get(lowest).get(k).vmem(simd.load, 0).v(simd.bitselect).get(best).v(simd.i16x8MaxS).set(best);
              f.addTo(t, 32).addTo(k, 16).addTo(e, 1);
            },
          );
          f.get(out).get(best).vmem(simd.store, 0);
          f.addTo(out, 16).addTo(b, 1);
        },
      );
      f.addLocal(base, xStride).addLocal(plane, outStride).addTo(c, 1);
    },
  );
  return f;
}

/** Picks the low 16 bits of each int64 lane of two vectors: four int16 in the low half. */
const LOW_HALVES = [0, 1, 8, 9, 16, 17, 24, 25, 0, 1, 8, 9, 16, 17, 24, 25];

function quantize(): FunctionBuilder {
  const f = new FunctionBuilder(4);
  const [src, quads, dst, params] = [0, 1, 2, 3];
  const i = f.local(I32);
  const splat = (value: number) => {
    const local = f.local(V128);
    f.f64(value).v(simd.f64x2Splat).set(local);
    return local;
  };
  const min = f.local(V128);
  const max = f.local(V128);
  const scale = f.local(V128);
  f.get(params).mem(op.f64Load, 3, 0).v(simd.f64x2Splat).set(min);
  f.get(params).mem(op.f64Load, 3, 8).v(simd.f64x2Splat).set(max);
  f.get(params).mem(op.f64Load, 3, 16).v(simd.f64x2Splat).set(scale);
  const half = splat(0.5);
  const one = splat(1);
  const sign = splat(-0);
  const low = splat(-32768);
  const high = splat(32767);
  // 1.5 * 2^52: adding it to an integer-valued double below 2^51 in magnitude leaves
  // that integer, two's complement, in the low bits of the sum's bit pattern.
  const magic = splat(2 ** 52 + 2 ** 51);
  const bad = f.local(V128);
  const v = f.local(V128);
  const a = f.local(V128);
  const whole = f.local(V128);
  const q = [f.local(V128), f.local(V128)];
  f.i32(0).v(simd.i32x4Splat).set(bad);
  f.i32(0).set(i);
  f.whileLt(
    i,
    () => f.get(quads),
    () => {
      for (let h = 0; h < 2; h++) {
        f.get(src)
          .vmem(simd.load, 3, h * 16)
          .set(v);
        // Outside the range, or NaN (every comparison with NaN is false), marks the input bad.
        f.get(bad).get(v).get(min).v(simd.f64x2Ge).get(v).get(max).v(simd.f64x2Le).v(simd.and).v(simd.not).v(simd.or).set(bad);
        // sign(t) * floor(|t| + 1/2), as whole + (|t| - whole >= 1/2) so that no addition
        // rounds; the sign bit of t is put back on the non-negative result, then saturated.
        f.get(v).get(scale).v(simd.f64x2Mul).set(v);
        f.get(v).v(simd.f64x2Abs).set(a);
        f.get(a).v(simd.f64x2Floor).set(whole);
        f.get(whole).get(a).get(whole).v(simd.f64x2Sub).get(half).v(simd.f64x2Ge).get(one).v(simd.and).v(simd.f64x2Add);
        f.get(v).get(sign).v(simd.and).v(simd.or).get(low).v(simd.f64x2Pmax).get(high).v(simd.f64x2Pmin);
        f.get(magic).v(simd.f64x2Add).set(q[h]!);
      }
      f.get(dst)
        .get(q[0]!)
        .get(q[1]!)
        .v(simd.shuffle)
        .emit(...LOW_HALVES)
        .vstoreLane(simd.store64Lane, 0, 0);
      f.addTo(src, 32).addTo(dst, 8).addTo(i, 1);
    },
  );
  f.get(params).i32(0).i32(-1).get(bad).v(simd.anyTrue).emit(op.select).mem(op.i32Store, 2, 24);
  return f;
}

function relu(): FunctionBuilder {
  const f = new FunctionBuilder(3);
  const [x, count, dst] = [0, 1, 2];
  const i = f.local(I32);
  f.i32(0).set(i);
  f.whileLt(
    i,
    () => f.get(count),
    () => {
      f.get(dst).get(x).vmem(simd.load, 0).i32(0).v(simd.i32x4Splat).v(simd.i16x8MaxS).vmem(simd.store, 0);
      f.addTo(x, 16).addTo(dst, 16).addTo(i, 8);
    },
  );
  return f;
}

let compiled: WebAssembly.Module | undefined;

/** The kernels bound to one memory (one per engine). */
export function instantiateKernels(memory: WebAssembly.Memory): Kernels {
  compiled ??= new WebAssembly.Module(
    assembleModule([
      { name: 'gemm', body: gemm() },
      { name: 'im2col', body: im2col() },
      { name: 'maxpool', body: maxpool() },
      { name: 'relu', body: relu() },
      { name: 'quantize', body: quantize() },
    ]),
  );
  const instance = new WebAssembly.Instance(compiled, { env: { memory } });
  return instance.exports as unknown as Kernels;
}
