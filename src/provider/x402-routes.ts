// Paid calls over x402 v2 (docs/x402.md): POST /x402/v1/infer/<modelId> with
// { input, verification? }. Without PAYMENT-SIGNATURE the answer is 402 with
// PAYMENT-REQUIRED (exact scheme, the Trellis token, this provider's price, payTo this
// provider). With it, in this order: the header must decode and be for this resource;
// the authorization must not be in use by another call here; x402's middleware has the
// facilitator verify it; the model runs and the receipt is signed; only an answer
// below 400 is settled, and only a settled result is recorded (and so fetchable at
// /v1/receipts) and delivered, with PAYMENT-RESPONSE. A call that fails settles nothing.
//
// The 402 also offers the batched scheme over the escrow channel (src/x402/batched-*.ts)
// when the node has its escrow wired in: a payment of that scheme is checked here
// (batched-check.ts), never by the facilitator, and in this order: the voucher (and a
// deposit it carries, submitted first), the model run, then the voucher and the receipt
// on disk, then the answer. Its vouchers go to the ledger, so the provider's settlement
// redeems them in bulk with every other voucher.
import { Hono, type Context, type Next } from 'hono';
import { paymentMiddleware } from '@x402/hono';
import { decodePaymentRequiredHeader, decodePaymentSignatureHeader, encodePaymentRequiredHeader, encodePaymentResponseHeader } from '@x402/core/http';
import type { PaymentPayload, PaymentRequired } from '@x402/core/types';
import { x402ResourceServer, type FacilitatorClient } from '@x402/core/server';
import { ExactEvmScheme } from '@x402/evm/exact/server';
import type { Address, Hex } from 'viem';
import type { SignerConnection } from '../chain/connect.ts';
import { escrowAbi } from '../chain/generated/Escrow.ts';
import { trellisParamsAbi } from '../chain/generated/TrellisParams.ts';
import type { Logger } from '../log.ts';
import { readJson } from '../net/http.ts';
import { inputHashOf } from '../protocol/commitments.ts';
import { ProtocolError } from '../protocol/errors.ts';
import { verificationModes } from '../protocol/messages.ts';
import { toWire } from '../protocol/wire.ts';
import { checkBatchedPayment, type BatchedCheckInit } from '../x402/batched-check.ts';
import { holdBatchedPayment } from '../x402/batched-hold.ts';
import { batchedRequest, readBatchedPaymentHeader, type BatchedPayment } from '../x402/batched-payload.ts';
import { BATCHED_SCHEME, batchedRequirements, channelIdOf, type BatchedRequirements } from '../x402/batched-requirements.ts';
import { BatchedVouchers } from '../x402/batched-vouchers.ts';
import { BatchedRefusal, NONCE_ALREADY_USED, X402Error } from '../x402/errors.ts';
import { checkPaidResource } from '../x402/paid-resource.ts';
import {
  authorizationKey,
  decodeExactPayment,
  exactPaymentOption,
  exactPrice,
  networkOf,
  paidRequest,
  parseExactPayment,
  PAYMENT_REQUIRED_HEADER,
  PAYMENT_RESPONSE_HEADER,
  PAYMENT_SIGNATURE_HEADER,
  X402_INFER_PREFIX,
  type ExactPayment,
} from '../x402/payment.ts';
import { channelKey, type Ledger, type StoredResult } from './ledger.ts';
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
  /** Offers the batched scheme over this escrow; absent, the 402 offers `exact` only. */
  batched?: BatchedInit;
};

export type BatchedInit = {
  /** The provider's own key: it submits deposits and reads the escrow. */
  connection: SignerConnection;
  escrow: Address;
  /** Where the batched vouchers' journal lives (the node's data directory). */
  dataDir: string;
  /** The smallest deposit the provider submits, in calls of the model's price (it pays the deposit's gas). */
  minDepositCalls?: number;
} & Pick<BatchedCheckInit, 'escrowAvailable' | 'escrowRedeemed' | 'afterDeposit'>;

/** By default a deposit must pay for at least this many calls: the provider pays its gas. */
export const DEFAULT_MIN_DEPOSIT_CALLS = 10;

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
  const batched = init.batched ? batchedRoute(init, init.batched) : undefined;
  const offerBatched = async (c: Context<Env>, model: ServedModel) => {
    const header = c.res.headers.get(PAYMENT_REQUIRED_HEADER);
    if (!header || !batched) return;
    const required = decodePaymentRequiredHeader(header);
    try {
      required.accepts = [...required.accepts, await batched.requirements(model)];
    } catch (error) {
      // The escrow's terms could not be read (the chain is away): exact is still offered.
      init.log.warn('batched scheme not offered', { reason: error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error) });
      return;
    }
    c.res.headers.set(PAYMENT_REQUIRED_HEADER, encodePaymentRequiredHeader(required));
  };
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
    if (header === undefined) {
      await next();
      // x402's middleware answered the 402 with `exact`: the batched scheme is offered beside it.
      if (c.res.status === 402 && batched) await offerBatched(c, model);
      return;
    }
    if (batched && schemeOf(header) === BATCHED_SCHEME) return batched.handle(c, model, header);
    let payment: ExactPayment;
    try {
      payment = decodeExactPayment(header);
      checkPaidResource(payment.payload, c.req.path);
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
    const { input, verification, inputHash } = await readCall(c, model);
    const request = paidRequest(payment, { modelId: model.modelId, inputHash, verification });
    const stored = await init.requests.serveX402(request, input, payment.authorization.value);
    unsettled.set(keyOf(payment), stored);
    const { issuedAt: _, ...result } = stored;
    return c.json({ ...result, request: toWire(request) });
  });
  return app;
}

/** The body of a paid call: its input and verification mode, and the input's hash. */
async function readCall(c: Context<Env>, model: ServedModel): Promise<{ input: number[]; verification: number; inputHash: Hex }> {
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
  return { input: input as number[], verification, inputHash: inputHashOf(model.model.engine, input as number[]).inputHash };
}

/** The scheme a PAYMENT-SIGNATURE names, read without judging the rest (each scheme's parser does). */
function schemeOf(header: string): string | undefined {
  try {
    return (decodePaymentSignatureHeader(header.trim()) as Partial<PaymentPayload>).accepted?.scheme;
  } catch {
    return undefined;
  }
}

/**
 * The batched scheme's side of the route: its requirement per model, and the paid call.
 * Calls of one channel run one at a time (the next voucher builds on the one before).
 */
function batchedRoute(init: X402RoutesInit, b: BatchedInit) {
  const network = networkOf(init.chainId);
  const vouchers = new BatchedVouchers(b.dataDir);
  // Vouchers on disk that the ledger's own journal lost in a crash go back to it.
  for (const signed of vouchers.all()) {
    try {
      init.ledger.acceptVoucher(signed);
    } catch {
      // Its receipt never reached the disk: the call was never answered, so nothing is owed.
    }
  }
  const check: BatchedCheckInit = {
    connection: b.connection,
    domain: { chainId: init.chainId, escrow: b.escrow },
    ledger: init.ledger,
    vouchers,
    escrowAvailable: b.escrowAvailable,
    escrowRedeemed: b.escrowRedeemed,
    afterDeposit: b.afterDeposit,
  };
  const busy = new Set<string>();
  let withdrawDelay: Promise<number> | undefined;
  const readWithdrawDelay = async () => {
    const read = b.connection.publicClient;
    const params = await read.readContract({ address: b.escrow, abi: escrowAbi, functionName: 'params' });
    return Number(await read.readContract({ address: params, abi: trellisParamsAbi, functionName: 'withdrawalNotice' }));
  };

  const requirements = async (model: ServedModel): Promise<BatchedRequirements> => {
    withdrawDelay ??= readWithdrawDelay().catch((error) => {
      withdrawDelay = undefined;
      throw error;
    });
    return batchedRequirements({
      chainId: init.chainId,
      token: init.token,
      escrow: b.escrow,
      provider: init.provider,
      modelId: model.modelId,
      price: model.price,
      withdrawDelay: await withdrawDelay,
      minDeposit: model.price * BigInt(b.minDepositCalls ?? DEFAULT_MIN_DEPOSIT_CALLS),
    });
  };

  /** A 402 that offers the batched requirement again, with the channel's state, and names the reason. */
  const refusal = async (c: Context<Env>, model: ServedModel, error: BatchedRefusal) => {
    const body = x402ErrorBody(error);
    if (error.status !== 402) return c.json(body, error.status);
    const offer = await requirements(model);
    if (error.channelState) offer.extra.channelState = error.channelState;
    const required: PaymentRequired = {
      x402Version: 2,
      error: error.code,
      resource: { url: c.req.url, description: 'One inference with a signed Trellis receipt', mimeType: 'application/json' },
      accepts: [offer],
    };
    c.header(PAYMENT_REQUIRED_HEADER, encodePaymentRequiredHeader(required));
    return c.json(body, 402);
  };

  const handle = async (c: Context<Env>, model: ServedModel, header: string): Promise<Response> => {
    let payment: BatchedPayment;
    try {
      payment = readBatchedPaymentHeader(header, c.req.path);
    } catch (error) {
      if (error instanceof X402Error) return c.json(x402ErrorBody(error), 400);
      throw error;
    }
    const key = channelKey(payment.payer, model.modelId);
    if (busy.has(key)) {
      return refusal(c, model, new BatchedRefusal('invalid_batched_channel_busy', 'Another call on this channel is under way here.', 409));
    }
    busy.add(key);
    try {
      const checked = await checkBatchedPayment(check, payment, await requirements(model));
      const { input, verification, inputHash } = await readCall(c, model);
      const request = batchedRequest(payment, { price: checked.price, inputHash, verification });
      const stored = await init.requests.serveX402(request, input, checked.price, payment.voucher.cumulativeAmount);
      await holdBatchedPayment({ ledger: init.ledger, vouchers }, payment, stored);
      init.log.info('batched payment held', { payer: payment.payer, cumulativeAmount: payment.voucher.cumulativeAmount.toString() });
      const { issuedAt: _, ...result } = stored;
      c.header(
        PAYMENT_RESPONSE_HEADER,
        encodePaymentResponseHeader({
          success: true,
          // The commitment: the channel and the amount now held (value moves when the provider redeems).
          transaction: `${channelIdOf(payment.payer, init.provider, model.modelId)}:${payment.voucher.cumulativeAmount}`,
          network,
          payer: payment.payer,
          extra: {
            chargedAmount: checked.price.toString(),
            chargedCumulativeAmount: payment.voucher.cumulativeAmount.toString(),
            ...(checked.depositTransaction ? { depositTransaction: checked.depositTransaction } : {}),
          },
        }),
      );
      return c.json({ ...result, request: toWire(request) });
    } catch (error) {
      if (error instanceof BatchedRefusal) return refusal(c, model, error);
      throw error;
    } finally {
      busy.delete(key);
    }
  };
  return { requirements, handle, close: () => vouchers.close() };
}
