// Checks a provider's answer before the gateway passes it on: it parses, its receipt
// is signed by the provider the gateway sent the request to, and the receipt is about
// this very request (hash, client, model, input) at a fee the client accepted and a
// channel total it would pay, and the output it returns is the one the receipt
// commits to (in zk mode: with the proof the receipt binds). A forged or mismatched receipt is the provider's failure, and the router
// tries another provider.
import { getAddress, type Address, type Hex } from 'viem';
import { ProtocolError } from '../protocol/errors.ts';
import { fixedOutputHash, floatOutputHash } from '../protocol/commitments.ts';
import { hashRequest, recoverReceiptSigner, verificationModes, type InferenceRequest, type ProtocolDomain, type Receipt } from '../protocol/messages.ts';
import { channelTotalProblems } from '../protocol/channel-total.ts';
import { receiptTermProblems, zkBindingProblems } from '../protocol/receipt-terms.ts';
import { parseInferResult } from '../protocol/wire.ts';

export type CheckedResult = ReturnType<typeof parseInferResult>;

export type ResultExpectations = {
  domain: ProtocolDomain;
  provider: Address;
  request: InferenceRequest;
  /** The request's hash when the caller already computed it (it is hashed once per request). */
  requestHash?: Hex;
  /**
   * What the client has paid this provider on the receipt's channel, when the gateway
   * knows it: then the receipt's channelTotal must be exactly that plus the fee.
   * Unknown (undefined), the total must at least cover the fee.
   */
  paidBefore?: (receipt: Receipt) => Promise<bigint | undefined>;
  now?: bigint;
};

export async function checkInferResult(body: unknown, expected: ResultExpectations): Promise<CheckedResult> {
  let result: CheckedResult;
  try {
    result = parseInferResult(body);
  } catch (cause) {
    const details = cause instanceof ProtocolError ? [cause.shortMessage, ...cause.details] : [];
    throw new ProtocolError('PROVIDER_BAD_RESPONSE', `Provider ${expected.provider} answered with a malformed result.`, { details });
  }
  const { receipt } = result;
  const { request } = expected;
  const mismatches: string[] = [];
  const same = (field: keyof Receipt, got: Hex | Address, want: Hex | Address) => {
    if (got.toLowerCase() !== want.toLowerCase()) mismatches.push(`receipt.${field}: expected ${want}, got ${got}`);
  };
  same('requestHash', receipt.requestHash, expected.requestHash ?? hashRequest(expected.domain, request));
  same('provider', receipt.provider, expected.provider);
  same('client', receipt.client, request.client);
  same('modelId', receipt.modelId, request.modelId);
  same('inputHash', receipt.inputHash, request.inputHash);
  // Fixed-point outputs are int16 integers; anything else cannot hash to a receipt.
  const fixed = verificationModes[request.verification] !== 'none';
  if (fixed && !result.output.every((v) => Number.isInteger(v) && v >= -32768 && v <= 32767))
    mismatches.push('output: expected int16 integers for a fixed-point result');
  else same('outputHash', receipt.outputHash, fixed ? fixedOutputHash(result.output) : floatOutputHash(result.output));
  if (receipt.fee > request.maxFee) mismatches.push(`receipt.fee: expected at most maxFee ${request.maxFee}, got ${receipt.fee}`);
  const paidBefore = await expected.paidBefore?.(receipt);
  if (paidBefore !== undefined) mismatches.push(...channelTotalProblems(receipt, paidBefore));
  else if (receipt.channelTotal < receipt.fee) mismatches.push(`receipt.channelTotal: expected at least the fee ${receipt.fee}, got ${receipt.channelTotal}`);
  mismatches.push(...receiptTermProblems(receipt, request, expected.now ?? BigInt(Math.floor(Date.now() / 1000))));
  // zk: the proof must be there and be the one the receipt binds; whether it verifies is
  // the paying client's check (it holds the verification key and reads the commitment).
  mismatches.push(...zkBindingProblems(receipt, result.zk));
  let signer: Address | undefined;
  try {
    signer = getAddress(await recoverReceiptSigner(expected.domain, receipt, result.signature));
  } catch {
    mismatches.push('signature: does not recover to any address');
  }
  if (signer !== undefined && signer !== expected.provider) mismatches.push(`signature: expected the provider ${expected.provider}, recovered ${signer}`);
  if (mismatches.length > 0) {
    throw new ProtocolError('PROVIDER_BAD_RESPONSE', `Provider ${expected.provider} answered with a receipt that does not match the request.`, {
      details: mismatches,
    });
  }
  return result;
}
