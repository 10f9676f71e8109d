// Arithmetic on masked vectors: Uint32Array wraps every store modulo 2^32, and a
// power-of-two modulus below that divides 2^32, so one final bit mask reduces a whole
// chain of additions and subtractions.
export function addInto(target: Uint32Array, values: Uint32Array): void {
  for (let i = 0; i < target.length; i++) target[i] = target[i]! + values[i]!;
}

export function subtractInto(target: Uint32Array, values: Uint32Array): void {
  for (let i = 0; i < target.length; i++) target[i] = target[i]! - values[i]!;
}

export function reduceInto(target: Uint32Array, modulus: number): void {
  if (modulus >= 2 ** 32) return;
  const bits = modulus - 1;
  for (let i = 0; i < target.length; i++) target[i] = target[i]! & bits;
}
