// Replays on a real network, from the attacker's side: a signed request the client had
// served and paid at one provider is sent again to another provider by someone else.
// The client keeps its channel there (its next request is served once the payment
// window has passed, long before the grace period ends) and its money (it pays for
// its own results only, checked on chain); a captured request that never expires is
// refused outright.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Address, Hex } from 'viem';
import { escrowAbi } from '../src/chain/generated/Escrow.ts';
import { tokens } from '../src/chain/parameters.ts';
import { localRoles } from '../src/network/local-network.ts';
import { signVoucher } from '../src/payments/voucher.ts';
import { startProviderNode, type ProviderNode } from '../src/provider/node.ts';
import { balances } from '../src/sdk/accounts.ts';
import type { SignerConnection } from '../src/chain/connect.ts';
import { hashRequest } from '../src/protocol/messages.ts';
import { toWire } from '../src/protocol/wire.ts';
import { postJson, signedBody, startTestNetwork, type TestNetwork } from './support/network.ts';

const digit = JSON.parse(readFileSync(new URL('../examples/digit-3.json', import.meta.url), 'utf8')) as number[];
const VICTIM_ACCOUNT = 6;
const VICTIM_PRICE = tokens('0.007');
const PAYMENT_WINDOW_MS = 1_000;

let net: TestNetwork;
/** The provider the replays are sent to: a grace period far longer than the test, so only the new rule can free its channel. */
let victim: ProviderNode;
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
    paymentWindowMs: PAYMENT_WINDOW_MS,
    settlement: { batchSize: 1_000_000, maxAgeMs: 3_600_000 },
  });
});
after(async () => {
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

test('a replayed request neither blocks the client past the payment window nor costs it anything', async () => {
  const { deployment } = net.chain;
  const client = await net.signer(localRoles.client);
  const honest = net.providers[0]!;
  const escrowBefore = (await balances(client, deployment, client.account.address)).escrow;

  // The client's request, served and paid where it sent it.
  const captured = await signedBody(client, net, { model: 'digits-mlp', input: digit });
  const served = await postJson(`${honest.url}/v1/infer`, captured.body);
  assert.equal(served.status, 200, JSON.stringify(served.json));
  const honestReceipt = served.json.receipt as WireReceipt;
  await pay(client, honest.url, honestReceipt);

  // The attacker sends the same signed request to another provider, which serves it once.
  const replay = await postJson(`${victim.url}/v1/infer`, captured.body);
  assert.equal(replay.status, 200, 'the replay is a validly signed request');
  assert.equal((await postJson(`${victim.url}/v1/infer`, captured.body)).json.error?.code, 'REPLAYED');

  // Past the payment window (seconds, where the grace period is an hour), the client's
  // own next request there is served, and costs one fee: the replay is not in it.
  await new Promise((resolve) => setTimeout(resolve, PAYMENT_WINDOW_MS + 1_100));
  const own = await signedBody(client, net, { model: 'digits-mlp', input: digit });
  const answer = await postJson(`${victim.url}/v1/infer`, own.body);
  assert.equal(answer.status, 200, `the client's own request was refused: ${JSON.stringify(answer.json)}`);
  const ownReceipt = answer.json.receipt as WireReceipt;
  assert.equal(BigInt(ownReceipt.channelTotal), VICTIM_PRICE, 'the replayed result is not charged');
  await pay(client, victim.url, ownReceipt);

  // On chain: each provider redeems what the client paid it for, and nothing more.
  await victim.redeemNow();
  await honest.redeemNow();
  const redeemed = (provider: Address) =>
    client.publicClient.readContract({
      address: deployment.contracts.escrow,
      abi: escrowAbi,
      functionName: 'redeemed',
      args: [client.account.address, provider, ownReceipt.modelId],
    });
  assert.equal(await redeemed(victim.address), VICTIM_PRICE);
  assert.equal(await redeemed(honest.address), BigInt(honestReceipt.channelTotal));
  const escrowAfter = (await balances(client, deployment, client.account.address)).escrow;
  assert.equal(escrowBefore - escrowAfter, VICTIM_PRICE + BigInt(honestReceipt.channelTotal), 'the client paid for its own two results only');
});

test('a captured request whose deadline never comes is refused, so it cannot be replayed for ever', async () => {
  const client = await net.signer(localRoles.client);
  const forever = await signedBody(client, net, { model: 'digits-mlp', input: digit, deadline: 2n ** 64n - 1n });
  const answer = await postJson(`${victim.url}/v1/infer`, forever.body);
  assert.equal(answer.json.error?.code, 'DEADLINE_TOO_FAR');
  assert.equal(answer.status, 400);
  const { deployment } = net.chain;
  const requestHash = hashRequest({ chainId: deployment.chainId, escrow: deployment.contracts.escrow }, forever.request);
  assert.equal((await fetch(`${victim.url}/v1/receipts/${requestHash}`)).status, 404, 'nothing was served');
});
