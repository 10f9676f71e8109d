// The terms of a receipt that its checkers (the gateway and the client) refuse
// whatever the provider claims, beyond matching the request field by field.
import { zeroHash } from 'viem';
import { zkProofBinding, type ZkProofResult } from '../zk/proof-format.ts';
import { isVerifiedMode, RECEIPT_CLOCK_SKEW_SECONDS, ZK_VERIFICATION, type InferenceRequest, type Receipt } from './messages.ts';

/**
 * What any checker of a receipt (gateway or client) refuses whatever the provider
 * claims: a verification mode other than the one asked for, a verified receipt that
 * commits to no trace (it could never be disputed), and a date far from the checker's
 * clock (a backdated receipt would leave the challenge window early).
 */
export function receiptTermProblems(receipt: Receipt, request: InferenceRequest, now: bigint): string[] {
  const problems: string[] = [];
  if (receipt.verification !== request.verification)
    problems.push(`receipt.verification: expected ${request.verification} as asked, got ${receipt.verification}`);
  if (isVerifiedMode(request.verification) && receipt.traceRoot === zeroHash)
    problems.push('receipt.traceRoot: zero, but a verified mode must commit to a trace');
  const skew = receipt.issuedAt > now ? receipt.issuedAt - now : now - receipt.issuedAt;
  if (skew > RECEIPT_CLOCK_SKEW_SECONDS)
    problems.push(`receipt.issuedAt: ${receipt.issuedAt} is ${skew} s from this clock (${now}); at most ${RECEIPT_CLOCK_SKEW_SECONDS} s allowed`);
  return problems;
}

/**
 * A zk receipt must come with its proof, and its traceRoot must be that proof's binding:
 * otherwise the provider's signature would not cover the proof, and a proof that fails
 * could not be shown to be the provider's. Nothing for other modes.
 */
export function zkBindingProblems(receipt: Receipt, zk: ZkProofResult | undefined): string[] {
  if (receipt.verification !== ZK_VERIFICATION) return zk === undefined ? [] : ['zk: a proof came with a receipt that is not a zk one'];
  if (zk === undefined) return ['zk: a zk receipt came without its proof'];
  const binding = zkProofBinding(zk);
  return binding === receipt.traceRoot ? [] : [`receipt.traceRoot: ${receipt.traceRoot} is not the binding ${binding} of the proof sent`];
}
