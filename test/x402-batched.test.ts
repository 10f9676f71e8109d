// The batched x402 scheme over the escrow channel, on one real local network, from the
// attacker's side first: a voucher that lowers the channel, one signed by another key,
// one the escrow does not cover, a PAYMENT-SIGNATURE replayed for another request, a
// provider redeeming more than was signed, and an agent's stolen session key depositing
// beyond its limits are all refused and move nothing; then the honest path: N calls,
// one deposit, one redemption transaction, and the payer's escrow balance falls by
// exactly N x price, for a plain key and for an agent's account.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { decodePaymentRequiredHeader, decodePaymentResponseHeader, encodePaymentSignatureHeader } from '@x402/core/http';
import type { PaymentRequirements } from '@x402/core/types';
import { wrapFetchWithPayment, x402Client } from '@x402/fetch';
import { parseEventLogs, type Address, type Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { accountBatchedSigner } from '../src/agents/agent-account.ts';
import { createAgent, fundAgent, openAgent } from '../src/agents/agent.ts';
import { AgentError } from '../src/agents/errors.ts';
import type { SignerConnection } from '../src/chain/connect.ts';
import { escrowAbi } from '../src/chain/generated/Escrow.ts';
import { trellisTokenAbi } from '../src/chain/generated/TrellisToken.ts';
import { tokens } from '../src/chain/parameters.ts';
import { explainRevert } from '../src/chain/revert-reason.ts';
import { localRoles } from '../src/network/roles.ts';
import type { ProviderNode } from '../src/provider/node.ts';
import { BatchedEscrowClient } from '../src/x402/batched-client.ts';
import { buildBatchedPayload, localBatchedSigner, type BatchedSigner } from '../src/x402/batched-payload.ts';
import { BATCHED_SCHEME, parseBatchedRequirements, type BatchedRequirements, type ChannelState } from '../src/x402/batched-requirements.ts';
import { checkPaidResult } from '../src/x402/paid-result.ts';
import { parseBatchedPayment } from '../src/x402/batched-payload.ts';
import { startTestNetwork, type TestNetwork } from './support/network.ts';

const digit = JSON.parse(readFileSync(new URL('../examples/digit-3.json', import.meta.url), 'utf8')) as number[];
const DAY = 86_400;

let net: TestNetwork;
let client: SignerConnection;
let provider: ProviderNode;
let modelId: Hex;
let otherModelId: Hex;
let direct: string;
let escrow: Address;
/** A fresh key holding tokens and nothing in escrow: the plain-key payer. */
const payer = privateKeyToAccount(generatePrivateKey());

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
const read = <T>(functionName: 'balanceOf' | 'redeemed', args: readonly unknown[]) =>
  client.publicClient.readContract({ address: escrow, abi: escrowAbi, functionName, args } as never) as Promise<T>;
const escrowBalance = (who: Address) => read<bigint>('balanceOf', [who]);
const tokenBalance = (who: Address) =>
  client.publicClient.readContract({ address: net.chain.deployment.contracts.token, abi: trellisTokenAbi, functionName: 'balanceOf', args: [who] });

/** The batched requirement of a resource's 402. */
async function offerOf(url: string): Promise<BatchedRequirements> {
  const unpaid = await post(url, { input: digit });
  assert.equal(unpaid.status, 402);
  const required = decodePaymentRequiredHeader(unpaid.headers.get('PAYMENT-REQUIRED') as string);
  const offer = required.accepts.find((a) => a.scheme === BATCHED_SCHEME);
  assert.ok(offer, 'the 402 offers the batched scheme');
  return parseBatchedRequirements(offer);
}

/** A PAYMENT-SIGNATURE for `url` with a voucher of `cumulativeAmount` signed by `signer`, built by hand. */
async function header(url: string, signer: BatchedSigner, cumulativeAmount: bigint, deposit?: bigint): Promise<string> {
  const offer = await offerOf(url);
  const payload = await buildBatchedPayload(signer, {
    chainId: net.chain.deployment.chainId,
    config: offer.extra.channelConfig,
    cumulativeAmount,
    deposit: deposit ? { amount: deposit, validBefore: BigInt(Math.floor(Date.now() / 1000) + 120), nonce: generatePrivateKey() } : undefined,
  });
  return encodePaymentSignatureHeader({
    x402Version: 2,
    resource: { url, description: '', mimeType: 'application/json' },
    accepted: offer,
    payload: payload as never,
  });
}

const paidWith = (url: string, signature: string, input = digit) => post(url, { input }, { 'PAYMENT-SIGNATURE': signature });

/** The reason and channel state a refusal's 402 carries. */
async function refusal(response: Response): Promise<{ code: string; state?: ChannelState }> {
  const body = (await response.json()) as { error: { code: string } };
  const required = response.headers.get('PAYMENT-REQUIRED');
  const offer = required ? decodePaymentRequiredHeader(required).accepts.find((a) => a.scheme === BATCHED_SCHEME) : undefined;
  return { code: body.error.code, state: (offer?.extra as { channelState?: ChannelState } | undefined)?.channelState };
}

/** A stock x402 fetch whose only scheme is the batched one over `signer`. */
function batchedFetch(signer: BatchedSigner, connection: SignerConnection) {
  const scheme = new BatchedEscrowClient({ signer, connection, chainId: net.chain.deployment.chainId });
  const network = `eip155:${net.chain.deployment.chainId}` as const;
  const pay = wrapFetchWithPayment(
    fetch,
    x402Client.fromConfig({
      schemes: [{ network, client: scheme }],
      spendControls: { allowedAssets: [{ network, asset: net.chain.deployment.contracts.token }] },
    }),
  );
  return async (url: string, input = digit) => {
    const answer = await pay(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input }) });
    const held = await scheme.confirm(answer.clone());
    return { answer, held };
  };
}

/** Every VoucherRedeemed of `client` since `fromBlock`, with its transaction. */
async function redemptionsOf(payer: Address, fromBlock: bigint) {
  const logs = await client.publicClient.getLogs({ address: escrow, fromBlock, toBlock: 'latest' });
  return parseEventLogs({ abi: escrowAbi, eventName: 'VoucherRedeemed', logs }).filter((e) => e.args.client.toLowerCase() === payer.toLowerCase());
}

before(async () => {
  net = await startTestNetwork();
  client = await net.signer(localRoles.client);
  provider = net.providers[0]!;
  modelId = provider.models.find((m) => m.name === 'digits-mlp')!.modelId;
  otherModelId = provider.models.find((m) => m.modelId !== modelId)!.modelId;
  direct = `${provider.url}/x402/v1/infer/${modelId}`;
  escrow = net.chain.deployment.contracts.escrow;
  const funded = await client.walletClient.writeContract({
    address: net.chain.deployment.contracts.token,
    abi: trellisTokenAbi,
    functionName: 'transfer',
    args: [payer.address, tokens('10')],
  });
  await client.publicClient.waitForTransactionReceipt({ hash: funded });
});

/** What the provider holds on `signer`'s channel: the state its refusal of a voucher of 1 reports. */
async function heldBy(signer: BatchedSigner): Promise<bigint> {
  const { state } = await refusal(await paidWith(direct, await header(direct, signer, 1n)));
  return BigInt(state!.chargedCumulativeAmount);
}
after(() => net?.dispose());

describe('the 402 offers both schemes', () => {
  test('exact first, then the batched scheme with the escrow channel, the token and the price', async () => {
    const unpaid = await post(`${net.gatewayUrl}/x402/v1/infer/${modelId}`, { input: digit });
    assert.equal(unpaid.status, 402);
    const { accepts } = decodePaymentRequiredHeader(unpaid.headers.get('PAYMENT-REQUIRED') as string);
    assert.deepEqual(
      accepts.map((a: PaymentRequirements) => a.scheme),
      ['exact', BATCHED_SCHEME],
    );
    const [exact, batched] = accepts as [PaymentRequirements, PaymentRequirements];
    const offer = parseBatchedRequirements(batched);
    assert.equal(offer.network, 'eip155:31337');
    assert.equal(offer.asset.toLowerCase(), net.chain.deployment.contracts.token.toLowerCase());
    assert.equal(offer.payTo, exact.payTo, 'the same payee as exact');
    assert.equal(offer.amount, exact.amount, 'the same price per call');
    assert.equal(offer.extra.name, 'Trellis USD');
    assert.equal(offer.extra.version, '1');
    assert.equal(offer.extra.channelConfig.escrow.toLowerCase(), escrow.toLowerCase());
    assert.equal(offer.extra.channelConfig.receiver, offer.payTo);
    assert.equal(offer.extra.channelConfig.modelId, modelId);
    assert.ok(offer.extra.channelConfig.withdrawDelay > 0, "the escrow's withdrawal notice");
  });
});

describe('batched payments from a plain key', () => {
  const price = () => provider.models.find((m) => m.modelId === modelId)!.price;
  let pay: ReturnType<typeof batchedFetch>;
  let fromBlock: bigint;

  before(async () => {
    pay = batchedFetch(localBatchedSigner(payer), client);
    fromBlock = await client.publicClient.getBlockNumber();
  });

  test('N calls through the gateway: one deposit, vouchers held, then one redemption; the escrow balance falls by exactly N x price', async () => {
    const N = 5;
    const resource = `${net.gatewayUrl}/x402/v1/infer/${modelId}`;
    // The gateway sends an unpaid call to the provider it ranks first, which names itself as payee.
    const payTo = (await offerOf(resource)).payTo;
    const payee = net.providers.find((p) => p.address === payTo)!;
    const tokensBefore = await tokenBalance(payer.address);
    let deposit = 0n;
    for (let i = 1; i <= N; i++) {
      const { answer, held } = await pay(resource);
      const body = (await answer.json()) as Record<string, unknown>;
      assert.equal(answer.status, 200, JSON.stringify(body));
      assert.ok(held, 'the answer confirms the voucher');
      assert.equal(held.cumulativeAmount, BigInt(i) * price());
      const response = decodePaymentResponseHeader(answer.headers.get('PAYMENT-RESPONSE') as string);
      assert.equal(response.success, true);
      if (i === 1) {
        assert.ok(held.depositTransaction, 'the first call carried the deposit');
        deposit = tokensBefore - (await tokenBalance(payer.address));
      } else assert.equal(held.depositTransaction, undefined, 'later calls deposit nothing');
    }
    assert.ok(deposit >= BigInt(N) * price(), 'one deposit covers the N calls');
    assert.equal(await escrowBalance(payer.address), deposit, 'nothing is redeemed before the provider settles');
    assert.deepEqual(await redemptionsOf(payer.address, fromBlock), []);

    await payee.redeemNow();
    const redeemed = await redemptionsOf(payer.address, fromBlock);
    assert.equal(redeemed.length, 1, 'one voucher redeemed for the N calls');
    assert.equal(new Set(redeemed.map((e) => e.transactionHash)).size, 1, 'in one transaction');
    assert.equal(redeemed[0]!.args.cumulativeAmount, BigInt(N) * price());
    assert.equal(await escrowBalance(payer.address), deposit - BigInt(N) * price(), 'the balance fell by exactly N x price');
  });

  test('the receipt of a batched call binds its voucher, and the answer is on file at the provider', async () => {
    const before = await heldBy(localBatchedSigner(payer));
    const signature = await header(direct, localBatchedSigner(payer), before + price());
    const answer = await paidWith(direct, signature);
    const body = (await answer.json()) as Record<string, unknown>;
    assert.equal(answer.status, 200, JSON.stringify(body));
    const domain = { chainId: net.chain.deployment.chainId, escrow };
    const payment = parseBatchedPayment(JSON.parse(Buffer.from(signature, 'base64').toString('utf8')));
    const checked = await checkPaidResult(body, { domain, modelId, payment });
    assert.equal(checked.receipt.channelTotal, before + price());
    assert.equal((await fetch(`${provider.url}/v1/receipts/${checked.receipt.requestHash}`)).status, 200);
  });

  test('a voucher that lowers the cumulative amount, or repeats it, is refused with the channel state to resync', async () => {
    const held = await heldBy(localBatchedSigner(payer));
    assert.ok(held > 0n);
    for (const amount of [held - price(), held]) {
      const answer = await paidWith(direct, await header(direct, localBatchedSigner(payer), amount));
      assert.equal(answer.status, 402);
      const { code, state } = await refusal(answer);
      assert.equal(code, 'invalid_batched_voucher_stale');
      assert.equal(state?.chargedCumulativeAmount, held.toString());
    }
    // Above what one call costs: refused too.
    const over = await paidWith(direct, await header(direct, localBatchedSigner(payer), held + 2n * price()));
    assert.equal((await refusal(over)).code, 'invalid_batched_voucher_amount');
  });

  test("a voucher signed by someone other than the channel's client is refused and charges nothing", async () => {
    const thief = privateKeyToAccount(generatePrivateKey());
    const forged: BatchedSigner = { ...localBatchedSigner(thief), address: payer.address };
    const held = await read<bigint>('redeemed', [payer.address, provider.address, modelId]);
    const answer = await paidWith(direct, await header(direct, forged, held + 10n * price()));
    assert.equal(answer.status, 400);
    assert.equal((await refusal(answer)).code, 'invalid_batched_signature');
  });

  test('a PAYMENT-SIGNATURE replayed for another request: another input on the same channel, or another model', async () => {
    const signature = await header(direct, localBatchedSigner(payer), (await heldBy(localBatchedSigner(payer))) + price());
    assert.equal((await paidWith(direct, signature)).status, 200);
    const again = await paidWith(
      direct,
      signature,
      digit.map((v) => 1 - v),
    );
    assert.equal(again.status, 402);
    assert.equal((await refusal(again)).code, 'invalid_batched_voucher_stale', 'the voucher paid once, for the first call');
    const elsewhere = await paidWith(`${provider.url}/x402/v1/infer/${otherModelId}`, signature);
    assert.equal(elsewhere.status, 400);
    assert.equal((await refusal(elsewhere)).code, 'invalid_payload', 'made for another resource');
  });

  test("a voucher above the escrow's cover (its balance under withdrawal) is refused", async () => {
    const poor = await net.signer(localRoles.modelOwner);
    const signer = localBatchedSigner(poor.account);
    const minDeposit = BigInt((await offerOf(direct)).extra.minDeposit);
    // A first call with the smallest deposit, then the whole balance asked back.
    assert.equal((await paidWith(direct, await header(direct, signer, price(), minDeposit))).status, 200);
    const asked = await poor.walletClient.writeContract({ address: escrow, abi: escrowAbi, functionName: 'requestWithdrawal', args: [minDeposit] });
    await poor.publicClient.waitForTransactionReceipt({ hash: asked });
    // The provider follows escrows from events (src/provider/escrow-tracker.ts), for this
    // scheme as for signed requests: polled now, so the next call is the first after it.
    await provider.escrowTracker?.sync();
    const answer = await paidWith(direct, await header(direct, signer, 2n * price()));
    assert.equal(answer.status, 402);
    const { code, state } = await refusal(answer);
    assert.equal(code, 'insufficient_escrow');
    assert.equal(state?.balance, '0', 'a pending withdrawal backs no new voucher');
  });

  test('a provider that redeems more than the vouchers sign is paid only what is signed', async () => {
    await provider.redeemNow();
    const redeemed = await read<bigint>('redeemed', [payer.address, provider.address, modelId]);
    const signature = await header(direct, localBatchedSigner(payer), redeemed + price());
    assert.equal((await paidWith(direct, signature)).status, 200);
    const payment = parseBatchedPayment(JSON.parse(Buffer.from(signature, 'base64').toString('utf8')));
    const owner = await net.signer(localRoles.providers[0]);
    const inflated = { ...payment.voucher, cumulativeAmount: payment.voucher.cumulativeAmount + tokens('1') };
    const error = await owner.publicClient
      .simulateContract({ account: owner.account, address: escrow, abi: escrowAbi, functionName: 'redeem', args: [inflated, payment.signature] })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    assert.equal(explainRevert(error)?.name, 'EscrowInvalidSignature');
    await provider.redeemNow();
    assert.equal(await read<bigint>('redeemed', [payer.address, provider.address, modelId]), redeemed + price(), 'exactly what was signed');
  });

  test('a client that lost count (a new process) resyncs to the total its own signature covers, and pays on', async () => {
    const held = await heldBy(localBatchedSigner(payer));
    // One more voucher the escrow has not redeemed: a new client, reading only the chain, starts below it.
    assert.equal((await paidWith(direct, await header(direct, localBatchedSigner(payer), held + price()))).status, 200);
    assert.ok((await read<bigint>('redeemed', [payer.address, provider.address, modelId])) < held + price());
    const fresh = batchedFetch(localBatchedSigner(payer), client);
    const { answer, held: confirmed } = await fresh(direct);
    assert.equal(answer.status, 200, await answer.clone().text());
    assert.equal(confirmed?.cumulativeAmount, held + 2n * price(), 'built on the voucher it had signed');
  });
});

describe('batched payments from an agent account', () => {
  test("a stolen session key cannot deposit beyond the agent's limits, by the SDK or straight at the escrow", async () => {
    const owner = await net.signer(localRoles.agentOwner);
    await fundAgent(owner, net.chain.deployment, tokens('1000'));
    const agent = await createAgent({
      owner,
      deployment: net.chain.deployment,
      name: 'thief',
      limits: { allowance: tokens('1'), perCall: tokens('0.2'), period: DAY, lifetime: 30 * DAY },
    });
    const ownerBefore = await tokenBalance(owner.account.address);
    // The SDK refuses by name before signing.
    const greedy = await openAgent(agent.record, { rpcUrl: net.chain.rpcUrl, deployment: net.chain.deployment, scheme: 'batched', deposit: tokens('0.5') });
    await assert.rejects(
      greedy.fetch(direct, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input: digit }) }),
      (e: unknown) => e instanceof AgentError && e.code === 'SPEND_ABOVE_MAX_PER_CALL',
    );
    // The key used directly: a receive authorization above the per-call maximum, submitted to the escrow.
    const thief = accountBatchedSigner(agent.address, privateKeyToAccount(agent.record.privateKey));
    const above = await header(direct, thief, 1n, tokens('0.5'));
    const answer = await paidWith(direct, above);
    assert.equal(answer.status, 402);
    assert.equal((await refusal(answer)).code, 'invalid_batched_deposit');
    const { deposit } = parseBatchedPayment(JSON.parse(Buffer.from(above, 'base64').toString('utf8')));
    const a = deposit!.authorization;
    const error = await client.publicClient
      .simulateContract({
        account: client.account,
        address: escrow,
        abi: escrowAbi,
        functionName: 'depositWithAuthorization',
        args: [a.from, a.value, a.validAfter, a.validBefore, a.nonce, deposit!.signature],
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    assert.ok(explainRevert(error), 'the escrow refuses it');
    // Within the per-call maximum, five deposits empty the period's allowance and the sixth is refused.
    for (let i = 0; i < 5; i++) {
      const ok = parseBatchedPayment(JSON.parse(Buffer.from(await header(direct, thief, 1n, tokens('0.2')), 'base64').toString('utf8'))).deposit!;
      const hash = await client.walletClient.writeContract({
        address: escrow,
        abi: escrowAbi,
        functionName: 'depositWithAuthorization',
        args: [ok.authorization.from, ok.authorization.value, ok.authorization.validAfter, ok.authorization.validBefore, ok.authorization.nonce, ok.signature],
      });
      await client.publicClient.waitForTransactionReceipt({ hash });
    }
    const beyond = await paidWith(direct, await header(direct, thief, 1n, tokens('0.2')));
    assert.equal((await refusal(beyond)).code, 'invalid_batched_deposit');
    assert.equal(await escrowBalance(agent.address), tokens('1'), "the period's allowance, and no more, is in escrow");
    assert.equal(ownerBefore - (await tokenBalance(owner.account.address)), tokens('1'), 'the owner lost the allowance at most');
  });

  test('an agent pays N calls with one deposit and its vouchers; one redemption takes exactly N x price from its escrow', async () => {
    const owner = await net.signer(localRoles.agentOwner);
    const agent = await createAgent({
      owner,
      deployment: net.chain.deployment,
      name: 'batched',
      limits: { allowance: tokens('10'), perCall: tokens('1'), period: DAY, lifetime: 30 * DAY },
    });
    const batched = await openAgent(agent.record, { rpcUrl: net.chain.rpcUrl, deployment: net.chain.deployment, scheme: 'batched' });
    const fromBlock = await client.publicClient.getBlockNumber();
    const N = 4;
    for (let i = 0; i < N; i++) {
      const answer = await batched.fetch(direct, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input: digit }) });
      assert.equal(answer.status, 200, await answer.clone().text());
    }
    assert.equal(batched.payments.length, N);
    assert.ok(batched.payments[0]!.depositTransaction, 'the first payment deposited');
    assert.ok(
      batched.payments.slice(1).every((p) => p.depositTransaction === undefined && p.scheme === BATCHED_SCHEME),
      'the others are vouchers only',
    );
    const deposited = await escrowBalance(agent.address);
    assert.equal(deposited, tokens('1'), 'one deposit of the per-call maximum');
    await provider.redeemNow();
    const redeemed = await redemptionsOf(agent.address, fromBlock);
    assert.equal(redeemed.length, 1, 'one redemption');
    const total = batched.payments.reduce((sum, p) => sum + p.amount, 0n);
    assert.equal(await escrowBalance(agent.address), deposited - total, 'the balance fell by exactly N x price');
  });
});
