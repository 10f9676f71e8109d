// Replays on a real network, from the attacker's side. A provider that was sent a
// request through the gateway, or anyone who saw a request sent straight to one
// provider, sends it again elsewhere: every other provider refuses it before any work,
// whatever assignment comes with it, so the client's channels there are never blocked
// (its next requests are served at once, well within one grace period) and it is
// charged exactly the fees of the results it accepted, checked on chain. A captured
// request that never expires is refused outright.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Address, Hex } from 'viem';
import { connect } from '../src/chain/connect.ts';
import { escrowAbi } from '../src/chain/generated/Escrow.ts';
import { tokens } from '../src/chain/parameters.ts';
import { startGateway, type Gateway } from '../src/gateway/server.ts';
import { localGatewayAccount, localRoles } from '../src/network/local-network.ts';
import { signVoucher } from '../src/payments/voucher.ts';
import { startProviderNode, type ProviderNode } from '../src/provider/node.ts';
import { balances } from '../src/sdk/accounts.ts';
import { TrellisClient } from '../src/sdk/client.ts';
import type { SignerConnection } from '../src/chain/connect.ts';
import { hashRequest, signAssignment } from '../src/protocol/messages.ts';
import { parseInferBody, toWire } from '../src/protocol/wire.ts';
import { startMaliciousProvider, type MaliciousProvider } from './support/malicious-provider.ts';
import { postJson, signedBody, startTestNetwork, type TestNetwork } from './support/network.ts';

const digit = JSON.parse(readFileSync(new URL('../examples/digit-3.json', import.meta.url), 'utf8')) as number[];
const VICTIM_ACCOUNT = 6;
const ATTACKER_ACCOUNT = 5;
const VICTIM_PRICE = tokens('0.007');
/** Below every other provider's price, so the gateway routes the client's request to the attacker. */
const ATTACKER_PRICE = tokens('0.005');
/** Replays of one captured request at each provider, all within one grace period. */
const REPLAY_ROUNDS = 3;

let net: TestNetwork;
/** A provider whose grace period is far longer than the test: only the route check can keep its channel free. */
let victim: ProviderNode;
/** A provider the gateway sends requests to, and which replays them elsewhere. */
let attacker: MaliciousProvider;
let attackerConnection: SignerConnection;
/** A gateway started once the attacker is registered, so that it routes to it. */
let gateway: Gateway;
before(async () => {
  net = await startTestNetwork();
  victim = await startProviderNode({
    connection: await net.signer(VICTIM_ACCOUNT),
    deployment: net.chain.deployment,
    dataDir: join(net.dataDir, 'replay-victim'),
    models: [{ name: 'digits-mlp', price: VICTIM_PRICE }],
    port: 0,
    stake: tokens('500'),
    unpaidGraceMs: 3_600_000,
    settlement: { batchSize: 1_000_000, maxAgeMs: 3_600_000 },
  });
  attackerConnection = await net.signer(ATTACKER_ACCOUNT);
  attacker = await startMaliciousProvider({
    connection: attackerConnection,
    deployment: net.chain.deployment,
    model: 'digits-mlp',
    price: ATTACKER_PRICE,
    stake: tokens('500'),
    otherModelId: victim.models[0]!.modelId,
  });
  gateway = await startGateway({
    connection: await connect({ rpcUrl: net.chain.rpcUrl }),
    account: localGatewayAccount,
    deployment: net.chain.deployment,
    dataDir: join(net.dataDir, 'replay-gateway'),
    pollIntervalMs: 60_000,
    healthIntervalMs: 60_000,
    weights: { price: 1, latency: 0, load: 0, errors: 0, stake: 0 },
  });
});
after(async () => {
  await gateway?.stop();
  await attacker?.stop();
  await victim?.stop();
  await net?.dispose();
});

type WireReceipt = { channelTotal: string; modelId: Hex; provider: Address };

async function pay(client: SignerConnection, url: string, receipt: WireReceipt): Promise<void> {
  const { deployment } = net.chain;
  const signed = await signVoucher(
    client.account,
    { chainId: deployment.chainId, escrow: deployment.contracts.escrow },
    {
      client: client.account.address,
      provider: receipt.provider,
      modelId: receipt.modelId,
      cumulativeAmount: BigInt(receipt.channelTotal),
    },
  );
  const answer = await postJson(`${url}/v1/vouchers`, { vouchers: [{ ...toWire(signed.voucher), signature: signed.signature }] });
  assert.equal(answer.status, 200, JSON.stringify(answer.json));
}

const redeemedOn = (client: SignerConnection, provider: Address, modelId: Hex) =>
  client.publicClient.readContract({
    address: net.chain.deployment.contracts.escrow,
    abi: escrowAbi,
    functionName: 'redeemed',
    args: [client.account.address, provider, modelId],
  });

const refusal = (answer: Awaited<ReturnType<typeof postJson>>) =>
  `${answer.status} ${answer.json.error?.code}: ${answer.json.error?.message} ${answer.json.error?.details.join('; ')}`;

test('a provider replaying a request the gateway sent it is refused at every other provider, however often, and the client pays its own results only', async () => {
  const { deployment } = net.chain;
  const domain = { chainId: deployment.chainId, escrow: deployment.contracts.escrow };
  const client = await net.signer(localRoles.client);
  const sdk = new TrellisClient({ connection: client, deployment, gatewayUrl: gateway.url, dataDir: join(net.dataDir, 'replay-client') });
  const targets = [net.providers[1]!, net.providers[2]!];
  const escrowBefore = (await balances(client, deployment, client.account.address)).escrow;
  try {
    const routed = await sdk.infer({ model: 'digits-mlp', input: digit });
    assert.equal(routed.receipts[0]!.receipt.provider, attacker.address, 'the gateway sent the request to the attacker');
    const captured = attacker.captured.at(-1) as Record<string, unknown>;
    const { request } = parseInferBody(captured);
    assert.equal(request.router, localGatewayAccount.address);
    const requestHash = hashRequest(domain, request);

    for (let round = 0; round < REPLAY_ROUNDS; round++) {
      for (const target of targets) {
        const replay = (body: unknown) => postJson(`${target.url}/v1/infer`, body);
        // As received: the gateway's assignment names the attacker.
        const asReceived = await replay(captured);
        assert.equal(asReceived.json.error?.code, 'ASSIGNMENT_INVALID', refusal(asReceived));
        assert.equal(asReceived.status, 403);
        assert.match(refusal(asReceived), /names another provider/);
        // Without the assignment: the request is routed through the gateway.
        const bare = await replay({ ...captured, assignment: undefined });
        assert.equal(bare.json.error?.code, 'ROUTE_MISMATCH', refusal(bare));
        // With an assignment naming the target, signed by the attacker's key instead of the router's.
        const forged = await signAssignment(attackerConnection.account, domain, { requestHash, provider: target.address });
        const withForged = await replay({ ...captured, assignment: { ...forged.assignment, signature: forged.signature } });
        assert.equal(withForged.json.error?.code, 'ASSIGNMENT_INVALID', refusal(withForged));
        assert.match(refusal(withForged), /not signed by the request's router/);
        assert.equal((await fetch(`${target.url}/v1/receipts/${requestHash}`)).status, 404, 'nothing was served');
      }
    }

    // The client's channels there are free: its own next requests are served at once,
    // each the first result on its channel, so no replay is counted in its total.
    const fees: bigint[] = [ATTACKER_PRICE];
    for (const target of targets) {
      const own = await sdk.infer({ model: 'digits-mlp', input: digit, providerUrl: target.url });
      const { receipt } = own.receipts[0]!;
      assert.equal(receipt.provider, target.address);
      assert.equal(receipt.channelTotal, receipt.fee, 'only the fee of this result is charged');
      fees.push(receipt.fee);
    }

    // On chain, once everyone has redeemed what it holds: the client paid its three results.
    assert.equal(await attacker.redeemAll(), ATTACKER_PRICE);
    for (const target of targets) await target.redeemNow();
    for (const [i, target] of targets.entries()) assert.equal(await redeemedOn(client, target.address, request.modelId), fees[i + 1]);
    const escrowAfter = (await balances(client, deployment, client.account.address)).escrow;
    assert.equal(
      escrowBefore - escrowAfter,
      fees.reduce((a, b) => a + b, 0n),
      'the client paid exactly the fees of the results it accepted',
    );
  } finally {
    sdk.close();
  }
});

test('a request sent straight to one provider is refused at any other, and the client keeps its channel there', async () => {
  const { deployment } = net.chain;
  const client = await net.signer(localRoles.client);
  const honest = net.providers[0]!;
  const escrowBefore = (await balances(client, deployment, client.account.address)).escrow;

  // The client's request, served and paid where it sent it.
  const captured = await signedBody(client, net, { model: 'digits-mlp', input: digit, router: honest.address });
  const served = await postJson(`${honest.url}/v1/infer`, captured.body);
  assert.equal(served.status, 200, JSON.stringify(served.json));
  const honestReceipt = served.json.receipt as WireReceipt;
  await pay(client, honest.url, honestReceipt);

  // Someone sends the same signed request to another provider, again and again.
  for (let round = 0; round < REPLAY_ROUNDS; round++) {
    const replay = await postJson(`${victim.url}/v1/infer`, captured.body);
    assert.equal(replay.json.error?.code, 'ROUTE_MISMATCH', refusal(replay));
    assert.equal(replay.status, 403);
    assert.match(refusal(replay), new RegExp(`request router: ${honest.address}`));
  }

  // At once (the grace period is an hour), the client's own next request there is
  // served, and costs one fee.
  const own = await signedBody(client, net, { model: 'digits-mlp', input: digit, router: victim.address });
  const answer = await postJson(`${victim.url}/v1/infer`, own.body);
  assert.equal(answer.status, 200, `the client's own request was refused: ${JSON.stringify(answer.json)}`);
  const ownReceipt = answer.json.receipt as WireReceipt;
  assert.equal(BigInt(ownReceipt.channelTotal), VICTIM_PRICE, 'no replay is charged');
  await pay(client, victim.url, ownReceipt);

  // On chain: each provider redeems what the client paid it for, and nothing more.
  await victim.redeemNow();
  await honest.redeemNow();
  assert.equal(await redeemedOn(client, victim.address, ownReceipt.modelId), VICTIM_PRICE);
  assert.equal(await redeemedOn(client, honest.address, ownReceipt.modelId), BigInt(honestReceipt.channelTotal));
  const escrowAfter = (await balances(client, deployment, client.account.address)).escrow;
  assert.equal(escrowBefore - escrowAfter, VICTIM_PRICE + BigInt(honestReceipt.channelTotal), 'the client paid for its own two results only');
});

test('a captured request whose deadline never comes is refused, so it cannot be replayed for ever', async () => {
  const client = await net.signer(localRoles.client);
  const forever = await signedBody(client, net, { model: 'digits-mlp', input: digit, deadline: 2n ** 64n - 1n, router: victim.address });
  const answer = await postJson(`${victim.url}/v1/infer`, forever.body);
  assert.equal(answer.json.error?.code, 'DEADLINE_TOO_FAR');
  assert.equal(answer.status, 400);
  const { deployment } = net.chain;
  const requestHash = hashRequest({ chainId: deployment.chainId, escrow: deployment.contracts.escrow }, forever.request);
  assert.equal((await fetch(`${victim.url}/v1/receipts/${requestHash}`)).status, 404, 'nothing was served');
});
