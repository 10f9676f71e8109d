// Seeded sampling of results to re-execute: a result is checked when a hash of the seed,
// the request and the provider falls below the rate. Deterministic, so two runs with the
// same seed check the same results, and a provider cannot tell which will be checked
// without the seed.
import { encodePacked, hexToBigInt, keccak256, type Address, type Hex } from 'viem';

const SCALE = 2 ** 32;

export function sampled(rate: number, seed: number, requestHash: Hex, provider: Address): boolean {
  if (rate >= 1) return true;
  if (rate <= 0) return false;
  const draw = hexToBigInt(keccak256(encodePacked(['uint256', 'bytes32', 'address'], [BigInt(seed), requestHash, provider]))) % BigInt(SCALE);
  return Number(draw) < rate * SCALE;
}
