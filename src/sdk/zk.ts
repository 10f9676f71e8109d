// The client's side of verification zk (docs/zk.md). A zk answer is paid only once its
// proof checks out here: the proof verifies (snarkjs) against the model's committed
// verification key, its public signals are the model's Poseidon weight commitment as the
// ZkRegistry records it on chain and the I/O hash of this client's own input with the
// output it was given, and the receipt binds that very proof. Otherwise nothing is paid,
// and the refusal carries the signed receipt and the proof, so that a proof that fails can
// be taken to ZkReceiptSlasher.
//
// The same check serves a party that never sees the input (the insurer of the walk-through
// in docs/zk.md): it needs only the input's Poseidon hash (the "record hash"), the model and
// the claimed output (the decision).
import type { Hex } from 'viem';
import { ProtocolError } from '../protocol/errors.ts';
import type { Receipt } from '../protocol/messages.ts';
import { readVerificationKey } from '../zk/artifacts.ts';
import { poseidon, tensorHash } from '../zk/commitment.ts';
import type { ZkOpening } from '../zk/chain.ts';
import type { ZkProofResult } from '../zk/proof-format.ts';
import { releaseProver } from '../zk/curve-threads.ts';

export type ZkClaim = {
  /** The model's name (its committed verification key is models/zk/<model>/vkey.json). */
  model: string;
  /** Poseidon hash of the quantized input (src/zk/commitment.ts tensorHash): the record hash. */
  recordHash: bigint;
  /** The output integers claimed (fixed point): the decision. */
  output: readonly number[];
  /** The model's Poseidon weight commitment, as registered on chain (ZkRegistry.verifierOf). */
  commitment: bigint;
  zk: ZkProofResult;
};

/** What is wrong with a zk claim; empty when the proof shows the committed model gives this output on this record. */
export async function zkClaimProblems(claim: ZkClaim): Promise<string[]> {
  const { publicSignals, proof } = claim.zk;
  if (publicSignals.length !== 2) return [`publicSignals: expected 2 (weight commitment, I/O hash), got ${publicSignals.length}`];
  const problems: string[] = [];
  if (BigInt(publicSignals[0]!) !== claim.commitment)
    problems.push(`publicSignals[0]: the proof is about weights ${publicSignals[0]}, the model is registered with ${claim.commitment}`);
  let outputHash: bigint;
  try {
    outputHash = tensorHash(claim.output);
  } catch {
    return [...problems, 'output: not int16 integers, so no proof can be about it'];
  }
  const io = poseidon([claim.recordHash, outputHash]);
  if (BigInt(publicSignals[1]!) !== io) problems.push(`publicSignals[1]: the proof's I/O hash is not that of this input and the output given (${io})`);
  const verified = await verifyProof(claim.model, publicSignals, proof);
  if (!verified) problems.push('proof: does not verify against the verification key of the model');
  return problems;
}

/**
 * snarkjs verifies on a curve object with a pool of worker threads, kept in a global; one
 * left behind keeps a process from ending. Verifications here run one at a time and end
 * the pool they started (a pool someone else started, e.g. an in-process prover, is left
 * alone).
 */
let verifying: Promise<unknown> = Promise.resolve();
function verifyProof(model: string, publicSignals: string[], proof: ZkProofResult['proof']): Promise<boolean> {
  const turn = verifying.then(async () => {
    const shared = globalThis as { curve_bn128?: unknown };
    const started = shared.curve_bn128 === null || shared.curve_bn128 === undefined;
    const { groth16 } = await import('snarkjs');
    try {
      // snarkjs refuses malformed points by throwing: that is a failed proof too.
      return await groth16.verify(readVerificationKey(model), publicSignals, proof).catch(() => false);
    } finally {
      if (started) await releaseProver();
    }
  });
  verifying = turn.catch(() => undefined);
  return turn;
}

/** Throws ZkProofRefusedError (nothing paid) unless the claim checks out. */
export async function verifyZkResult(claim: ZkClaim, evidence?: ZkEvidence): Promise<void> {
  const problems = await zkClaimProblems(claim);
  if (problems.length > 0) throw new ZkProofRefusedError(problems, evidence);
}

/**
 * What a refused zk answer leaves for the slash path: the signed receipt, the proof it
 * binds, and what its inputHash and outputHash commit to (the quantized input, the output
 * integers), so the slasher can recompute the I/O hash the proof should carry.
 */
export type ZkEvidence = { receipt: Receipt; signature: Hex; zk: ZkProofResult } & ZkOpening;

/** A zk answer whose proof does not check out: nothing was paid for it. */
export class ZkProofRefusedError extends ProtocolError {
  override name = 'ZkProofRefusedError';
  constructor(
    details: string[],
    /** Present when the answer was signed: ZkReceiptSlasher judges whether its proof fails. */
    readonly evidence?: ZkEvidence,
  ) {
    super('ZK_PROOF_INVALID', 'The zk proof does not check out.', {
      details: evidence ? [...details, 'nothing was paid for it; the signed receipt and its proof are kept for the slash path'] : details,
    });
  }
}
