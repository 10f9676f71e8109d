// Checks a provider's answer before the gateway passes it on: it parses, its receipt
// is signed by the provider the gateway sent the request to, and the receipt is about
// this very request (hash, client, model, input) at a fee the client accepted and a
// channel total it would pay, and the output it returns is the one the receipt
// commits to (in zk mode: with the proof the receipt binds). A forged or mismatched receipt is the provider's failure, and the router
// tries another provider. The answer to a sealed input is checked the same way except
// for the output, which the gateway cannot read: it must come sealed, never in the
// clear, and the client checks it against the receipt once opened.
import { getAddress, type Address, type Hex } from 'viem';
import { ProtocolError } from '../protocol/errors.ts';
import { fixedOutputHash, floatOutputHash } from '../protocol/commitments.ts';
import { hashRequest, recoverReceiptSigner, verificationModes, type InferenceRequest, type ProtocolDomain, type Receipt } from '../protocol/messages.ts';
import { channelTotalProblems } from '../protocol/channel-total.ts';
import { receiptTermProblems, zkBindingProblems } from '../protocol/receipt-terms.ts';
import { parseInferResult, parseSealedInferResult } from '../protocol/wire.ts';

export type CheckedResult = ReturnType<typeof parseInferResult>;
export type CheckedSealedResult = ReturnType<typeof parseSealedInferResult>;

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
  const result = parsed(() => parseInferResult(body), expected);
  const fixed = verificationModes[expected.request.verification] !== 'none';
  const outputProblems =
    fixed && !result.output.every((v) => Number.isInteger(v) && v >= -32768 && v <= 32767)
      ? ['output: expected int16 integers for a fixed-point result']
      : mismatch('outputHash', result.receipt.outputHash, fixed ? fixedOutputHash(result.output) : floatOutputHash(result.output));
  await checkReceipt(result, expected, outputProblems);
  return result;
}

/** The answer to a sealed input: everything but the output, which only the client can open. */
export async function checkSealedInferResult(body: unknown, expected: ResultExpectations): Promise<CheckedSealedResult> {
  const result = parsed(() => parseSealedInferResult(body), expected);
  await checkReceipt(result, expected, []);
  return result;
}

function parsed<T>(parse: () => T, expected: ResultExpectations): T {
  try {
    return parse();
  } catch (cause) {
    const details = cause instanceof ProtocolError ? [cause.shortMessage, ...cause.details] : [];
    throw new ProtocolError('PROVIDER_BAD_RESPONSE', `Provider ${expected.provider} answered with a malformed result.`, { details });
  }
}

const mismatch = (field: keyof Receipt, got: Hex | Address, want: Hex | Address): string[] =>
  got.toLowerCase() === want.toLowerCase() ? [] : [`receipt.${field}: expected ${want}, got ${got}`];

async function checkReceipt(result: CheckedResult | CheckedSealedResult, expected: ResultExpectations, outputProblems: string[]): Promise<void> {
  const { receipt } = result;
  const { request } = expected;
  const mismatches: string[] = [...outputProblems];
  const same = (field: keyof Receipt, got: Hex | Address, want: Hex | Address) => mismatches.push(...mismatch(field, got, want));
  same('requestHash', receipt.requestHash, expected.requestHash ?? hashRequest(expected.domain, request));
  same('provider', receipt.provider, expected.provider);
  same('client', receipt.client, request.client);
  same('modelId', receipt.modelId, request.modelId);
  same('inputHash', receipt.inputHash, request.inputHash);
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
}
