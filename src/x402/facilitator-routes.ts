// The facilitator over HTTP, in the shape x402's HTTPFacilitatorClient calls:
// POST {base}/verify and POST {base}/settle with { x402Version, paymentPayload,
// paymentRequirements }, GET {base}/supported. A verification or settlement that fails
// is still an answer (200, isValid or success false, with x402's reason); a body that
// is not one of those requests is 400 with reason invalid_payload.
import { Hono, type Context } from 'hono';
import type { FacilitatorClient } from '@x402/core/server';
import type { PaymentPayload, PaymentRequirements } from '@x402/core/types';
import { isPaymentRequirementsV2 } from '@x402/core/schemas';
import { readJson } from '../net/http.ts';

export const FACILITATOR_BASE_PATH = '/x402';

type Parsed = { ok: true; paymentPayload: PaymentPayload; paymentRequirements: PaymentRequirements } | { ok: false; message: string };

function parseRequest(body: unknown): Parsed {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return { ok: false, message: 'the body must be an object { x402Version, paymentPayload, paymentRequirements }' };
  const { paymentPayload, paymentRequirements } = body as Record<string, unknown>;
  if (typeof paymentPayload !== 'object' || paymentPayload === null) return { ok: false, message: 'paymentPayload: expected an x402 payment payload' };
  if (!isPaymentRequirementsV2(paymentRequirements)) return { ok: false, message: 'paymentRequirements: expected x402 version 2 payment requirements' };
  return { ok: true, paymentPayload: paymentPayload as PaymentPayload, paymentRequirements: paymentRequirements as PaymentRequirements };
}

async function readRequest(c: Context): Promise<Parsed> {
  try {
    return parseRequest(await readJson(c));
  } catch (error) {
    return { ok: false, message: error instanceof Error ? (error.message.split('\n')[0] ?? 'unreadable body') : 'unreadable body' };
  }
}

export function facilitatorRoutes(facilitator: FacilitatorClient): Hono {
  const app = new Hono();
  app.get(`${FACILITATOR_BASE_PATH}/supported`, async (c) => c.json(await facilitator.getSupported()));
  app.post(`${FACILITATOR_BASE_PATH}/verify`, async (c) => {
    const parsed = await readRequest(c);
    if (!parsed.ok) return c.json({ isValid: false, invalidReason: 'invalid_payload', invalidMessage: parsed.message }, 400);
    return c.json(await facilitator.verify(parsed.paymentPayload, parsed.paymentRequirements));
  });
  app.post(`${FACILITATOR_BASE_PATH}/settle`, async (c) => {
    const parsed = await readRequest(c);
    if (!parsed.ok) return c.json({ success: false, errorReason: 'invalid_payload', errorMessage: parsed.message, transaction: '', network: '' }, 400);
    return c.json(await facilitator.settle(parsed.paymentPayload, parsed.paymentRequirements));
  });
  return app;
}
