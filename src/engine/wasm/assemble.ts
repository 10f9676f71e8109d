// A small WebAssembly binary writer: just what the engine's kernels need (i32, i64 and
// v128 locals, structured loops, memory access, the SIMD integer operations), so that
// the kernels are written in TypeScript and assembled at load time, with no toolchain.
// Encodings follow the WebAssembly core specification (binary format, SIMD included).

export const I32 = 0x7f;
export const I64 = 0x7e;
export const F64 = 0x7c;
export const V128 = 0x7b;
export type ValueType = typeof I32 | typeof I64 | typeof F64 | typeof V128;

/** Plain opcodes used by the kernels. */
export const op = {
  select: 0x1b,
  i32Load: 0x28,
  i64Load: 0x29,
  f64Load: 0x2b,
  i32Store: 0x36,
  i32Eqz: 0x45,
  i32LtS: 0x48,
  i32GtS: 0x4a,
  i32GeS: 0x4e,
  i32Add: 0x6a,
  i32Mul: 0x6c,
} as const;

/** SIMD opcodes (after the 0xfd prefix). */
export const simd = {
  load: 0,
  load32Splat: 9,
  store: 11,
  shuffle: 13,
  i16x8Splat: 16,
  i64x2Splat: 18,
  f64x2Splat: 20,
  f64x2Le: 75,
  f64x2Ge: 76,
  not: 77,
  and: 78,
  or: 80,
  i32x4Splat: 17,
  bitselect: 82,
  anyTrue: 83,
  load16Lane: 85,
  store16Lane: 89,
  store64Lane: 91,
  i16x8NarrowI32x4S: 133,
  f64x2Floor: 117,
  i16x8MaxS: 152,
  i32x4Add: 174,
  i32x4Dot16: 186,
  i64x2ExtendLowS: 199,
  i64x2ExtendHighS: 200,
  i64x2ShrS: 204,
  i64x2Add: 206,
  i64x2LtS: 216,
  i64x2GtS: 217,
  f64x2Abs: 236,
  f64x2Add: 240,
  f64x2Sub: 241,
  f64x2Mul: 242,
  f64x2Pmin: 246,
  f64x2Pmax: 247,
} as const;

function unsignedLeb(n: number, out: number[]): void {
  let v = n >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
}

function signedLeb(n: bigint, out: number[]): void {
  let v = n;
  for (;;) {
    const byte = Number(v & 0x7fn);
    v >>= 7n;
    const done = (v === 0n && (byte & 0x40) === 0) || (v === -1n && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return;
  }
}

/** One function body under construction: locals are allocated as the code needs them. */
export class FunctionBuilder {
  readonly code: number[] = [];
  private readonly localTypes: ValueType[] = [];

  constructor(readonly paramCount: number) {}

  local(type: ValueType): number {
    this.localTypes.push(type);
    return this.paramCount + this.localTypes.length - 1;
  }

  emit(...bytes: number[]): this {
    this.code.push(...bytes);
    return this;
  }
  get(index: number): this {
    this.code.push(0x20);
    unsignedLeb(index, this.code);
    return this;
  }
  set(index: number): this {
    this.code.push(0x21);
    unsignedLeb(index, this.code);
    return this;
  }
  i32(value: number): this {
    this.code.push(0x41);
    signedLeb(BigInt(value), this.code);
    return this;
  }
  i64(value: bigint): this {
    this.code.push(0x42);
    signedLeb(value, this.code);
    return this;
  }
  f64(value: number): this {
    this.code.push(0x44, ...new Uint8Array(Float64Array.of(value).buffer));
    return this;
  }
  /** A memory access: opcode, then alignment (log2 bytes) and a constant offset. */
  mem(opcode: number, alignLog2: number, offset = 0): this {
    this.code.push(opcode);
    unsignedLeb(alignLog2, this.code);
    unsignedLeb(offset, this.code);
    return this;
  }
  v(simdOp: number): this {
    this.code.push(0xfd);
    unsignedLeb(simdOp, this.code);
    return this;
  }
  vmem(simdOp: number, alignLog2: number, offset = 0): this {
    this.v(simdOp);
    unsignedLeb(alignLog2, this.code);
    unsignedLeb(offset, this.code);
    return this;
  }
  /** A lane load or store: memarg, then the lane index. */
  vstoreLane(simdOp: number, alignLog2: number, lane: number, offset = 0): this {
    this.vmem(simdOp, alignLog2, offset);
    this.code.push(lane);
    return this;
  }
  vlane(simdOp: number, lane: number): this {
    this.v(simdOp);
    this.code.push(lane);
    return this;
  }
  /** local = local + constant (i32). */
  addTo(index: number, value: number): this {
    return this.get(index).i32(value).emit(op.i32Add).set(index);
  }
  /** local = local + other local (i32). */
  addLocal(index: number, other: number): this {
    return this.get(index).get(other).emit(op.i32Add).set(index);
  }
  /** `while (local < limit) body()`; `limit` pushes the bound (an i32). */
  whileLt(index: number, limit: () => void, body: () => void): this {
    this.code.push(0x02, 0x40, 0x03, 0x40); // block, loop (no result)
    this.get(index);
    limit();
    this.code.push(op.i32GeS, 0x0d, 1); // br_if 1: leave the block
    body();
    this.code.push(0x0c, 0, 0x0b, 0x0b); // br 0 (next turn), end loop, end block
    return this;
  }
  /** `if (condition) body()`; the condition is on the stack. */
  ifThen(body: () => void): this {
    this.code.push(0x04, 0x40);
    body();
    this.code.push(0x0b);
    return this;
  }

  bytes(): number[] {
    const out: number[] = [];
    unsignedLeb(this.localTypes.length, out);
    for (const t of this.localTypes) out.push(1, t);
    out.push(...this.code, 0x0b);
    const sized: number[] = [];
    unsignedLeb(out.length, sized);
    return [...sized, ...out];
  }
}

export type ExportedFunction = { name: string; body: FunctionBuilder };

function section(id: number, content: number[], out: number[]): void {
  out.push(id);
  unsignedLeb(content.length, out);
  out.push(...content);
}

function name(text: string, out: number[]): void {
  const bytes = new TextEncoder().encode(text);
  unsignedLeb(bytes.length, out);
  out.push(...bytes);
}

/**
 * A module that imports its memory as `env.memory` and exports the given functions.
 * Every function takes only i32 parameters and returns nothing.
 */
export function assembleModule(functions: readonly ExportedFunction[]): Uint8Array {
  const paramCounts = [...new Set(functions.map((f) => f.body.paramCount))];
  const out = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  const types: number[] = [];
  unsignedLeb(paramCounts.length, types);
  for (const n of paramCounts) {
    types.push(0x60);
    unsignedLeb(n, types);
    for (let i = 0; i < n; i++) types.push(I32);
    types.push(0);
  }
  section(1, types, out);
  const imports: number[] = [1];
  name('env', imports);
  name('memory', imports);
  imports.push(0x02, 0x00, 1); // memory, limits: minimum 1 page, no maximum
  section(2, imports, out);
  const funcs: number[] = [];
  unsignedLeb(functions.length, funcs);
  for (const f of functions) unsignedLeb(paramCounts.indexOf(f.body.paramCount), funcs);
  section(3, funcs, out);
  const exports: number[] = [];
  unsignedLeb(functions.length, exports);
  functions.forEach((f, i) => {
    name(f.name, exports);
    exports.push(0x00);
    unsignedLeb(i, exports);
  });
  section(7, exports, out);
  const code: number[] = [];
  unsignedLeb(functions.length, code);
  for (const f of functions) code.push(...f.body.bytes());
  section(10, code, out);
  return Uint8Array.from(out);
}
