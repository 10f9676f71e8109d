// Paid calls through the gateway (docs/x402.md): POST /x402/v1/infer/<modelId>. The
// gateway holds no funds and settles nothing: the payee checks and settles its own
// payment. An unpaid call goes to the provider routing ranks first, whose 402 names
// itself as payTo at its price; the paid retry goes to the provider its payment names
// (accepted.payTo), so it lands where it can be settled. The gateway refuses a
// malformed PAYMENT-SIGNATURE, or one naming no provider of this network, before any
// provider sees it, and checks the receipt of every paid answer it relays. Both schemes
// pass through: `exact`, and the batched scheme over the escrow channel, whose 402
// requirement and PAYMENT-RESPONSE the provider writes and the gateway relays as they are.
import { Hono, type Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { getAddress, isAddress, maxUint256, type Address, type Hex } from 'viem';
import type { Logger } from '../log.ts';
import { httpCall } from '../net/http-client.ts';
import { readJson } from '../net/http.ts';
import { ProtocolError } from '../protocol/errors.ts';
import type { InferenceRequest, ProtocolDomain } from '../protocol/messages.ts';
import type { ObservedResult } from '../verify/observed-result.ts';
import { decodePaymentSignatureHeader } from '@x402/core/http';
import { parseBatchedPayment, type BatchedPayment } from '../x402/batched-payload.ts';
import { BATCHED_SCHEME } from '../x402/batched-requirements.ts';
import { X402Error } from '../x402/errors.ts';
import { checkPaidResult } from '../x402/paid-result.ts';
import {
  decodeExactPayment,
  PAYMENT_REQUIRED_HEADER,
  PAYMENT_RESPONSE_HEADER,
  PAYMENT_SIGNATURE_HEADER,
  X402_INFER_PREFIX,
  type ExactPayment,
} from '../x402/payment.ts';
import { trimSlash } from './health.ts';
import type { NetworkTable, ProviderRecord } from './network-table.ts';
import { MAX_INFER_ANSWER_BYTES, type InferRouter } from './router.ts';

export type X402ProxyInit = {
  domain: ProtocolDomain;
  table: NetworkTable;
  router: InferRouter;
  maxBodyBytes: number;
  requestTimeoutMs: number;
  log: Logger;
  /** Told of every paid result relayed, as of the gateway's signed-request results (a watcher samples both). */
  onResult?: (result: ObservedResult) => void;
};

const x402Refusal = (c: Context, error: X402Error, status: ContentfulStatusCode) =>
  c.json({ error: { code: error.code, message: error.shortMessage, details: [...error.details] } }, status);

export function x402ProxyRoutes(init: X402ProxyInit): Hono {
  const app = new Hono();
  app.post(`${X402_INFER_PREFIX}:modelId`, async (c) => {
    const modelId = c.req.param('modelId').toLowerCase() as Hex;
    const model = init.table.models.get(modelId);
    if (!model || model.deprecated) {
      throw new ProtocolError('UNKNOWN_MODEL', `No model ${modelId} is registered${model ? ' that is not deprecated' : ''}.`, {
        details: ['see GET /v1/models'],
      });
    }
    const raw = await readJson(c, init.maxBodyBytes);
    const body = JSON.stringify(raw);
    const header = c.req.header(PAYMENT_SIGNATURE_HEADER);
    let payment: ExactPayment | BatchedPayment | undefined;
    let provider: ProviderRecord;
    if (header === undefined) {
      // The provider routing ranks first for this model, at whatever price it asks.
      const [best] = init.router.route({ modelId, maxFee: maxUint256 } as InferenceRequest);
      provider = (best as { provider: ProviderRecord }).provider;
    } else {
      try {
        payment = isBatched(header) ? parseBatchedPayment(decodePaymentSignatureHeader(header.trim())) : decodeExactPayment(header);
      } catch (error) {
        if (error instanceof X402Error) return x402Refusal(c, error, 400);
        throw error;
      }
      const payTo = payment.payload.accepted.payTo;
      const named = isAddress(payTo) ? init.table.providers.get(getAddress(payTo)) : undefined;
      if (!named) {
        return x402Refusal(
          c,
          new X402Error('invalid_exact_evm_recipient_mismatch', 'The payment is to no provider of this network.', {
            details: [`accepted.payTo: ${payTo}`, 'pay the provider a 402 from this gateway names'],
          }),
          400,
        );
      }
      provider = named;
    }
    const answer = await forward(init, provider, modelId, body, header);
    const relayed = new Headers({ 'content-type': 'application/json' });
    for (const name of [PAYMENT_REQUIRED_HEADER, PAYMENT_RESPONSE_HEADER]) {
      const value = answer.headers[name.toLowerCase()];
      if (typeof value === 'string') relayed.set(name, value);
    }
    if (answer.status === 200 && payment) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(answer.body.toString('utf8'));
        const paid = await checkPaidResult(parsed, { domain: init.domain, payment, modelId });
        const input = (raw as { input?: unknown } | null)?.input;
        if (Array.isArray(input))
          init.onResult?.({ request: paid.request, input: input as number[], receipt: paid.receipt, signature: paid.signature, output: paid.output });
      } catch (error) {
        // Already settled by the provider: the client keeps PAYMENT-RESPONSE and the receipt to dispute.
        init.log.warn('provider answered a paid call with a bad result', { provider: provider.address });
        const refusal =
          error instanceof ProtocolError ? error : new ProtocolError('PROVIDER_BAD_RESPONSE', `Provider ${provider.address} answered with garbage.`);
        return new Response(JSON.stringify({ ...refusal.toJSON(), answer: parsed ?? null }), { status: 502, headers: relayed });
      }
    }
    return new Response(answer.body, { status: answer.status, headers: relayed });
  });
  return app;
}

function isBatched(header: string): boolean {
  try {
    return (decodePaymentSignatureHeader(header.trim()) as { accepted?: { scheme?: unknown } }).accepted?.scheme === BATCHED_SCHEME;
  } catch {
    return false;
  }
}

async function forward(init: X402ProxyInit, provider: ProviderRecord, modelId: Hex, body: string, payment: string | undefined) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (payment !== undefined) headers[PAYMENT_SIGNATURE_HEADER] = payment;
  const signal = AbortSignal.timeout(init.requestTimeoutMs);
  try {
    return await httpCall(`${trimSlash(provider.endpoint)}${X402_INFER_PREFIX}${modelId}`, {
      method: 'POST',
      headers,
      body,
      signal,
      maxBytes: MAX_INFER_ANSWER_BYTES,
    });
  } catch (cause) {
    throw new ProtocolError('PROVIDER_FAILED', `Provider ${provider.address as Address} did not answer the paid call.`, {
      details: [
        signal.aborted ? 'timed out' : cause instanceof Error ? cause.message : String(cause),
        'nothing was settled unless a PAYMENT-RESPONSE came back',
      ],
    });
  }
}
