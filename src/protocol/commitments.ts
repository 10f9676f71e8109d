// The hashes a receipt commits to, computed the same way by client, provider, gateway
// and (later) the dispute contract:
//  - inputHash: Merkle root of the quantized input, i.e. the trace's tensor 0 root;
//  - outputHash: Merkle root of the output integers (fixed point), i.e. the trace's last
//    tensor root, or keccak256 of the output as little-endian float32 bytes (float path,
//    verification none).
// Both roots are the trace's tensor roots (docs/engine-spec.md, "Execution trace"): a
// provider that builds the trace takes them from it rather than hashing again.
import { keccak256, type Hex } from 'viem';
import { quantizeInput, tensorRoot, type Engine } from '../engine/index.ts';

/** Quantizes one sample (throws the engine's input errors) and returns its Merkle root. */
export function inputHashOf(engine: Engine, input: readonly number[]): { inputHash: Hex; quantized: Int32Array } {
  const { data } = quantizeInput(engine, input, { batch: 1 });
  const quantized = Int32Array.from(data);
  return { inputHash: tensorRoot(quantized), quantized };
}

export function fixedOutputHash(output: ArrayLike<number>): Hex {
  return tensorRoot(Int32Array.from(output));
}

export function floatOutputHash(output: ArrayLike<number>): Hex {
  const floats = Float32Array.from(output);
  return keccak256(new Uint8Array(floats.buffer, floats.byteOffset, floats.byteLength));
}
