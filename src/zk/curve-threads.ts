// snarkjs keeps a pool of worker threads for its BN254 curve in a global: a process that
// is done proving or verifying ends them, or they keep it alive.
export async function releaseProver(): Promise<void> {
  const curve = (globalThis as { curve_bn128?: { terminate(): Promise<void> } | null }).curve_bn128;
  if (curve) await curve.terminate();
  (globalThis as { curve_bn128?: unknown }).curve_bn128 = undefined;
}
