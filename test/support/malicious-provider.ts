// A lying provider for end-to-end tests: a real HTTP server registered on chain (stake,
// endpoint, price) that computes honest results with the provider's own request code
// (src/provider/serve.ts) and then lies about them in a pluggable way. It holds every
// voucher sent to it, whatever its amount, and can redeem them on chain itself: what a
// cheating operator would do, so a test can see exactly what a lie costs the client.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BaseError, getAddress, keccak256, toHex, type Address, type Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import type { SignerConnection } from '../../src/chain/connect.ts';
import { escrowAbi } from '../../src/chain/generated/Escrow.ts';
import type { Deployment } from '../../src/chain/manifest.ts';
import { FloatModel } from '../../src/engine/float.ts';
import { silentLogger } from '../../src/log.ts';
import { loadModel } from '../../src/models/catalog.ts';
import { resolveModel } from '../../src/models/registry.ts';
import { asProtocolError } from '../../src/net/http.ts';
import { recoverVoucherSigner, type SignedVoucher } from '../../src/payments/voucher.ts';
import { fixedOutputHash } from '../../src/protocol/commitments.ts';
import { ProtocolError } from '../../src/protocol/errors.ts';
import { signReceipt, type Receipt } from '../../src/protocol/messages.ts';
import { parseInferBody, parseReceipt, parseVouchers, toWire, type InferResult } from '../../src/protocol/wire.ts';
import { Ledger } from '../../src/provider/ledger.ts';
import { ensureRegistered } from '../../src/provider/registration.ts';
import { RequestServer } from '../../src/provider/serve.ts';

export type Lie =
  /** Honest: the channel total is what the client paid plus the fee. */
  | 'none'
  /** The receipt claims a channel total far above what the client paid plus the fee. */
  | 'inflated-total'
  /** Another output, with a receipt committing to it, validly signed: nobody can tell on the spot. */
  | 'wrong-output'
  /** A receipt whose output hash is not that of the output returned. */
  | 'wrong-output-hash'
  /** A fixed-point output with a score outside int16, which no trace chunk can hold. */
  | 'unpackable-output'
  /** A receipt signed by a key that is not the provider's. */
  | 'forged-signature'
  /** A receipt for another model than the one asked. */
  | 'other-model'
  /** 409 REPLAYED for a request never seen. */
  | 'false-replayed'
  /** 422 INVALID_INPUT for a good input. */
  | 'false-invalid-input'
  /** Accepts the connection and never answers. */
  | 'hang'
  /** Answers 200 and then sends the body a byte at a time. */
  | 'slow-drip'
  /** Answers with a body of many megabytes. */
  | 'oversized';

export type MaliciousProvider = {
  address: Address;
  url: string;
  modelId: Hex;
  price: bigint;
  lie: Lie;
  /** POST /v1/infer calls received. */
  inferCalls: number;
  /** Every POST /v1/infer body as received: what this provider could replay elsewhere. */
  captured: unknown[];
  /** The largest voucher received on each channel (client, model), whatever its amount. */
  heldVouchers(): SignedVoucher[];
  /** Redeems every held voucher on chain; returns what the escrow paid. */
  redeemAll(): Promise<bigint>;
  /** Tries to redeem any voucher as this provider; the revert's error name when refused. */
  tryRedeem(signed: SignedVoucher): Promise<{ paid: true } | { paid: false; reason: string }>;
  stop(): Promise<void>;
};

export type MaliciousProviderOptions = {
  connection: SignerConnection;
  deployment: Deployment;
  model: string;
  price: bigint;
  stake: bigint;
  /** Another published model, for the `other-model` lie. */
  otherModelId: Hex;
};

/** How much an `inflated-total` receipt adds to the honest total: 5 tokens. */
export const INFLATION = 5_000_000n;
/** Well above what a gateway takes for one answer, yet below what would fail anyone by itself. */
const OVERSIZED_BYTES = 3 * 1024 * 1024;
const DRIP_INTERVAL_MS = 100;

const channelOf = (client: Address, modelId: Hex) => `${client.toLowerCase()}:${modelId.toLowerCase()}`;

export async function startMaliciousProvider(options: MaliciousProviderOptions): Promise<MaliciousProvider> {
  const { connection, deployment } = options;
  const account = connection.account;
  const domain = { chainId: deployment.chainId, escrow: deployment.contracts.escrow };
  const model = loadModel(options.model);
  const modelId = await resolveModel(connection, deployment, model);
  const dataDir = mkdtempSync(join(tmpdir(), 'trellis-liar-'));
  const ledger = new Ledger(dataDir);
  // The provider's own request code computes the honest result. It never refuses for
  // credit or escrow: this provider does not care about being paid honestly.
  const requests = new RequestServer({
    account,
    domain,
    ledger,
    models: new Map([[modelId, { model, modelId, price: options.price, float: await FloatModel.load(model.onnx) }]]),
    maxUnpaid: Number.MAX_SAFE_INTEGER,
    unpaidGraceMs: 0,
    paymentWindowMs: 0,
    escrowAvailable: async () => 2n ** 255n,
    now: () => BigInt(Math.floor(Date.now() / 1000)),
  });
  const held = new Map<string, SignedVoucher>();
  const forger = privateKeyToAccount(generatePrivateKey());
  const open = new Set<ServerResponse>();
  const timers = new Set<NodeJS.Timeout>();

  const take = async (vouchers: readonly SignedVoucher[]) => {
    for (const signed of vouchers) {
      if (getAddress(signed.voucher.provider) !== account.address) continue;
      const signer = await recoverVoucherSigner(domain, signed).catch(() => undefined);
      if (signer === undefined || getAddress(signer) !== getAddress(signed.voucher.client)) continue;
      const key = channelOf(signed.voucher.client, signed.voucher.modelId);
      if (signed.voucher.cumulativeAmount > (held.get(key)?.voucher.cumulativeAmount ?? 0n)) held.set(key, signed);
    }
  };

  const send = (res: ServerResponse, status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

  /** The honest answer with its receipt re-signed after `edit`. */
  const answer = async (result: InferResult, edit: (receipt: Receipt, output: number[]) => { receipt: Receipt; output: number[]; signer?: typeof forger }) => {
    const honest = parseReceipt({ path: 'receipt', value: result.receipt });
    const paid = held.get(channelOf(honest.client, honest.modelId))?.voucher.cumulativeAmount ?? 0n;
    const edited = edit({ ...honest, channelTotal: paid + honest.fee }, [...result.output]);
    return {
      ...result,
      output: edited.output,
      receipt: toWire(edited.receipt),
      signature: await signReceipt(edited.signer ?? account, domain, edited.receipt),
    };
  };

  const infer = async (res: ServerResponse, text: string) => {
    provider.inferCalls += 1;
    provider.captured.push(JSON.parse(text));
    const lie = provider.lie;
    if (lie === 'hang') return void open.add(res);
    if (lie === 'false-replayed') return send(res, 409, new ProtocolError('REPLAYED', 'This request was already served here.').toJSON());
    if (lie === 'false-invalid-input') return send(res, 422, new ProtocolError('INVALID_INPUT', "The input does not match the request's input hash.").toJSON());
    const body = parseInferBody(JSON.parse(text));
    if (body.sealedInput) return send(res, 400, new ProtocolError('INVALID_BODY', 'This test provider takes inputs in the clear only.').toJSON());
    await take(body.vouchers);
    // Vouchers are this harness's business (it takes any amount): the honest code never sees them.
    const result = await requests.serve({ ...body, vouchers: [] });
    const keep = (receipt: Receipt, output: number[]) => ({ receipt, output });
    switch (lie) {
      case 'inflated-total':
        return send(res, 200, await answer(result, (r, o) => keep({ ...r, channelTotal: r.channelTotal + INFLATION }, o)));
      case 'wrong-output':
        return send(
          res,
          200,
          await answer(result, (r, o) => {
            // Moves the top score to another class: another label, consistently committed to.
            const top = o.indexOf(Math.max(...o));
            const other = (top + 1) % o.length;
            [o[top], o[other]] = [o[other]!, o[top]!];
            return keep({ ...r, outputHash: fixedOutputHash(o) }, o);
          }),
        );
      case 'unpackable-output':
        // The receipt stays honest: the client must refuse the output before hashing it.
        return send(res, 200, await answer(result, (r, o) => keep(r, [o[0]! + 65_536, ...o.slice(1)])));
      case 'wrong-output-hash':
        return send(res, 200, await answer(result, (r, o) => keep({ ...r, outputHash: keccak256(toHex('another output')) }, o)));
      case 'forged-signature':
        return send(res, 200, await answer(result, (r, o) => ({ receipt: r, output: o, signer: forger })));
      case 'other-model':
        return send(res, 200, await answer(result, (r, o) => keep({ ...r, modelId: options.otherModelId }, o)));
      case 'slow-drip': {
        const textOut = JSON.stringify(await answer(result, keep));
        res.writeHead(200, { 'content-type': 'application/json' });
        open.add(res);
        let at = 0;
        const timer = setInterval(() => {
          if (res.destroyed || at >= textOut.length) return clearInterval(timer);
          res.write(textOut[at++]!);
        }, DRIP_INTERVAL_MS);
        timers.add(timer);
        return;
      }
      case 'oversized': {
        // Valid JSON, padded with whitespace to many megabytes.
        const textOut = JSON.stringify(await answer(result, keep));
        res.writeHead(200, { 'content-type': 'application/json' });
        open.add(res);
        res.write(textOut.slice(0, -1));
        const pad = Buffer.alloc(64 * 1024, 0x20);
        let sent = 0;
        const pump = () => {
          while (!res.destroyed && sent < OVERSIZED_BYTES) {
            sent += pad.length;
            if (!res.write(pad)) return void res.once('drain', pump);
          }
          if (!res.destroyed) res.end('}');
        };
        return pump();
      }
      default:
        return send(res, 200, await answer(result, keep));
    }
  };

  const route = async (req: IncomingMessage, res: ServerResponse, text: string) => {
    if (req.method === 'GET' && req.url === '/v1/health') {
      return send(res, 200, {
        status: 'ok',
        provider: account.address,
        chainId: deployment.chainId,
        models: [{ modelId, name: model.name, price: options.price.toString() }],
        inFlight: 0,
      });
    }
    if (req.method === 'POST' && req.url === '/v1/vouchers') {
      const vouchers = parseVouchers({ path: 'vouchers', value: (JSON.parse(text) as { vouchers?: unknown }).vouchers });
      await take(vouchers);
      return send(res, 200, { accepted: vouchers.length });
    }
    if (req.method === 'POST' && req.url === '/v1/infer') return infer(res, text);
    send(res, 404, new ProtocolError('NOT_FOUND', 'No such route.').toJSON());
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      route(req, res, Buffer.concat(chunks).toString('utf8')).catch((error: unknown) => {
        if (!res.headersSent) send(res, asProtocolError(error).status, asProtocolError(error).toJSON());
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await ensureRegistered(connection, deployment, { endpoint: url, stake: options.stake, prices: new Map([[modelId, options.price]]) }, silentLogger);

  const redeem = async (signed: SignedVoucher) => {
    const hash = await connection.walletClient.writeContract({
      address: deployment.contracts.escrow,
      abi: escrowAbi,
      functionName: 'redeem',
      args: [signed.voucher, signed.signature],
      account,
      chain: connection.chain,
    });
    await connection.publicClient.waitForTransactionReceipt({ hash });
  };

  const provider: MaliciousProvider = {
    address: account.address,
    url,
    modelId,
    price: options.price,
    lie: 'none',
    inferCalls: 0,
    captured: [],
    heldVouchers: () => [...held.values()],
    async redeemAll() {
      let paid = 0n;
      for (const signed of held.values()) {
        const read = () =>
          connection.publicClient.readContract({
            address: deployment.contracts.escrow,
            abi: escrowAbi,
            functionName: 'redeemed',
            args: [signed.voucher.client, account.address, signed.voucher.modelId],
          });
        const before = await read();
        if (signed.voucher.cumulativeAmount <= before) continue;
        await redeem(signed);
        paid += (await read()) - before;
      }
      return paid;
    },
    async tryRedeem(signed) {
      try {
        await redeem(signed);
        return { paid: true };
      } catch (error) {
        const reason =
          error instanceof BaseError ? error.walk((e) => typeof (e as { data?: { errorName?: unknown } }).data?.errorName === 'string') : undefined;
        return { paid: false, reason: (reason as { data?: { errorName?: string } } | undefined)?.data?.errorName ?? String(error).split('\n')[0]! };
      }
    },
    async stop() {
      for (const timer of timers) clearInterval(timer);
      for (const res of open) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      ledger.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return provider;
}
