// The network end to end on a real anvil: 200 paid requests through the gateway over
// three providers, settled on chain to exact balances; then every kind of bad input,
// answered with a code, charging nothing, with every process still up.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { escrowAbi } from '../src/chain/generated/Escrow.ts';
import { devAccount } from '../src/chain/dev-accounts.ts';
import { signVoucher } from '../src/payments/voucher.ts';
import { balances } from '../src/sdk/accounts.ts';
import { TrellisClient } from '../src/sdk/client.ts';
import { toWire } from '../src/protocol/wire.ts';
import { localRoles } from '../src/network/local-network.ts';
import { postJson, signedBody, startTestNetwork, type TestNetwork } from './support/network.ts';

const digit = JSON.parse(readFileSync(new URL('../examples/digit-3.json', import.meta.url), 'utf8')) as number[];
const cancerRow = readFileSync(new URL('../examples/breast-cancer.csv', import.meta.url), 'utf8')
  .trim()
  .split('\n')[1]!
  .split(',')
  .map(Number);
const rowFor = (model: string) => (model === 'breast-cancer-mlp' ? cancerRow : digit);

// Fee split as the escrow computes it: floor rounding, the remainder to the provider.
const ROYALTY_BPS = 500n;
const PROTOCOL_FEE_BPS = 100n;

describe('the local network end to end', () => {
  let net: TestNetwork;
  before(async () => {
    net = await startTestNetwork();
  });
  after(() => net?.dispose());

  test('200 requests over three providers settle to exact balances for everyone', async () => {
    const { deployment } = net.chain;
    const clientConnection = await net.signer(localRoles.client);
    const client = new TrellisClient({ connection: clientConnection, deployment, gatewayUrl: net.gatewayUrl, dataDir: join(net.dataDir, 'test-client') });
    const parties = [
      clientConnection.account.address,
      devAccount(localRoles.modelOwner).address,
      devAccount(localRoles.deployer).address,
      ...net.providers.map((p) => p.address),
    ];
    const before = new Map(await Promise.all(parties.map(async (a) => [a, await balances(clientConnection, deployment, a)] as const)));

    // Three loops per model: a provider extends one request of credit per channel, so
    // concurrent requests of one client overflow onto the other providers.
    const models = ['digits-mlp', 'digits-cnn', 'breast-cancer-mlp'];
    let remaining = 200;
    const loops = models.flatMap((model) =>
      [0, 1, 2].map(async () => {
        while (remaining > 0) {
          remaining--;
          const verification = remaining % 5 === 0 ? 'none' : 'optimistic';
          const result = await client.infer({ model, input: rowFor(model), verification });
          assert.equal(result.receipts.length, 1);
        }
      }),
    );
    await Promise.all(loops);
    await client.flushVouchers();
    const receipts = client.receipts().map((r) => r.receipt);
    assert.equal(receipts.length, 200);
    assert.equal(new Set(receipts.map((r) => r.requestHash)).size, 200, 'every request answered once');
    const servedBy = new Set(receipts.map((r) => r.provider));
    assert.equal(servedBy.size, 3, `requests reached ${servedBy.size} providers`);

    for (const provider of net.providers) await provider.redeemNow();

    // Expected: per channel the total of its receipts, redeemed once and split.
    const channels = new Map<string, { provider: string; total: bigint }>();
    for (const r of receipts) {
      const key = `${r.provider}:${r.modelId}`;
      const channel = channels.get(key) ?? { provider: r.provider, total: 0n };
      channel.total += BigInt(r.fee);
      channels.set(key, channel);
    }
    let spent = 0n;
    let royalties = 0n;
    let fees = 0n;
    const providerShare = new Map<string, bigint>();
    for (const { provider, total } of channels.values()) {
      const royalty = (total * ROYALTY_BPS) / 10_000n;
      const fee = (total * PROTOCOL_FEE_BPS) / 10_000n;
      spent += total;
      royalties += royalty;
      fees += fee;
      providerShare.set(provider, (providerShare.get(provider) ?? 0n) + total - royalty - fee);
    }
    assert.equal(
      spent,
      receipts.reduce((sum, r) => sum + BigInt(r.fee), 0n),
    );
    const after = async (a: `0x${string}`) => balances(clientConnection, deployment, a);
    const gained = async (a: `0x${string}`) => (await after(a)).earnings - before.get(a)!.earnings;
    assert.equal(
      (await after(clientConnection.account.address)).escrow,
      before.get(clientConnection.account.address)!.escrow - spent,
      'client paid exactly its receipts',
    );
    for (const provider of net.providers)
      assert.equal(await gained(provider.address), providerShare.get(provider.address) ?? 0n, `provider ${provider.address}`);
    assert.equal(await gained(devAccount(localRoles.modelOwner).address), royalties, 'model owner royalties');
    assert.equal(await gained(devAccount(localRoles.deployer).address), fees, 'treasury fees');
    client.close();
  });

  test('bad input gets a named error, charges nothing and leaves every process up', async () => {
    const { deployment } = net.chain;
    const provider = net.providers[0]!;
    const client = await net.signer(localRoles.client);
    const stranger = await net.signer(6); // tokens in the wallet, nothing in escrow
    const targets = [
      { base: provider.url, router: provider.address },
      { base: net.gatewayUrl, router: net.gatewayAddress },
    ];
    const escrowBefore = (await balances(client, deployment, client.account.address)).escrow;

    for (const [i, { base, router }] of targets.entries()) {
      const infer = `${base}/v1/infer`;
      const expect = async (body: unknown, status: number, code: string, text?: RegExp) => {
        const { status: got, json } = await postJson(infer, body);
        assert.equal(json.error?.code, code, `${base}: ${JSON.stringify(json)}`);
        assert.equal(got, status);
        if (text) assert.match(`${json.error!.message} ${json.error!.details.join(' ')}`, text);
      };
      await expect('{"request": ', 400, 'MALFORMED_JSON');
      await expect('x'.repeat(70_000), 413, 'BODY_TOO_LARGE');
      const good = await signedBody(client, net, { model: 'digits-mlp', input: digit, router });
      await expect({ ...good.body, signature: undefined }, 400, 'INVALID_BODY', /signature: expected a 65-byte signature/);
      await expect({ ...good.body, request: { ...good.body.request, maxFee: '-1' } }, 400, 'INVALID_BODY', /request\.maxFee/);
      await expect({ ...good.body, request: { ...good.body.request, router: undefined } }, 400, 'INVALID_BODY', /request\.router: expected an address/);
      await expect({ ...good.body, assignment: 'mine' }, 400, 'INVALID_BODY', /assignment: expected an object/);
      const noProvider = { requestHash: `0x${'11'.repeat(32)}`, signature: good.body.signature };
      await expect({ ...good.body, assignment: noProvider }, 400, 'INVALID_BODY', /assignment\.provider: expected an address.*got nothing/);
      await expect({ ...good.body, assignment: { ...noProvider, provider: router, requestHash: 7 } }, 400, 'INVALID_BODY', /assignment\.requestHash/);
      // Signed for the other target: the gateway and the provider each refuse a request routed elsewhere.
      const elsewhere = await signedBody(client, net, { model: 'digits-mlp', input: digit, router: targets[1 - i]!.router });
      await expect(elsewhere.body, 403, 'ROUTE_MISMATCH', new RegExp(`request router: ${targets[1 - i]!.router}`));
      const forged = await signedBody(stranger, net, { model: 'digits-mlp', input: digit, router });
      await expect({ ...forged.body, request: good.body.request }, 401, 'BAD_SIGNATURE');
      await expect({ ...good.body, input: digit.slice(0, 63) }, 422, 'INVALID_INPUT', /64/);
      await expect({ ...good.body, input: digit.map((v, i) => (i === 5 ? 99 : v)) }, 422, 'INVALID_INPUT');
      const expired = await signedBody(client, net, { model: 'digits-mlp', input: digit, deadline: 1000n, router });
      await expect(expired.body, 410, 'DEADLINE_EXPIRED');
      const unknown = await signedBody(client, net, { model: 'digits-mlp', input: digit, modelId: `0x${'ab'.repeat(32)}`, router });
      await expect(unknown.body, 404, 'UNKNOWN_MODEL', /0xabab/);
      const poor = await signedBody(stranger, net, { model: 'digits-mlp', input: digit, router });
      await expect(poor.body, 402, 'INSUFFICIENT_ESCROW');
    }

    // A replayed request is served once only.
    const once = await signedBody(client, net, { model: 'digits-mlp', input: digit, router: provider.address });
    const first = await postJson(`${provider.url}/v1/infer`, once.body);
    assert.equal(first.status, 200);
    const replay = await postJson(`${provider.url}/v1/infer`, once.body);
    assert.equal(replay.json.error?.code, 'REPLAYED');
    assert.equal(replay.status, 409);

    // A voucher that jumps by the wrong amount is refused with the amounts expected.
    const receipt = first.json.receipt as { channelTotal: string; modelId: `0x${string}` };
    const wrong = await signVoucher(
      client.account,
      { chainId: deployment.chainId, escrow: deployment.contracts.escrow },
      {
        client: client.account.address,
        provider: provider.address,
        modelId: receipt.modelId,
        cumulativeAmount: BigInt(receipt.channelTotal) + 1n,
      },
    );
    const refused = await postJson(`${provider.url}/v1/vouchers`, { vouchers: [{ ...toWire(wrong.voucher), signature: wrong.signature }] });
    assert.equal(refused.json.error?.code, 'VOUCHER_AMOUNT_WRONG');
    assert.match(refused.json.error!.details.join(' '), new RegExp(`expected one of: ${receipt.channelTotal}`));

    // Nothing was charged and everything still answers.
    await provider.redeemNow();
    assert.equal((await balances(client, deployment, client.account.address)).escrow, escrowBefore, 'no voucher was accepted, nothing redeemed');
    assert.equal((await balances(stranger, deployment, stranger.account.address)).escrow, 0n);
    for (const base of [...net.providers.map((p) => p.url), net.gatewayUrl]) assert.equal((await fetch(`${base}/v1/health`)).status, 200);
    const redeemed = await client.publicClient.readContract({
      address: deployment.contracts.escrow,
      abi: escrowAbi,
      functionName: 'redeemed',
      args: [client.account.address, provider.address, receipt.modelId],
    });
    assert.ok(redeemed < BigInt(receipt.channelTotal), 'the unpaid receipt was not redeemed');
  });

  test('a client signs nothing for a gateway whose routing address it cannot learn', async () => {
    const sent: string[] = [];
    const client = new TrellisClient({
      connection: await net.signer(localRoles.client),
      deployment: net.chain.deployment,
      // A provider node's health names a provider, not a gateway.
      gatewayUrl: net.providers[0]!.url,
      dataDir: join(net.dataDir, 'routerless-client'),
      fetch: (input, init) => {
        sent.push(`${init?.method ?? 'GET'} ${String(input)}`);
        return fetch(input, init);
      },
    });
    try {
      await assert.rejects(client.infer({ model: 'digits-mlp', input: digit }), { code: 'ROUTER_UNKNOWN' });
      assert.deepEqual(sent, [`GET ${net.providers[0]!.url}/v1/health`], 'no request was sent');
    } finally {
      client.close();
    }
  });

  test('the CLI: infer from an 8x8 image, list providers, and a clear error for bad options', async () => {
    // Asynchronous: the network under test runs in this process and must keep serving.
    const trellis = (...args: string[]) =>
      new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, ['bin/trellis.js', ...args, '--data-dir', net.dataDir], { timeout: 60_000 });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.on('close', (status) => resolve({ status, stdout, stderr }));
      });
    const infer = await trellis('infer', '--model', 'digits-mlp', '--image', 'examples/digit-3.pgm', '--json');
    assert.equal(infer.status, 0, infer.stderr);
    const result = JSON.parse(infer.stdout) as { label: number; receipts: { provider: string; fee: string }[] };
    assert.equal(result.label, 3);
    assert.equal(result.receipts.length, 1);

    const providers = await trellis('providers', '--json');
    assert.equal(providers.status, 0, providers.stderr);
    assert.equal((JSON.parse(providers.stdout) as unknown[]).length, 3);

    const bad = await trellis('infer', '--model', 'digits-mlp', '--image', 'examples/digit-3.pgm', '--verification', 'maybe');
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /--verification must be one of none, redundant, optimistic, zk, got "maybe"/);
    const missing = await trellis('infer', '--model', 'digits-mlp', '--image', 'examples/nope.pgm');
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /examples\/nope\.pgm: cannot be read/);
  });
});
