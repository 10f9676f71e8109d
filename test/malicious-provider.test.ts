// A lying provider on a real anvil, next to three honest ones: every lie is run against
// the gateway and the SDK, and the client is charged exactly the fees of the results
// it accepted (what the escrow pays once everyone, the liar included, has redeemed
// every voucher it holds), the liar loses reputation and traffic, honest providers
// keep serving (an answer lost on its way included), and every process stays up. Then
// a malicious client against an honest provider: the provider is never owed more than
// one request per channel.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Address } from 'viem';
import { connect, type SignerConnection } from '../src/chain/connect.ts';
import { escrowAbi } from '../src/chain/generated/Escrow.ts';
import { tokens } from '../src/chain/parameters.ts';
import { startGateway, type Gateway } from '../src/gateway/server.ts';
import { localGatewayAccount } from '../src/network/local-network.ts';
import { signVoucher, type SignedVoucher } from '../src/payments/voucher.ts';
import { ProtocolError } from '../src/protocol/errors.ts';
import { toWire } from '../src/protocol/wire.ts';
import { startProviderNode } from '../src/provider/node.ts';
import { balances, deposit, requestWithdrawal } from '../src/sdk/accounts.ts';
import { TrellisClient } from '../src/sdk/client.ts';
import { INFLATION, startMaliciousProvider, type Lie, type MaliciousProvider } from './support/malicious-provider.ts';
import { postJson, signedBody, startTestNetwork, type TestNetwork } from './support/network.ts';

const digit = JSON.parse(readFileSync(new URL('../examples/digit-3.json', import.meta.url), 'utf8')) as number[];
const LIAR_ACCOUNT = 5;
const CLIENT_ACCOUNT = 7;
const GREEDY_CLIENT_ACCOUNT = 6;
const WRITE_OFF_PROVIDER_ACCOUNT = 8;
const WRITE_OFF_GRACE_MS = 1_000;
const DEPOSIT = tokens('20');
const LIAR_PRICE = tokens('0.005'); // the cheapest, so routing tries it first

let net: TestNetwork;
let liar: MaliciousProvider;
let clientConnection: SignerConnection;
let gateways = 0;

before(async () => {
  net = await startTestNetwork();
  const otherModelId = net.providers[0]!.models.find((m) => m.name === 'digits-cnn')!.modelId;
  liar = await startMaliciousProvider({
    connection: await net.signer(LIAR_ACCOUNT),
    deployment: net.chain.deployment,
    model: 'digits-mlp',
    price: LIAR_PRICE,
    stake: tokens('500'),
    otherModelId,
  });
  clientConnection = await net.signer(CLIENT_ACCOUNT);
  await deposit(clientConnection, net.chain.deployment, DEPOSIT);
});
after(async () => {
  await liar?.stop();
  await net?.dispose();
});

/** A fresh gateway (so every lie starts from a clean record) and a client using it. */
async function withGateway<T>(
  work: (gateway: Gateway, client: TrellisClient) => Promise<T>,
  clientOptions: { requestTtlSeconds?: number; selfCheckRate?: number } = {},
): Promise<T> {
  const gateway = await startGateway({
    connection: await connect({ rpcUrl: net.chain.rpcUrl }),
    account: localGatewayAccount,
    deployment: net.chain.deployment,
    dataDir: join(net.dataDir, `gateway-${++gateways}`),
    pollIntervalMs: 60_000,
    healthIntervalMs: 60_000,
  });
  const client = new TrellisClient({
    connection: clientConnection,
    deployment: net.chain.deployment,
    gatewayUrl: gateway.url,
    dataDir: join(net.dataDir, 'client'),
    ...clientOptions,
  });
  try {
    return await work(gateway, client);
  } finally {
    client.close();
    await gateway.stop();
  }
}

const listed = async (gateway: Gateway, provider: Address) => {
  const { providers } = (await (await fetch(`${gateway.url}/v1/providers`)).json()) as {
    providers: { address: Address; errorRate: number; healthy: boolean }[];
  };
  return providers.find((p) => p.address === provider)!;
};

const paidTo = (client: TrellisClient, provider: Address) =>
  client
    .receipts()
    .filter((r) => r.receipt.provider === provider)
    .reduce((sum, r) => sum + BigInt(r.receipt.fee), 0n);

describe('a lying provider against the gateway and the client', () => {
  const skipped: Lie[] = ['inflated-total', 'wrong-output-hash', 'forged-signature', 'other-model', 'false-replayed', 'false-invalid-input', 'oversized'];
  for (const lie of skipped) {
    test(`${lie}: the gateway tries the liar once, then honest providers serve; the liar loses reputation and traffic`, async () => {
      liar.lie = lie;
      await withGateway(async (gateway, client) => {
        const calls = liar.inferCalls;
        const paidToLiar = paidTo(client, liar.address);
        for (let i = 0; i < 3; i++) {
          const result = await client.infer({ model: 'digits-mlp', input: digit });
          assert.equal(result.label, 3);
          assert.notEqual(result.receipts[0]!.receipt.provider, liar.address);
        }
        assert.equal(liar.inferCalls - calls, 1, 'tried first (the cheapest), then never again');
        assert.ok((await listed(gateway, liar.address)).errorRate > 0, 'the lie counts against the liar');
        assert.equal(paidTo(client, liar.address), paidToLiar, 'nothing accepted from the liar');
      });
    });
  }

  for (const lie of ['hang', 'slow-drip'] as const) {
    test(`${lie}: the gateway's retries fit inside the request's deadline, and the client waits for them`, async () => {
      liar.lie = lie;
      await withGateway(
        async (gateway, client) => {
          const calls = liar.inferCalls;
          const result = await client.infer({ model: 'digits-mlp', input: digit });
          assert.equal(result.label, 3);
          assert.notEqual(result.receipts[0]!.receipt.provider, liar.address);
          assert.equal(liar.inferCalls - calls, 1);
          assert.ok((await listed(gateway, liar.address)).errorRate > 0);
        },
        { requestTtlSeconds: 6 },
      );
    });
  }

  test('inflated-total, straight to the liar: the client refuses with CHANNEL_TOTAL_WRONG and signs nothing', async () => {
    liar.lie = 'inflated-total';
    await withGateway(async (_gateway, client) => {
      const before = client.receipts().length;
      const held = liar.heldVouchers().map((v) => v.voucher.cumulativeAmount);
      await assert.rejects(client.infer({ model: 'digits-mlp', input: digit, providerUrl: liar.url }), (error: unknown) => {
        assert.ok(error instanceof ProtocolError);
        assert.equal(error.code, 'CHANNEL_TOTAL_WRONG');
        assert.match(error.shortMessage, /nothing was paid/);
        assert.match(error.details.join(' '), /receipt\.channelTotal: expected \d+ \(paid so far \d+ \+ fee 5000\), got \d+/);
        return true;
      });
      assert.equal(client.receipts().length, before, 'the receipt is not kept');
      assert.deepEqual(
        liar.heldVouchers().map((v) => v.voucher.cumulativeAmount),
        held,
        'no voucher reached the liar',
      );
    });
  });

  test('unpackable-output, straight to the liar: a score outside int16 is refused by name, nothing is paid', async () => {
    liar.lie = 'unpackable-output';
    await withGateway(async (_gateway, client) => {
      const before = client.receipts().length;
      await assert.rejects(client.infer({ model: 'digits-mlp', input: digit, providerUrl: liar.url }), (error: unknown) => {
        assert.ok(error instanceof ProtocolError);
        assert.equal(error.code, 'PROVIDER_BAD_RESPONSE');
        assert.match(error.details.join(' '), /expected int16 integers/);
        return true;
      });
      assert.equal(client.receipts().length, before, 'the receipt is not kept');
    });
  });

  test('wrong-output under a valid signature (optimistic): undetectable on the spot, and it costs the client that one fee only', async () => {
    liar.lie = 'wrong-output';
    await withGateway(async (_gateway, client) => {
      const before = paidTo(client, liar.address);
      const result = await client.infer({ model: 'digits-mlp', input: digit });
      assert.equal(result.receipts[0]!.receipt.provider, liar.address);
      assert.notEqual(result.label, 3, 'the wrong answer came through');
      assert.equal(paidTo(client, liar.address) - before, LIAR_PRICE);
      // The receipt is what a watcher or the client disputes on chain (docs/disputes.md).
      assert.notEqual(result.receipts[0]!.receipt.traceRoot, `0x${'0'.repeat(64)}`);
    });
  });

  test('wrong-output, against a client that re-executes its results: refused, nothing signed, the receipt handed back to dispute', async () => {
    liar.lie = 'wrong-output';
    await withGateway(
      async (_gateway, client) => {
        const before = paidTo(client, liar.address);
        await assert.rejects(client.infer({ model: 'digits-mlp', input: digit }), (error: unknown) => {
          assert.ok(error instanceof ProtocolError && error.code === 'RESULT_WRONG', String(error));
          assert.match(error.details.join('\n'), /receipt \(to dispute\): \{.*"provider":"0x/);
          return true;
        });
        assert.equal(paidTo(client, liar.address), before, 'no voucher was signed for the wrong result');
        // An honest answer passes the same check and is paid.
        liar.lie = 'none';
        const result = await client.infer({ model: 'digits-mlp', input: digit });
        assert.equal(result.label, 3);
      },
      { selfCheckRate: 1 },
    );
  });

  test('honest flows still pay: the liar when honest, direct and through the gateway, and redundant mode around a liar', async () => {
    liar.lie = 'none';
    await withGateway(async (_gateway, client) => {
      const before = paidTo(client, liar.address);
      assert.equal((await client.infer({ model: 'digits-mlp', input: digit, providerUrl: liar.url })).label, 3);
      assert.equal((await client.infer({ model: 'digits-mlp', input: digit })).receipts[0]!.receipt.provider, liar.address);
      assert.equal(paidTo(client, liar.address) - before, 2n * LIAR_PRICE);
    });
    liar.lie = 'inflated-total';
    await withGateway(async (_gateway, client) => {
      const result = await client.infer({ model: 'digits-mlp', input: digit, verification: 'redundant' });
      assert.equal(result.agreement, true);
      assert.equal(result.receipts.length, 2);
      assert.ok(result.receipts.every((r) => r.receipt.provider !== liar.address));
    });
  });

  test('the liar replaying vouchers: not its own, nor twice the same, nor altered', async () => {
    const client = new TrellisClient({ connection: clientConnection, deployment: net.chain.deployment, dataDir: join(net.dataDir, 'client') });
    try {
      const honest = net.providers[0]!.address;
      const someoneElses = client.receipts().find((r) => r.receipt.provider === honest);
      assert.ok(someoneElses, 'the client paid an honest provider');
      const domain = { chainId: net.chain.deployment.chainId, escrow: net.chain.deployment.contracts.escrow };
      // The client's voucher for an honest provider, as the liar could pick it up in transit.
      const forHonest = await signVoucher(clientConnection.account, domain, {
        client: clientConnection.account.address,
        provider: honest,
        modelId: liar.modelId,
        cumulativeAmount: 1n,
      });
      assert.deepEqual(await liar.tryRedeem(forHonest), { paid: false, reason: 'EscrowNotProvider' });
      const own = liar.heldVouchers()[0]!;
      const altered: SignedVoucher = { ...own, voucher: { ...own.voucher, cumulativeAmount: own.voucher.cumulativeAmount + INFLATION } };
      assert.deepEqual(await liar.tryRedeem(altered), { paid: false, reason: 'EscrowInvalidSignature' });
      assert.ok((await liar.redeemAll()) > 0n);
      assert.deepEqual(await liar.tryRedeem(own), { paid: false, reason: 'EscrowNothingToRedeem' });
    } finally {
      client.close();
    }
  });

  test('the same key from another data folder: refused while its vouchers are not redeemed, then pays exactly the fee on top of what the escrow paid', async () => {
    liar.lie = 'none';
    // A result paid from the usual folder, not redeemed yet.
    await withGateway(async (_gateway, client) => void (await client.infer({ model: 'digits-mlp', input: digit, providerUrl: liar.url })));
    const elsewhere = new TrellisClient({ connection: clientConnection, deployment: net.chain.deployment, dataDir: join(net.dataDir, 'client-elsewhere') });
    try {
      const held = liar.heldVouchers()[0]!.voucher.cumulativeAmount;
      await assert.rejects(elsewhere.infer({ model: 'digits-mlp', input: digit, providerUrl: liar.url }), { code: 'CHANNEL_TOTAL_WRONG' });
      assert.equal(liar.heldVouchers()[0]!.voucher.cumulativeAmount, held);
      await liar.redeemAll();
      const result = await elsewhere.infer({ model: 'digits-mlp', input: digit, providerUrl: liar.url });
      assert.equal(result.receipts[0]!.receipt.channelTotal, held + LIAR_PRICE);
      assert.equal(liar.heldVouchers()[0]!.voucher.cumulativeAmount, held + LIAR_PRICE, 'signed for exactly one more fee');
    } finally {
      elsewhere.close();
    }
  });

  test('an answer lost on its way is written off: the next receipt is what was paid plus the fee, and the client pays it', async () => {
    const node = await startProviderNode({
      connection: await net.signer(WRITE_OFF_PROVIDER_ACCOUNT),
      deployment: net.chain.deployment,
      dataDir: join(net.dataDir, 'write-off-provider'),
      models: [{ name: 'digits-mlp', price: tokens('0.02') }],
      port: 0,
      stake: tokens('500'),
      unpaidGraceMs: WRITE_OFF_GRACE_MS,
      settlement: { batchSize: 1_000_000, maxAgeMs: 3_600_000 },
    });
    const client = new TrellisClient({ connection: clientConnection, deployment: net.chain.deployment, dataDir: join(net.dataDir, 'client') });
    try {
      const fee = node.models[0]!.price;
      await client.infer({ model: 'digits-mlp', input: digit, providerUrl: node.url });
      // Served, but its answer never reaches the client (a time-out between computing and answering).
      const lost = await postJson(
        `${node.url}/v1/infer`,
        (await signedBody(clientConnection, net, { model: 'digits-mlp', input: digit, router: node.address })).body,
      );
      assert.equal(BigInt((lost.json.receipt as { channelTotal: string }).channelTotal), 2n * fee);
      await new Promise((resolve) => setTimeout(resolve, WRITE_OFF_GRACE_MS + 500));
      const next = await client.infer({ model: 'digits-mlp', input: digit, providerUrl: node.url });
      assert.equal(next.receipts[0]!.receipt.channelTotal, 2n * fee, 'paid so far (one fee) plus this fee: the lost one is not charged');
      await node.redeemNow();
      const redeemed = await clientConnection.publicClient.readContract({
        address: net.chain.deployment.contracts.escrow,
        abi: escrowAbi,
        functionName: 'redeemed',
        args: [clientConnection.account.address, node.address, node.models[0]!.modelId],
      });
      assert.equal(redeemed, paidTo(client, node.address));
      assert.equal(redeemed, 2n * fee);
    } finally {
      client.close();
      await node.stop();
    }
  });

  test('in the end the client paid exactly the fees of the results it accepted, and everyone is still up', async () => {
    await liar.redeemAll();
    for (const provider of net.providers) await provider.redeemNow();
    const client = new TrellisClient({ connection: clientConnection, deployment: net.chain.deployment, dataDir: join(net.dataDir, 'client') });
    const elsewhere = new TrellisClient({ connection: clientConnection, deployment: net.chain.deployment, dataDir: join(net.dataDir, 'client-elsewhere') });
    try {
      const accepted = [...client.receipts(), ...elsewhere.receipts()].reduce((sum, r) => sum + BigInt(r.receipt.fee), 0n);
      const { escrow } = await balances(clientConnection, net.chain.deployment, clientConnection.account.address);
      assert.equal(escrow, DEPOSIT - accepted);
      const redeemedByLiar = await clientConnection.publicClient.readContract({
        address: net.chain.deployment.contracts.escrow,
        abi: escrowAbi,
        functionName: 'redeemed',
        args: [clientConnection.account.address, liar.address, liar.modelId],
      });
      assert.equal(
        redeemedByLiar,
        paidTo(client, liar.address) + paidTo(elsewhere, liar.address),
        'the liar got only the fees of the results the client accepted from it',
      );
    } finally {
      client.close();
      elsewhere.close();
    }
    for (const url of [...net.providers.map((p) => p.url), liar.url, net.gatewayUrl]) assert.equal((await fetch(`${url}/v1/health`)).status, 200, url);
  });
});

describe('a malicious client against an honest provider', () => {
  test('walking away, wrong vouchers, replays and a withdrawal mid-traffic: never owed more than one request per channel', async () => {
    const { deployment } = net.chain;
    const greedy = await net.signer(GREEDY_CLIENT_ACCOUNT);
    const provider = net.providers[0]!;
    const fee = provider.models.find((m) => m.name === 'digits-mlp')!.price;
    await deposit(greedy, deployment, 10n * fee);
    const domain = { chainId: deployment.chainId, escrow: deployment.contracts.escrow };
    const infer = async (vouchers: SignedVoucher[] = []) => {
      const { body } = await signedBody(greedy, net, { model: 'digits-mlp', input: digit, router: provider.address });
      return {
        body,
        ...(await postJson(`${provider.url}/v1/infer`, { ...body, vouchers: vouchers.map((v) => ({ ...toWire(v.voucher), signature: v.signature })) })),
      };
    };
    const voucher = (cumulativeAmount: bigint, signer = greedy.account) =>
      signVoucher(signer, domain, {
        client: greedy.account.address,
        provider: provider.address,
        modelId: provider.models.find((m) => m.name === 'digits-mlp')!.modelId,
        cumulativeAmount,
      });
    const postVoucher = async (v: SignedVoucher) =>
      (await postJson(`${provider.url}/v1/vouchers`, { vouchers: [{ ...toWire(v.voucher), signature: v.signature }] })).json.error?.code;

    // One result, not paid: the next request is refused until it is.
    const first = await infer();
    assert.equal(first.status, 200);
    const total = BigInt((first.json.receipt as { channelTotal: string }).channelTotal);
    assert.equal(total, fee);
    assert.equal((await infer()).json.error?.code, 'CREDIT_EXHAUSTED');
    // Wrong vouchers change nothing: above, below, or signed by someone else.
    assert.equal(await postVoucher(await voucher(total + 1n)), 'VOUCHER_AMOUNT_WRONG');
    assert.equal(await postVoucher(await voucher(total - 1n)), 'VOUCHER_AMOUNT_WRONG');
    assert.equal(await postVoucher(await voucher(total, clientConnection.account)), 'VOUCHER_INVALID');
    assert.equal((await infer([await voucher(total + fee)])).json.error?.code, 'VOUCHER_AMOUNT_WRONG');
    assert.equal((await infer()).json.error?.code, 'CREDIT_EXHAUSTED');
    // Its own request again: served once only.
    assert.equal((await postJson(`${provider.url}/v1/infer`, first.body)).json.error?.code, 'REPLAYED');

    // Paying unlocks exactly one more result.
    const second = await infer([await voucher(total)]);
    assert.equal(second.status, 200);
    const secondTotal = BigInt((second.json.receipt as { channelTotal: string }).channelTotal);
    assert.equal(secondTotal, 2n * fee);
    assert.equal(await postVoucher(await voucher(secondTotal)), undefined);

    // A withdrawal of everything, mid-traffic: no new work, and what was paid stays redeemable.
    const { escrow } = await balances(greedy, deployment, greedy.account.address);
    await requestWithdrawal(greedy, deployment, escrow);
    // The provider follows escrows from events (src/provider/escrow-tracker.ts): it sees
    // the request once it polls that block, a lag the withdrawal notice covers. Polled now,
    // rather than waited for, so that the next request is the first one after it.
    await provider.escrowTracker?.sync();
    assert.equal((await infer()).json.error?.code, 'INSUFFICIENT_ESCROW');
    await provider.redeemNow();
    const redeemed = await greedy.publicClient.readContract({
      address: deployment.contracts.escrow,
      abi: escrowAbi,
      functionName: 'redeemed',
      args: [greedy.account.address, provider.address, provider.models.find((m) => m.name === 'digits-mlp')!.modelId],
    });
    assert.equal(redeemed, secondTotal, 'the provider was paid everything it served');
    assert.equal((await balances(greedy, deployment, greedy.account.address)).escrow, 10n * fee - secondTotal);
  });

  test('a replay through the gateway of a request it delivered is refused by the gateway itself', async () => {
    await withGateway(async (gateway) => {
      liar.lie = 'none';
      const { body } = await signedBody(clientConnection, net, { model: 'digits-mlp', input: digit, router: localGatewayAccount.address });
      const first = await postJson(`${gateway.url}/v1/infer`, body);
      assert.equal(first.status, 200, JSON.stringify(first.json));
      const again = await postJson(`${gateway.url}/v1/infer`, body);
      assert.equal(again.status, 409);
      assert.equal(again.json.error?.code, 'REPLAYED');
      assert.match(again.json.error!.message, /This gateway already delivered/);
    });
  });
});
