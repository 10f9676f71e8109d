// x402 v2 per-call payments from the attacker's side, on one real local network: a
// stock @x402/fetch client (x402's own exact EVM client scheme and a viem account, no
// Trellis code) pays for an inference through the gateway and gets the result,
// PAYMENT-RESPONSE and a receipt that verifies; then every bad payment is refused with
// x402's reason and moves no token, a call whose inference fails settles nothing, and
// a replayed payment is refused, also by a gateway started afresh.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { decodePaymentRequiredHeader, decodePaymentResponseHeader, encodePaymentSignatureHeader } from '@x402/core/http';
import type { PaymentPayload, PaymentRequired } from '@x402/core/types';
import { ExactEvmScheme } from '@x402/evm/exact/client';
import { wrapFetchWithPayment, x402Client } from '@x402/fetch';
import { privateKeyToAccount } from 'viem/accounts';
import type { Address, Hex } from 'viem';
import { connect } from '../src/chain/connect.ts';
import { devAccount } from '../src/chain/dev-accounts.ts';
import { trellisTokenAbi } from '../src/chain/generated/TrellisToken.ts';
import { startGateway } from '../src/gateway/server.ts';
import { localGatewayAccount, localRoles } from '../src/network/local-network.ts';
import type { ObservedResult } from '../src/verify/observed-result.ts';
import { LocalFacilitator } from '../src/x402/facilitator.ts';
import { startProviderNode } from '../src/provider/node.ts';
import { tokens } from '../src/chain/parameters.ts';
import { HTTPFacilitatorClient } from '@x402/core/server';
import { inputHashOf } from '../src/protocol/commitments.ts';
import { silentLogger } from '../src/log.ts';
import { loadModel } from '../src/models/catalog.ts';
import { checkPaidResult } from '../src/x402/paid-result.ts';
import { parseExactPayment } from '../src/x402/payment.ts';
import { startTestNetwork, type TestNetwork } from './support/network.ts';

const digit = JSON.parse(readFileSync(new URL('../examples/digit-3.json', import.meta.url), 'utf8')) as number[];
const AGENT = 6; // tokens in its wallet, nothing in escrow: an x402 agent needs none

let net: TestNetwork;
let token: Address;
let modelId: Hex;
let resource: string;
const network = 'eip155:31337' as const;

/** A stock x402 client: x402's fetch wrapper and exact EVM scheme over a viem account. */
function stockClient(key: Hex) {
  const client = x402Client.fromConfig({
    schemes: [{ network, client: new ExactEvmScheme(privateKeyToAccount(key)) }],
    // x402 caps spends at its default assets; the Trellis token is allowed explicitly, up to 1 tUSD a call.
    spendControls: { allowedAssets: [{ network, asset: token, maxAmountPerPayment: '1000000' }] },
  });
  return { client, fetch: wrapFetchWithPayment(fetch, client) };
}

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

async function balanceOf(who: Address): Promise<bigint> {
  return net.providers[0]
    ? (await connect({ rpcUrl: net.chain.rpcUrl })).publicClient.readContract({ address: token, abi: trellisTokenAbi, functionName: 'balanceOf', args: [who] })
    : 0n;
}

/** Token balances of the agent, every provider and the facilitator: what must not move on a refusal. */
async function balances(): Promise<bigint[]> {
  return Promise.all([devAccount(AGENT).address, ...net.providers.map((p) => p.address), net.x402Facilitator!.address].map(balanceOf));
}

/** A signed payment for the 402 this resource answers, built with x402's own client. */
async function paymentFor(url: string, key: Hex, edit?: (required: PaymentRequired) => void): Promise<{ payload: PaymentPayload; header: string }> {
  const unpaid = await post(url, { input: digit });
  assert.equal(unpaid.status, 402);
  const required = decodePaymentRequiredHeader(unpaid.headers.get('PAYMENT-REQUIRED') as string);
  edit?.(required);
  const payload = await stockClient(key).client.createPaymentPayload(required);
  return { payload, header: encodePaymentSignatureHeader(payload) };
}

const reasonOf = (response: Response) => {
  const header = response.headers.get('PAYMENT-REQUIRED');
  return header ? decodePaymentRequiredHeader(header).error : undefined;
};

before(async () => {
  net = await startTestNetwork();
  token = net.chain.deployment.contracts.token;
  modelId = net.providers[0]!.models.find((m) => m.name === 'digits-mlp')!.modelId;
  resource = `${net.gatewayUrl}/x402/v1/infer/${modelId}`;
});
after(() => net?.dispose());

describe('x402 exact payments through the gateway', () => {
  test('a stock x402 client pays for an inference and gets the result, PAYMENT-RESPONSE and a receipt that verifies', async () => {
    const before = await balances();
    const unpaid = await post(resource, { input: digit });
    assert.equal(unpaid.status, 402);
    const required = decodePaymentRequiredHeader(unpaid.headers.get('PAYMENT-REQUIRED') as string);
    assert.equal(required.x402Version, 2);
    const [accept] = required.accepts;
    assert.ok(accept);
    assert.equal(accept.scheme, 'exact');
    assert.equal(accept.network, network);
    assert.equal(accept.asset.toLowerCase(), token.toLowerCase());
    assert.deepEqual(accept.extra, { name: 'Trellis USD', version: '1' });
    const payee = net.providers.find((p) => p.address.toLowerCase() === accept.payTo.toLowerCase());
    assert.ok(payee, 'payTo is a provider of the network');
    assert.equal(accept.amount, payee.models[0]!.price.toString());

    const agent = stockClient(devAccount(AGENT).privateKey);
    let sent: PaymentPayload | undefined;
    agent.client.onAfterPaymentCreation(async ({ paymentPayload }) => {
      sent = paymentPayload;
    });
    const paid = await agent.fetch(resource, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input: digit }) });
    const body = (await paid.json()) as Record<string, unknown>;
    assert.equal(paid.status, 200, JSON.stringify(body));
    const settled = decodePaymentResponseHeader(paid.headers.get('PAYMENT-RESPONSE') as string);
    assert.equal(settled.success, true);
    assert.match(settled.transaction, /^0x[0-9a-f]{64}$/);
    assert.equal(settled.payer?.toLowerCase(), devAccount(AGENT).address.toLowerCase());

    // The receipt binds this very payment: its request is recomputed from what the client sent.
    const domain = { chainId: net.chain.deployment.chainId, escrow: net.chain.deployment.contracts.escrow };
    const checked = await checkPaidResult(body, { domain, modelId, payment: parseExactPayment(sent) });
    assert.equal(checked.request.nonce, BigInt(parseExactPayment(sent).authorization.nonce));
    assert.equal(checked.receipt.inputHash, inputHashOf(loadModel('digits-mlp').engine, digit).inputHash);
    assert.equal(checked.output.indexOf(Math.max(...checked.output)), 3, 'the digit is a 3');

    const afterPaid = await balances();
    const price = BigInt(accept.amount);
    const payeeIndex = net.providers.indexOf(payee) + 1;
    assert.equal(afterPaid[0], before[0]! - price, 'the agent paid the price');
    assert.equal(afterPaid[payeeIndex], before[payeeIndex]! + price, 'the payee got it');
    // The receipt is on file at the provider, once paid.
    const stored = await fetch(`${payee.url}/v1/receipts/${checked.receipt.requestHash}`);
    assert.equal(stored.status, 200);
  });
});

describe('bad payments are refused with the x402 reason, and nothing moves', () => {
  const key = () => devAccount(AGENT).privateKey;
  /** Posts with this payment header and checks that the refusal left every balance as it was. */
  async function refused(url: string, header: string, input: number[] = digit): Promise<Response> {
    const before = await balances();
    const answer = await post(url, { input }, { 'PAYMENT-SIGNATURE': header });
    assert.notEqual(answer.status, 200);
    assert.equal(answer.headers.get('PAYMENT-RESPONSE'), null, 'nothing settled');
    assert.deepEqual(await balances(), before, 'no token moved and the facilitator sent nothing');
    return answer;
  }
  const reasonIn = async (answer: Response) => reasonOf(answer) ?? ((await answer.json()) as { error: { code: string } }).error.code;

  test('a payment for another amount', async () => {
    const { header } = await paymentFor(resource, key(), (r) => {
      r.accepts[0]!.amount = String(BigInt(r.accepts[0]!.amount) - 1n);
    });
    const answer = await refused(resource, header);
    assert.equal(answer.status, 402);
    assert.equal(reasonOf(answer), 'No matching payment requirements');
  });

  test('a payment to another payTo: another provider, no provider at all, or an authorization to someone else', async () => {
    const other = net.providers.map((p) => p.address);
    const toOtherProvider = await paymentFor(resource, key(), (r) => {
      r.accepts[0]!.payTo = other.find((a) => a.toLowerCase() !== r.accepts[0]!.payTo.toLowerCase())!;
    });
    const answer = await refused(resource, toOtherProvider.header);
    assert.equal(answer.status, 402);
    assert.equal(reasonOf(answer), 'No matching payment requirements', 'that provider asks another price');

    const toStranger = await paymentFor(resource, key(), (r) => {
      r.accepts[0]!.payTo = devAccount(12).address;
    });
    const strangerAnswer = await refused(resource, toStranger.header);
    assert.equal(strangerAnswer.status, 400);
    assert.equal(await reasonIn(strangerAnswer), 'invalid_exact_evm_recipient_mismatch');

    // Signed to the attacker, presented as the requirement the provider asked for.
    const honest = await paymentFor(resource, key());
    const diverted = await paymentFor(resource, key(), (r) => {
      r.accepts[0]!.payTo = devAccount(12).address;
    });
    const forged = encodePaymentSignatureHeader({ ...diverted.payload, accepted: honest.payload.accepted });
    const forgedAnswer = await refused(resource, forged);
    assert.equal(forgedAnswer.status, 402);
    assert.equal(reasonOf(forgedAnswer), 'invalid_exact_evm_recipient_mismatch');
  });

  test('a payment made for another resource (another model at the same price)', async () => {
    const otherModel = net.providers[0]!.models.find((m) => m.name === 'breast-cancer-mlp')!.modelId;
    const { header } = await paymentFor(`${net.gatewayUrl}/x402/v1/infer/${otherModel}`, key());
    const answer = await refused(resource, header);
    assert.equal(answer.status, 400);
    const body = (await answer.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'invalid_payload');
    assert.match(body.error.message, /another resource/);
  });

  test('an expired authorization', async () => {
    const honest = await paymentFor(resource, key());
    const short = await paymentFor(resource, key(), (r) => {
      r.accepts[0]!.maxTimeoutSeconds = 1;
    });
    const answer = await refused(resource, encodePaymentSignatureHeader({ ...short.payload, accepted: honest.payload.accepted }));
    assert.equal(answer.status, 402);
    assert.equal(reasonOf(answer), 'invalid_exact_evm_payload_authorization_valid_before');
  });

  test('a malformed PAYMENT-SIGNATURE, at the gateway and at a provider', async () => {
    const direct = `${net.providers[0]!.url}/x402/v1/infer/${modelId}`;
    for (const url of [resource, direct]) {
      for (const header of ['not base64 at all!', Buffer.from('{"x402Version":2}').toString('base64'), Buffer.from('[1,2').toString('base64')]) {
        const answer = await refused(url, header);
        assert.equal(answer.status, 400, `${url} ${header}`);
        assert.equal(await reasonIn(answer), 'invalid_payload');
      }
    }
  });

  test('a payer without the balance', async () => {
    const { header } = await paymentFor(resource, devAccount(15).privateKey);
    const answer = await refused(resource, header);
    assert.equal(answer.status, 402);
    // Diagnosed through Multicall3, which a fresh anvil only has because the deployment planted it.
    assert.equal(reasonOf(answer), 'invalid_exact_evm_insufficient_balance');
  });

  test('a call whose inference fails is not settled, and its payment stays good for a call that works', async () => {
    const { header } = await paymentFor(resource, key());
    const answer = await refused(resource, header, digit.slice(0, 63));
    assert.equal(answer.status, 422);
    assert.equal(((await answer.json()) as { error: { code: string } }).error.code, 'INVALID_INPUT');
    const good = await post(resource, { input: digit }, { 'PAYMENT-SIGNATURE': header });
    assert.equal(good.status, 200);
    assert.equal(decodePaymentResponseHeader(good.headers.get('PAYMENT-RESPONSE') as string).success, true);
  });

  test('a reused authorization is refused, by the same gateway, a gateway started afresh, and a facilitator restarted', async () => {
    const { payload, header } = await paymentFor(resource, key());
    const first = await post(resource, { input: digit }, { 'PAYMENT-SIGNATURE': header });
    assert.equal(first.status, 200);
    const settled = decodePaymentResponseHeader(first.headers.get('PAYMENT-RESPONSE') as string);

    const again = await refused(resource, header);
    assert.equal(again.status, 402);
    assert.equal(reasonOf(again), 'invalid_exact_evm_nonce_already_used');

    const observed: ObservedResult[] = [];
    const fresh = await startGateway({
      connection: await connect({ rpcUrl: net.chain.rpcUrl }),
      account: localGatewayAccount,
      deployment: net.chain.deployment,
      dataDir: join(net.dataDir, 'gateway-restarted'),
      log: silentLogger,
      onResult: (result) => observed.push(result),
    });
    try {
      await fresh.refresh();
      const freshResource = `${fresh.url}/x402/v1/infer/${modelId}`;
      const replayed = await refused(freshResource, header);
      assert.equal(replayed.status, 402);
      assert.equal(reasonOf(replayed), 'invalid_exact_evm_nonce_already_used');
      // A new payment through it is served, and its verified result goes to the gateway's watcher hook.
      const next = await paymentFor(freshResource, key());
      const served = await post(freshResource, { input: digit, verification: 'optimistic' }, { 'PAYMENT-SIGNATURE': next.header });
      assert.equal(served.status, 200);
      assert.equal(observed.length, 1);
      assert.notEqual(observed[0]!.receipt.traceRoot, `0x${'0'.repeat(64)}`);
      assert.equal(observed[0]!.request?.nonce, BigInt(parseExactPayment(next.payload).authorization.nonce));
    } finally {
      await fresh.stop();
    }

    // The same fresh payment presented twice at once at its provider: one call runs and is paid, the other is refused.
    const racing = await paymentFor(resource, key());
    const payee = net.providers.find((p) => p.address.toLowerCase() === racing.payload.accepted.payTo.toLowerCase())!;
    const before = await balances();
    const answers = await Promise.all(
      [0, 1].map(() => post(`${payee.url}/x402/v1/infer/${modelId}`, { input: digit }, { 'PAYMENT-SIGNATURE': racing.header })),
    );
    const winners = answers.filter((a) => a.status === 200);
    const loser = answers.find((a) => a.status !== 200);
    assert.equal(winners.length, 1, `one call is served: ${answers.map((a) => a.status).join(', ')}`);
    assert.ok(loser && [402, 409].includes(loser.status), `the other is refused: ${loser?.status}`);
    assert.equal(await reasonIn(loser), 'invalid_exact_evm_nonce_already_used');
    const afterRace = await balances();
    assert.equal(afterRace[0], before[0]! - BigInt(racing.payload.accepted.amount), 'paid once');

    // A facilitator started again on the same journal answers a repeated settle from it: same transaction, none sent.
    const restarted = new LocalFacilitator({
      connection: await connect({ rpcUrl: net.chain.rpcUrl }),
      deployment: net.chain.deployment,
      privateKey: devAccount(localRoles.x402Facilitator).privateKey,
      dataDir: join(net.dataDir, 'facilitator'),
    });
    try {
      const beforeRepeat = await balances();
      const repeated = await restarted.settle(payload, payload.accepted);
      assert.deepEqual({ success: repeated.success, transaction: repeated.transaction }, { success: true, transaction: settled.transaction });
      const verified = await restarted.verify(payload, payload.accepted);
      assert.deepEqual(
        { isValid: verified.isValid, invalidReason: verified.invalidReason },
        { isValid: false, invalidReason: 'invalid_exact_evm_nonce_already_used' },
      );
      assert.deepEqual(await balances(), beforeRepeat);
    } finally {
      restarted.close();
    }
  });
});

describe('the facilitator routes on the gateway', () => {
  test('supported names the exact scheme on the local chain; bad bodies get invalid_payload; verify and settle answer like the facilitator', async () => {
    const supported = (await (await fetch(`${net.gatewayUrl}/x402/supported`)).json()) as {
      kinds: { scheme: string; network: string }[];
      signers: Record<string, string[]>;
    };
    assert.ok(supported.kinds.some((k) => k.scheme === 'exact' && k.network === network && (k as { x402Version?: number }).x402Version === 2));
    assert.ok(Object.values(supported.signers).flat().includes(net.x402Facilitator!.address));
    for (const path of ['verify', 'settle']) {
      for (const body of ['{', '[]', '{"paymentPayload":{},"paymentRequirements":{"scheme":"exact"}}']) {
        const answer = await fetch(`${net.gatewayUrl}/x402/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        assert.equal(answer.status, 400, `${path} ${body}`);
        const json = (await answer.json()) as { invalidReason?: string; errorReason?: string };
        assert.equal(json.invalidReason ?? json.errorReason, 'invalid_payload');
      }
    }
    // A valid payment for a token this facilitator does not settle.
    const { payload } = await paymentFor(resource, devAccount(AGENT).privateKey);
    const before = await balances();
    const wrongAsset = { ...payload.accepted, asset: net.chain.deployment.contracts.escrow };
    const answer = await post(`${net.gatewayUrl}/x402/settle`, { x402Version: 2, paymentPayload: payload, paymentRequirements: wrongAsset });
    assert.equal(answer.status, 200);
    assert.equal(((await answer.json()) as { errorReason: string }).errorReason, 'invalid_payment_requirements');
    const verified = await post(`${net.gatewayUrl}/x402/verify`, { x402Version: 2, paymentPayload: payload, paymentRequirements: payload.accepted });
    assert.deepEqual(await verified.json(), { isValid: true, payer: devAccount(AGENT).address });
    assert.deepEqual(await balances(), before, 'verify moves nothing');
  });
});

describe('a provider settling through an external facilitator', () => {
  test("a provider given the gateway's /x402 as its facilitator URL is paid by a stock client, settled by that facilitator", async () => {
    const node = await startProviderNode({
      connection: await net.signer(localRoles.faultyProvider), // unused in this network: a fifth, independent provider
      deployment: net.chain.deployment,
      dataDir: join(net.dataDir, 'providers', 'external-facilitator'),
      models: [{ name: 'digits-mlp', price: 7_000n }],
      port: 0,
      stake: tokens('500'),
      x402: { facilitator: new HTTPFacilitatorClient({ url: `${net.gatewayUrl}/x402` }) },
    });
    try {
      const url = `${node.url}/x402/v1/infer/${modelId}`;
      const paid = await stockClient(devAccount(AGENT).privateKey).fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ input: digit }),
      });
      assert.equal(paid.status, 200, await paid.clone().text());
      const settled = decodePaymentResponseHeader(paid.headers.get('PAYMENT-RESPONSE') as string);
      const { publicClient } = await connect({ rpcUrl: net.chain.rpcUrl });
      const transaction = await publicClient.getTransaction({ hash: settled.transaction as Hex });
      assert.equal(transaction.from.toLowerCase(), net.x402Facilitator!.address.toLowerCase(), 'sent by the gateway-served facilitator');
      const receipt = ((await paid.json()) as { receipt: { fee: string; provider: string } }).receipt;
      assert.deepEqual({ fee: receipt.fee, provider: receipt.provider }, { fee: '7000', provider: node.address });
    } finally {
      await node.stop();
    }
  });
});
