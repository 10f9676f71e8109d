// keccak256 of exactly 64 bytes (two 32-byte nodes), the one hash a Merkle tree needs
// in bulk. A Keccak-f[1600] permutation over 32-bit lane halves with buffers reused
// across calls, so hashing a tree allocates nothing per node. Checked against
// @noble/hashes in its test; the tables below are derived from the Keccak definition.

/** Round constants (lo, hi) and rho rotations in pi order, derived once. */
const TABLES = (() => {
  const rcLo = new Int32Array(24);
  const rcHi = new Int32Array(24);
  let r = 1;
  for (let round = 0; round < 24; round++) {
    let lo = 0;
    let hi = 0;
    for (let j = 0; j < 7; j++) {
      if (r & 1) {
        const bit = 2 ** j - 1;
        if (bit < 32) lo |= 1 << bit;
        else hi |= 1 << (bit - 32);
      }
      // LFSR x^8 + x^6 + x^5 + x^4 + 1 advanced one step.
      r = (r << 1) ^ (r & 0x80 ? 0x71 : 0);
      r &= 0xff;
    }
    rcLo[round] = lo;
    rcHi[round] = hi;
  }
  // rho offsets and pi destinations, walking (x, y) from (1, 0).
  const rot = new Int32Array(24);
  const dest = new Int32Array(24);
  const src = new Int32Array(24);
  let x = 1;
  let y = 0;
  for (let t = 0; t < 24; t++) {
    rot[t] = (((t + 1) * (t + 2)) / 2) % 64;
    src[t] = x + 5 * y;
    const nx = y;
    const ny = (2 * x + 3 * y) % 5;
    x = nx;
    y = ny;
    dest[t] = x + 5 * y;
  }
  return { rcLo, rcHi, rot, src, dest };
})();

export type KeccakPair = (data: Uint8Array, offset: number, out: Uint8Array, outOffset: number) => void;

/**
 * Returns a hasher of 64 bytes at data[offset..offset+64) into out[outOffset..+32).
 * The returned function owns its scratch state; create one per caller.
 */
export function createKeccakPair(): KeccakPair {
  const lo = new Int32Array(25);
  const hi = new Int32Array(25);
  const cLo = new Int32Array(5);
  const cHi = new Int32Array(5);
  const { rcLo, rcHi, rot, src, dest } = TABLES;
  return (data, offset, out, outOffset) => {
    lo.fill(0);
    hi.fill(0);
    for (let i = 0; i < 8; i++) {
      const o = offset + 8 * i;
      lo[i] = data[o]! | (data[o + 1]! << 8) | (data[o + 2]! << 16) | (data[o + 3]! << 24);
      hi[i] = data[o + 4]! | (data[o + 5]! << 8) | (data[o + 6]! << 16) | (data[o + 7]! << 24);
    }
    // Padding 0x01 at byte 64 (lane 8), 0x80 at byte 135 (lane 16, top byte).
    lo[8] = 1;
    hi[16] = 0x80000000 | 0;
    for (let round = 0; round < 24; round++) {
      // theta
      for (let x = 0; x < 5; x++) {
        cLo[x] = lo[x]! ^ lo[x + 5]! ^ lo[x + 10]! ^ lo[x + 15]! ^ lo[x + 20]!;
        cHi[x] = hi[x]! ^ hi[x + 5]! ^ hi[x + 10]! ^ hi[x + 15]! ^ hi[x + 20]!;
      }
      for (let x = 0; x < 5; x++) {
        const l1 = cLo[(x + 1) % 5]!;
        const h1 = cHi[(x + 1) % 5]!;
        const dLo = cLo[(x + 4) % 5]! ^ ((l1 << 1) | (h1 >>> 31));
        const dHi = cHi[(x + 4) % 5]! ^ ((h1 << 1) | (l1 >>> 31));
        for (let y = 0; y < 25; y += 5) {
          lo[x + y] = lo[x + y]! ^ dLo;
          hi[x + y] = hi[x + y]! ^ dHi;
        }
      }
      // rho and pi: walk the 24-cycle carrying the displaced lane.
      let carryLo = lo[src[0]!]!;
      let carryHi = hi[src[0]!]!;
      for (let t = 0; t < 24; t++) {
        const d = dest[t]!;
        const nextLo = lo[d]!;
        const nextHi = hi[d]!;
        const n = rot[t]!;
        let rl: number;
        let rh: number;
        if (n === 0) {
          rl = carryLo;
          rh = carryHi;
        } else if (n < 32) {
          rl = (carryLo << n) | (carryHi >>> (32 - n));
          rh = (carryHi << n) | (carryLo >>> (32 - n));
        } else if (n === 32) {
          rl = carryHi;
          rh = carryLo;
        } else {
          const m = n - 32;
          rl = (carryHi << m) | (carryLo >>> (32 - m));
          rh = (carryLo << m) | (carryHi >>> (32 - m));
        }
        lo[d] = rl;
        hi[d] = rh;
        carryLo = nextLo;
        carryHi = nextHi;
      }
      // chi
      for (let y = 0; y < 25; y += 5) {
        const l0 = lo[y]!,
          l1 = lo[y + 1]!,
          l2 = lo[y + 2]!,
          l3 = lo[y + 3]!,
          l4 = lo[y + 4]!;
        const h0 = hi[y]!,
          h1 = hi[y + 1]!,
          h2 = hi[y + 2]!,
          h3 = hi[y + 3]!,
          h4 = hi[y + 4]!;
        lo[y] = l0 ^ (~l1 & l2);
        lo[y + 1] = l1 ^ (~l2 & l3);
        lo[y + 2] = l2 ^ (~l3 & l4);
        lo[y + 3] = l3 ^ (~l4 & l0);
        lo[y + 4] = l4 ^ (~l0 & l1);
        hi[y] = h0 ^ (~h1 & h2);
        hi[y + 1] = h1 ^ (~h2 & h3);
        hi[y + 2] = h2 ^ (~h3 & h4);
        hi[y + 3] = h3 ^ (~h4 & h0);
        hi[y + 4] = h4 ^ (~h0 & h1);
      }
      // iota
      lo[0] = lo[0]! ^ rcLo[round]!;
      hi[0] = hi[0]! ^ rcHi[round]!;
    }
    for (let i = 0; i < 4; i++) {
      const o = outOffset + 8 * i;
      const l = lo[i]!;
      const h = hi[i]!;
      out[o] = l & 0xff;
      out[o + 1] = (l >>> 8) & 0xff;
      out[o + 2] = (l >>> 16) & 0xff;
      out[o + 3] = (l >>> 24) & 0xff;
      out[o + 4] = h & 0xff;
      out[o + 5] = (h >>> 8) & 0xff;
      out[o + 6] = (h >>> 16) & 0xff;
      out[o + 7] = (h >>> 24) & 0xff;
    }
  };
}
