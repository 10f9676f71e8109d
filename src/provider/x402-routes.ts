// Paid calls over x402 v2 (docs/x402.md): POST /x402/v1/infer/<modelId> with
// { input, verification? }. Without PAYMENT-SIGNATURE the answer is 402 with
// PAYMENT-REQUIRED (exact scheme, the Trellis token, this provider's price, payTo this
// provider). With it, in this order: the header must decode and be for this resource;
// the authorization must not be in use by another call here; x402's middleware has the
// facilitator verify it; the model runs and the receipt is signed; only an answer
// below 400 is settled, and only a settled result is recorded (and so fetchable at
// /v1/receipts) and delivered, with PAYMENT-RESPONSE. A call that fails settles nothing.
import { Hono, type Context, type Next } from 'hono';
import { paymentMiddleware } from '@x402/hono';
import { x402ResourceServer, type FacilitatorClient } from '@x402/core/server';
import { ExactEvmScheme } from '@x402/evm/exact/server';
import type { Address, Hex } from 'viem';
import type { Logger } from '../log.ts';
import { readJson } from '../net/http.ts';
import { inputHashOf } from '../protocol/commitments.ts';
import { ProtocolError } from '../protocol/errors.ts';
import { verificationModes } from '../protocol/messages.ts';
import { toWire } from '../protocol/wire.ts';
import { NONCE_ALREADY_USED, X402Error } from '../x402/errors.ts';
import {
  authorizationKey,
  decodeExactPayment,
  exactPaymentOption,
  exactPrice,
  networkOf,
  paidRequest,
  parseExactPayment,
  PAYMENT_SIGNATURE_HEADER,
  X402_INFER_PREFIX,
  type ExactPayment,
} from '../x402/payment.ts';
import type { Ledger, StoredResult } from './ledger.ts';
import type { RequestServer, ServedModel } from './serve.ts';

export type X402RoutesInit = {
  chainId: number;
  token: Address;
  provider: Address;
  models: ReadonlyMap<Hex, ServedModel>;
  requests: RequestServer;
  ledger: Ledger;
  facilitator: FacilitatorClient;
  log: Logger;
};

type Env = { Variables: { payment: ExactPayment; model: ServedModel } };

/** The error body of the rest of the API, with the x402 reason as its code. */
export const x402ErrorBody = (error: X402Error) => ({ error: { code: error.code, message: error.shortMessage, details: [...error.details] } });

export function x402Routes(init: X402RoutesInit): Hono<Env> {
  const network = networkOf(init.chainId);
  const server = new x402ResourceServer(init.facilitator).register(network, new ExactEvmScheme());
  /** Results computed for a verified payment, waiting for its settlement: by authorization key. */
  const unsettled = new Map<string, StoredResult>();
  /** Authorizations of calls under way here: the same one presented twice at once is refused, not run twice. */
  const claimed = new Set<string>();
  const keyOf = (payment: ExactPayment) => authorizationKey({ network, asset: init.token }, payment.authorization);
  server.onAfterSettle(async ({ paymentPayload }) => {
    // The middleware settles only payloads that passed verification, which parsed them.
    const key = keyOf(parseExactPayment(paymentPayload));
    const stored = unsettled.get(key);
    unsettled.delete(key);
    if (stored) await init.ledger.recordResult(stored);
  });

  const modelOf = (c: Context<Env>): ServedModel | undefined => {
    const id = c.req.path.slice(X402_INFER_PREFIX.length).toLowerCase() as Hex;
    return init.models.get(id);
  };
  const app = new Hono<Env>();
  const route = `${X402_INFER_PREFIX}*`;

  app.post(route, async (c: Context<Env>, next: Next) => {
    const model = modelOf(c);
    if (!model) {
      throw new ProtocolError('UNKNOWN_MODEL', 'This provider does not serve the model.', {
        details: [`path: ${c.req.path}`, `served: ${[...init.models.values()].map((m) => `${X402_INFER_PREFIX}${m.modelId}`).join(', ')}`],
      });
    }
    c.set('model', model);
    const header = c.req.header(PAYMENT_SIGNATURE_HEADER);
    if (header === undefined) return next();
    let payment: ExactPayment;
    try {
      payment = decodeExactPayment(header);
      checkResource(payment, c.req.path);
    } catch (error) {
      if (error instanceof X402Error) return c.json(x402ErrorBody(error), 400);
      throw error;
    }
    const key = keyOf(payment);
    if (claimed.has(key)) {
      return c.json(x402ErrorBody(new X402Error(NONCE_ALREADY_USED, 'This payment authorization is in use by another call here.')), 409);
    }
    claimed.add(key);
    c.set('payment', payment);
    try {
      await next();
    } finally {
      claimed.delete(key);
      unsettled.delete(key);
    }
  });

  app.use(
    route,
    paymentMiddleware(
      {
        [`POST ${route}`]: {
          accepts: {
            ...exactPaymentOption({ chainId: init.chainId, token: init.token, payTo: init.provider, amount: 0n }),
            // The route's first handler refused unknown models already.
            price: (context) => exactPrice(init.token, init.models.get(context.path.slice(X402_INFER_PREFIX.length).toLowerCase() as Hex)?.price ?? 0n),
          },
          description: 'One inference with a signed Trellis receipt',
          mimeType: 'application/json',
        },
      },
      server,
    ),
  );

  app.post(route, async (c) => {
    const model = c.get('model');
    const payment = c.get('payment');
    const body = (await readJson(c)) as { input?: unknown; verification?: unknown } | null;
    const input = body?.input;
    if (!Array.isArray(input) || !input.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      throw new ProtocolError('INVALID_BODY', 'input: expected an array of numbers.', { details: [`got ${JSON.stringify(input)?.slice(0, 60)}`] });
    }
    const mode = body?.verification ?? 'none';
    const verification = verificationModes.indexOf(mode as (typeof verificationModes)[number]);
    if (verification < 0) {
      throw new ProtocolError('INVALID_BODY', `verification: expected one of ${verificationModes.join(', ')}.`, { details: [`got ${JSON.stringify(mode)}`] });
    }
    const { inputHash } = inputHashOf(model.model.engine, input);
    const request = paidRequest(payment, { modelId: model.modelId, inputHash, verification });
    const stored = await init.requests.serveX402(request, input, payment.authorization.value);
    unsettled.set(keyOf(payment), stored);
    const { issuedAt: _, ...result } = stored;
    return c.json({ ...result, request: toWire(request) });
  });
  return app;
}

/** A payment names the resource it was made for; one made for another model's URL is refused. */
function checkResource(payment: ExactPayment, path: string): void {
  const url = payment.payload.resource?.url;
  if (url === undefined) return;
  let paidPath: string;
  try {
    paidPath = new URL(url).pathname;
  } catch {
    throw new X402Error('invalid_payload', 'The payment names a resource URL that does not parse.', { details: [`resource.url: ${url}`] });
  }
  if (paidPath.toLowerCase() !== path.toLowerCase()) {
    throw new X402Error('invalid_payload', 'The payment is for another resource.', { details: [`paid for: ${paidPath}`, `this resource: ${path}`] });
  }
}
