// Test support for the gateway: a real local chain with providers registered through
// the contracts, and small loopback HTTP servers that play provider nodes, honest or
// faulty on demand. Used by the gateway's tests only.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keccak256, toHex, zeroHash, type Address, type Hex, type LocalAccount } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { connectDevSigner, type SignerConnection } from '../chain/connect.ts';
import { devAccount } from '../chain/dev-accounts.ts';
import { modelRegistryAbi } from '../chain/generated/ModelRegistry.ts';
import { providerRegistryAbi } from '../chain/generated/ProviderRegistry.ts';
import { trellisTokenAbi } from '../chain/generated/TrellisToken.ts';
import { startLocalChain, type LocalChain } from '../chain/local-chain.ts';
import type { Deployment } from '../chain/manifest.ts';
import { tokens } from '../chain/parameters.ts';
import { localRoles } from '../network/roles.ts';
import { fixedOutputHash, floatOutputHash } from '../protocol/commitments.ts';
import { hashRequest, signReceipt, signRequest, type InferenceRequest, type ProtocolDomain, type Receipt } from '../protocol/messages.ts';
import { parseInferBody, toWire } from '../protocol/wire.ts';
import { writeContract } from '../chain/write.ts';

export type TestChain = LocalChain & { dataDir: string; domain: ProtocolDomain; signer(index: number): Promise<SignerConnection>; cleanup(): Promise<void> };

export async function startTestChain(port: number): Promise<TestChain> {
  const dataDir = mkdtempSync(join(tmpdir(), 'trellis-gateway-'));
  const chain = await startLocalChain({ dataDir, port });
  const signers = new Map<number, SignerConnection>();
  return {
    ...chain,
    dataDir,
    domain: { chainId: chain.deployment.chainId, escrow: chain.deployment.contracts.escrow },
    async signer(index) {
      let signer = signers.get(index);
      if (!signer) {
        signer = await connectDevSigner(chain.rpcUrl, index);
        signers.set(index, signer);
      }
      return signer;
    },
    async cleanup() {
      await chain.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

type WriteArgs = Parameters<SignerConnection['walletClient']['writeContract']>[0];

/** Sends a transaction and waits for it; throws when it reverts. */
export async function send(signer: SignerConnection, call: Omit<WriteArgs, 'account' | 'chain'>): Promise<void> {
  const hash = await writeContract(signer, { ...call, account: signer.account, chain: signer.chain } as WriteArgs);
  const receipt = await signer.publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== 'success') throw new Error(`transaction ${hash} reverted`);
}

export async function publishModel(signer: SignerConnection, deployment: Deployment, name: string): Promise<Hex> {
  const contentHash = keccak256(toHex(name));
  await send(signer, {
    address: deployment.contracts.modelRegistry,
    abi: modelRegistryAbi,
    functionName: 'publish',
    args: [contentHash, zeroHash, { inputSize: 0, rowCount: 0, layers: [] }, `ipfs://${name}`, 100],
  });
  const id = await signer.publicClient.readContract({
    address: deployment.contracts.modelRegistry,
    abi: modelRegistryAbi,
    functionName: 'modelIdOf',
    args: [signer.account.address, contentHash],
  });
  return id.toLowerCase() as Hex;
}

export async function registerProvider(
  signer: SignerConnection,
  deployment: Deployment,
  endpoint: string,
  prices: [Hex, bigint][],
  stake = tokens('100'),
): Promise<void> {
  const registry = deployment.contracts.providerRegistry;
  await send(signer, { address: deployment.contracts.token, abi: trellisTokenAbi, functionName: 'approve', args: [registry, stake * 10n] });
  await send(signer, { address: registry, abi: providerRegistryAbi, functionName: 'register', args: [endpoint, '0x', stake] });
  for (const [modelId, price] of prices) await send(signer, { address: registry, abi: providerRegistryAbi, functionName: 'setPrice', args: [modelId, price] });
}

/** The routing key of the gateway under test, the local network's: requests name it as their router. */
export const gatewayAccount = privateKeyToAccount(devAccount(localRoles.gateway).privateKey);

/** A request signed by `client` and routed through the gateway under test, with its JSON body. */
export async function signedBody(client: LocalAccount, domain: ProtocolDomain, over: Partial<InferenceRequest> & { modelId: Hex }, nonce: bigint) {
  const request: InferenceRequest = {
    client: client.address,
    inputHash: keccak256(toHex('input')),
    maxFee: 1_000n,
    nonce,
    deadline: BigInt(Math.floor(Date.now() / 1000) + 120),
    verification: 0,
    router: gatewayAccount.address,
    ...over,
  };
  const signature = await signRequest(client, domain, request);
  return { request, hash: hashRequest(domain, request), body: { request: toWire(request), signature, input: [1, 2, 3] } as Record<string, unknown> };
}

export type Behaviour =
  | 'honest'
  /** Honest, with another output (for redundant disagreement). */
  | 'other-output'
  /** A signed receipt whose output hash is not that of the output it returns. */
  | 'mismatched-output'
  | 'garbage'
  /** A receipt signed by a key that is not the provider's. */
  | 'forged'
  /** A well signed receipt for another request. */
  | 'wrong-request'
  | 'overcharge'
  /** A receipt dated an hour ago: it would leave the challenge window early. */
  | 'backdated'
  /** A receipt naming another verification mode than the one asked. */
  | 'other-mode'
  /** A verified receipt that commits to no trace: it could never be disputed. */
  | 'no-trace'
  | 'hang'
  | 'close'
  | 'error-500'
  | 'credit-exhausted'
  | 'replayed'
  /** Refuses a request the gateway routed correctly, as if its assignment were wrong. */
  | 'assignment-invalid'
  /** Answers with its output sealed (opaque bytes here), as a provider answers a sealed input. */
  | 'sealed'
  /** Refuses the input as a sealed input that does not open. */
  | 'sealed-refused';

export type FakeProvider = {
  account: LocalAccount;
  url: string;
  behaviour: Behaviour;
  /** Bodies of every POST /v1/infer, as received. */
  inferBodies: unknown[];
  voucherBodies: unknown[];
  /** Models listed by GET /v1/health. */
  models: Hex[];
  healthy: boolean;
  /** Fields that override the health answer (to play a misconfigured node). */
  healthOverride: Record<string, unknown>;
  stop(): Promise<void>;
};

const wrongKey = privateKeyToAccount(`0x${'5'.repeat(64)}`);

/** A loopback server that acts as a provider node for dev account `index`. */
export async function startFakeProvider(index: number, domain: ProtocolDomain, price: bigint): Promise<FakeProvider> {
  const account = privateKeyToAccount(devAccount(index).privateKey);
  const hanging = new Set<ServerResponse>();
  // The largest voucher amount seen per (client, model): an honest receipt's total is that plus the fee.
  const paid = new Map<string, bigint>();
  const takeVouchers = (vouchers: unknown) => {
    for (const v of Array.isArray(vouchers) ? (vouchers as { client?: string; modelId?: string; cumulativeAmount?: string }[]) : []) {
      const key = `${String(v.client).toLowerCase()}:${String(v.modelId).toLowerCase()}`;
      const amount = BigInt(v.cumulativeAmount ?? '0');
      if (amount > (paid.get(key) ?? 0n)) paid.set(key, amount);
    }
  };
  const fake: FakeProvider = {
    account,
    url: '',
    behaviour: 'honest',
    inferBodies: [],
    voucherBodies: [],
    models: [],
    healthy: true,
    healthOverride: {},
    stop: async () => undefined,
  };
  const reply = (res: ServerResponse, status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  const error = (res: ServerResponse, status: number, code: string) =>
    reply(res, status, { error: { code, message: `${code} from the test provider`, details: [] } });

  const answerInfer = async (req: IncomingMessage, res: ServerResponse, text: string) => {
    const body = JSON.parse(text) as unknown;
    fake.inferBodies.push(body);
    const { request } = parseInferBody(body);
    takeVouchers((body as { vouchers?: unknown }).vouchers);
    const output = fake.behaviour === 'other-output' ? [9, 9] : [1, 2];
    const receipt: Receipt = {
      requestHash: fake.behaviour === 'wrong-request' ? keccak256(toHex('another request')) : hashRequest(domain, request),
      client: request.client,
      provider: account.address,
      modelId: request.modelId,
      inputHash: request.inputHash,
      outputHash: (request.verification === 0 ? floatOutputHash : fixedOutputHash)(fake.behaviour === 'mismatched-output' ? [0, 0] : output),
      // A verified mode commits to a trace; its value is never re-executed here.
      traceRoot: request.verification === 0 || fake.behaviour === 'no-trace' ? zeroHash : keccak256(toHex('a trace')),
      fee: fake.behaviour === 'overcharge' ? request.maxFee + 1n : price,
      channelTotal: (paid.get(`${request.client.toLowerCase()}:${request.modelId.toLowerCase()}`) ?? 0n) + price,
      issuedAt: BigInt(Math.floor(Date.now() / 1000) - (fake.behaviour === 'backdated' ? 3_600 : 0)),
      verification: fake.behaviour === 'other-mode' ? (request.verification + 1) % 3 : request.verification,
    };
    const signer = fake.behaviour === 'forged' ? wrongKey : account;
    switch (fake.behaviour) {
      case 'garbage':
        return res.writeHead(200, { 'content-type': 'application/json' }).end('{"output": [1, 2], "receipt": "not a receipt"');
      case 'hang':
        return void hanging.add(res);
      case 'close':
        return req.socket.destroy();
      case 'error-500':
        return error(res, 500, 'INTERNAL');
      case 'credit-exhausted':
        return error(res, 402, 'CREDIT_EXHAUSTED');
      case 'replayed':
        return error(res, 409, 'REPLAYED');
      case 'assignment-invalid':
        return error(res, 403, 'ASSIGNMENT_INVALID');
      case 'sealed-refused':
        return error(res, 400, 'SEALED_INPUT_INVALID');
      case 'sealed':
        return reply(res, 200, {
          sealedOutput: '0xc0ffee',
          shape: [output.length],
          frac: null,
          receipt: toWire(receipt),
          signature: await signReceipt(signer, domain, receipt),
        });
      default:
        return reply(res, 200, { output, shape: [output.length], frac: null, receipt: toWire(receipt), signature: await signReceipt(signer, domain, receipt) });
    }
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      if (req.method === 'GET' && req.url === '/v1/health') {
        if (!fake.healthy) return error(res, 503, 'SHUTTING_DOWN');
        return reply(res, 200, {
          status: 'ok',
          provider: account.address,
          chainId: domain.chainId,
          models: fake.models.map((modelId) => ({ modelId, name: 'test', price: price.toString() })),
          inFlight: 0,
          ...fake.healthOverride,
        });
      }
      if (req.method === 'POST' && req.url === '/v1/vouchers') {
        fake.voucherBodies.push(JSON.parse(text));
        takeVouchers((JSON.parse(text) as { vouchers?: unknown }).vouchers);
        return reply(res, 200, { accepted: 1 });
      }
      if (req.method === 'POST' && req.url === '/v1/infer') return void answerInfer(req, res, text).catch(() => error(res, 500, 'INTERNAL'));
      error(res, 404, 'NOT_FOUND');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.stop = () =>
    new Promise<void>((resolve) => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return fake;
}

export const addressOf = (index: number): Address => devAccount(index).address;
