// Add of two tensors of the same shape and possibly different scales:
//   acc = a * 2^alignA + b * 2^alignB      (both brought to scale max(fracA, fracB))
//   out = clamp(floor((acc + 2^(s-1)) / 2^s))
import { ACT_MAX, ACT_MIN, type Values } from '../fixed.ts';

export type AddParams = { alignA: number; alignB: number; shift: number };

export function add(p: AddParams, a: Values, b: Values, count: number, out: Values): void {
  const ma = 2 ** p.alignA;
  const mb = 2 ** p.alignB;
  const half = p.shift === 0 ? 0 : 2 ** (p.shift - 1);
  const inv = 2 ** -p.shift;
  for (let i = 0; i < count; i++) {
    const v = Math.floor((a[i]! * ma + b[i]! * mb + half) * inv);
    out[i] = v < ACT_MIN ? ACT_MIN : v > ACT_MAX ? ACT_MAX : v;
  }
}
