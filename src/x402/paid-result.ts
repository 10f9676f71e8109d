// Checks the answer to a paid call: the receipt is signed by the payee, is about the
// request the payment stands for (payer, nonce, amount, validity, model; input and
// mode as the answer states them), charges the amount paid and, for an exact payment,
// nothing on a voucher channel (channelTotal 0), for a batched one exactly the
// voucher's cumulative amount, and commits to the output returned. The gateway runs it on
// every paid answer it relays; a client runs it to trust what it paid for.
import { getAddress, type Address, type Hex } from 'viem';
import { fixedOutputHash, floatOutputHash } from '../protocol/commitments.ts';
import { ProtocolError } from '../protocol/errors.ts';
import { hashRequest, recoverReceiptSigner, verificationModes, type InferenceRequest, type ProtocolDomain, type Receipt } from '../protocol/messages.ts';
import { parseInferResult, parseRequest } from '../protocol/wire.ts';
import { batchedRequest, type BatchedPayment } from './batched-payload.ts';
import { paidRequest, type ExactPayment } from './payment.ts';

export type PaidResult = ReturnType<typeof parseInferResult> & { request: InferenceRequest };

export async function checkPaidResult(
  body: unknown,
  expected: { domain: ProtocolDomain; payment: ExactPayment | BatchedPayment; modelId: Hex },
): Promise<PaidResult> {
  const { payment } = expected;
  const exact = 'authorization' in payment;
  const provider = exact ? payment.authorization.to : payment.config.receiver;
  const fee = exact ? payment.authorization.value : BigInt(payment.payload.accepted.amount);
  let result: ReturnType<typeof parseInferResult>;
  let stated: InferenceRequest;
  try {
    result = parseInferResult(body);
    stated = parseRequest({ path: 'request', value: (body as { request?: unknown }).request });
  } catch (cause) {
    const details = cause instanceof ProtocolError ? [cause.shortMessage, ...cause.details] : [];
    throw new ProtocolError('PROVIDER_BAD_RESPONSE', `Provider ${provider} answered a paid call with a malformed result.`, { details });
  }
  const call = { modelId: expected.modelId, inputHash: stated.inputHash, verification: stated.verification };
  const request = exact ? paidRequest(payment, call) : batchedRequest(payment, { ...call, price: fee });
  const { receipt } = result;
  const problems: string[] = [];
  if (!exact && payment.config.modelId.toLowerCase() !== expected.modelId.toLowerCase())
    problems.push(`payment: for model ${payment.config.modelId}, not ${expected.modelId}`);
  const same = (field: keyof Receipt, got: Hex | Address | bigint, want: Hex | Address | bigint) => {
    if (String(got).toLowerCase() !== String(want).toLowerCase()) problems.push(`receipt.${field}: expected ${want}, got ${got}`);
  };
  same('requestHash', receipt.requestHash, hashRequest(expected.domain, request));
  same('provider', receipt.provider, provider);
  same('client', receipt.client, request.client);
  same('modelId', receipt.modelId, request.modelId);
  same('inputHash', receipt.inputHash, request.inputHash);
  same('fee', receipt.fee, fee);
  same('channelTotal', receipt.channelTotal, exact ? 0n : payment.voucher.cumulativeAmount);
  if (receipt.verification !== request.verification) problems.push(`receipt.verification: expected ${request.verification}, got ${receipt.verification}`);
  const fixed = verificationModes[request.verification] !== 'none';
  same('outputHash', receipt.outputHash, fixed ? fixedOutputHash(result.output) : floatOutputHash(result.output));
  const signer = await recoverReceiptSigner(expected.domain, receipt, result.signature).catch(() => undefined);
  if (signer === undefined || getAddress(signer) !== getAddress(provider))
    problems.push(`signature: expected the payee ${provider}, recovered ${signer ?? 'nothing'}`);
  if (problems.length > 0) {
    throw new ProtocolError('PROVIDER_BAD_RESPONSE', `Provider ${provider} answered a paid call with a receipt that does not match the payment.`, {
      details: problems,
    });
  }
  return { ...result, request };
}
