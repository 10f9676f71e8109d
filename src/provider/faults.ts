// A deliberately faulty provider, for demonstrations and end-to-end tests of the
// dispute machinery. Under `fault: { rate, seed }` a node cheats on that share of its
// fixed-point requests: it signs a receipt over a trace whose last tensor (the output)
// is off by one in one element, and returns that output, so the result matches its
// receipt and only re-execution shows the lie. The choice is a pure function of the
// seed and the request hash, so the node can rebuild the very trace it signed when the
// dispute comes (and lose it). Never on unless asked for.
import { encodePacked, hexToBigInt, keccak256, type Hex } from 'viem';
import { ACT_MAX } from '../engine/fixed.ts';
import { buildTrace, type Trace } from '../engine/trace.ts';
import { WatchError } from '../verify/watch-errors.ts';
import { ioHash } from '../zk/commitment.ts';
import type { ZkAnswer } from './serve.ts';

export type FaultOptions = {
  /** Share of fixed-point requests answered wrongly, from 0 to 1. */
  rate: number;
  /** Chooses which requests; the same seed cheats on the same requests. */
  seed: number;
};

/** Resolution of the rate: the request hash picks a point in [0, 2^32). */
const SCALE = 2 ** 32;

export function checkFaultOptions(fault: FaultOptions): FaultOptions {
  if (typeof fault.rate !== 'number' || !(fault.rate >= 0 && fault.rate <= 1)) {
    throw new WatchError('WATCH_FAULT_OPTIONS_INVALID', 'fault.rate must be a number from 0 to 1.', { details: [`got ${String(fault.rate)}`] });
  }
  if (!Number.isSafeInteger(fault.seed) || fault.seed < 0) {
    throw new WatchError('WATCH_FAULT_OPTIONS_INVALID', 'fault.seed must be a non-negative integer.', { details: [`got ${String(fault.seed)}`] });
  }
  return Object.freeze({ rate: fault.rate, seed: fault.seed });
}

/** True when the node cheats on this request (deterministic in seed and request hash). */
export function cheatsOn(fault: FaultOptions, requestHash: Hex): boolean {
  if (fault.rate <= 0) return false;
  const draw = hexToBigInt(keccak256(encodePacked(['uint256', 'bytes32'], [BigInt(fault.seed), requestHash]))) % BigInt(SCALE);
  return Number(draw) < fault.rate * SCALE;
}

/**
 * The trace a cheating node signs: element 0 of the last tensor moved by one (down when
 * it is at the int16 ceiling). Earlier tensors are honest, so the game narrows the
 * dispute to the last layer and its one-step re-execution convicts the node.
 */
export function tamperedTrace(honest: Trace): Trace {
  const tensors = honest.tensors.map((t) => Int32Array.from(t));
  const last = tensors[tensors.length - 1]!;
  last[0] = last[0]! >= ACT_MAX ? last[0]! - 1 : last[0]! + 1;
  return buildTrace(tensors);
}

/** The trace the node signs for a request: tampered when the fault option picks it. */
export function signedTraceFor(fault: FaultOptions | undefined, requestHash: Hex, honest: Trace): Trace {
  return fault && cheatsOn(fault, requestHash) ? tamperedTrace(honest) : honest;
}

/**
 * How a deliberately lying zk provider lies (tests and demonstrations of the zk checks):
 *  - 'tampered-proof': a wrong output (element 0 off by one) with public signals claiming
 *    it and the honest proof's points, which therefore fail: the client refuses it before
 *    paying, and the receipt binds the failing proof, so ZkReceiptSlasher slashes it;
 *  - 'other-output': a wrong output with the honest, valid proof (of the real output):
 *    the gateway and the client refuse it before paying, since the proof's I/O hash is not
 *    that of the input and the output claimed, and ZkReceiptSlasher slashes it once given
 *    the receipt's input and output, whose Poseidon I/O hash it recomputes.
 */
export type ZkFault = 'tampered-proof' | 'other-output';
export const zkFaults: readonly ZkFault[] = ['tampered-proof', 'other-output'];

export function lyingZkAnswer(fault: ZkFault, honest: ZkAnswer, quantizedInput: readonly number[]): ZkAnswer {
  const output = [...honest.output];
  output[0] = output[0]! >= ACT_MAX ? output[0]! - 1 : output[0]! + 1;
  if (fault === 'other-output') return { output, zk: honest.zk };
  const publicSignals = [honest.zk.publicSignals[0]!, ioHash(quantizedInput, output).toString()];
  return { output, zk: { proof: honest.zk.proof, publicSignals } };
}
