// The gateway's HTTP API against a real anvil and loopback servers playing provider
// nodes: forwarding, retries past faulty providers (garbage, forged or mismatched
// receipts, time-outs, closed connections, 5xx, exhausted credit), client errors passed
// straight back, redundant agreement and disagreement, voucher delivery, every
// bad-input case, the OpenAPI document, and a clean stop.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { Address, Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { devAccount } from '../chain/dev-accounts.ts';
import { modelRegistryAbi } from '../chain/generated/ModelRegistry.ts';
import { signVoucher } from '../payments/voucher.ts';
import { recoverAssignmentSigner } from '../protocol/messages.ts';
import { parseAssignment, toWire } from '../protocol/wire.ts';
import { DISAGREEMENTS_FILE, startGateway, type Gateway } from './server.ts';
import {
  addressOf,
  gatewayAccount,
  publishModel,
  registerProvider,
  send,
  signedBody,
  startFakeProvider,
  startTestChain,
  type FakeProvider,
  type TestChain,
} from './testing.ts';

const client = privateKeyToAccount(devAccount(8).privateKey);
const PRICES = [10n, 20n, 30n, 40n, 50n];

let chain: TestChain;
let gateway: Gateway;
let model: Hex;
let unservedModel: Hex;
let deprecatedModel: Hex;
let fakes: FakeProvider[];
let nonce = 0n;

before(async () => {
  chain = await startTestChain(0);
  const owner = await chain.signer(0);
  model = await publishModel(owner, chain.deployment, 'served');
  unservedModel = await publishModel(owner, chain.deployment, 'unserved');
  deprecatedModel = await publishModel(owner, chain.deployment, 'deprecated');
  await send(owner, { address: chain.deployment.contracts.modelRegistry, abi: modelRegistryAbi, functionName: 'deprecate', args: [deprecatedModel] });
  fakes = await Promise.all(PRICES.map((price, i) => startFakeProvider(i + 1, chain.domain, price)));
  for (const [i, fake] of fakes.entries()) {
    await registerProvider(await chain.signer(i + 1), chain.deployment, fake.url, [
      [model, PRICES[i] as bigint],
      [deprecatedModel, 1n],
    ]);
  }
  gateway = await startGateway({
    connection: owner,
    account: gatewayAccount,
    deployment: chain.deployment,
    dataDir: join(chain.dataDir, 'gateway'),
    pollIntervalMs: 60_000,
    healthIntervalMs: 60_000,
    healthTimeoutMs: 1_000,
    requestTimeoutMs: 400,
    maxAttempts: 3,
    // Order by price alone, so each test knows which provider comes first.
    weights: { price: 1, latency: 0, load: 0, errors: 0, stake: 0 },
  });
});

after(async () => {
  await gateway?.stop();
  await Promise.all((fakes ?? []).map((f) => f.stop()));
  await chain?.cleanup();
});

beforeEach(async () => {
  for (const fake of fakes) {
    fake.behaviour = 'honest';
    fake.healthy = true;
    fake.healthOverride = {};
    fake.models = [model, deprecatedModel];
    fake.inferBodies.length = 0;
    fake.voucherBodies.length = 0;
  }
  rmSync(join(chain.dataDir, 'gateway', DISAGREEMENTS_FILE), { force: true });
  await gateway.refresh();
});

const post = async (path: string, body: unknown, raw?: string) => {
  const response = await fetch(`${gateway.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: raw ?? JSON.stringify(body) });
  return {
    status: response.status,
    body: (await response.json()) as Record<string, unknown> & { error: { code: string; message: string; details: string[] } },
  };
};

const infer = async (over: Partial<Parameters<typeof signedBody>[2]> = {}, extra: Record<string, unknown> = {}) => {
  const signed = await signedBody(client, chain.domain, { modelId: model, ...over }, ++nonce);
  return { ...(await post('/v1/infer', { ...signed.body, ...extra })), signed };
};

const calls = () => fakes.map((f) => f.inferBodies.length);

/** The assignment a forwarded body carries: this gateway's, naming `provider` for `requestHash`. */
async function assertAssigned(forwarded: unknown, requestHash: Hex, provider: Address): Promise<void> {
  const signed = parseAssignment({ path: 'assignment', value: (forwarded as Record<string, unknown>).assignment });
  assert.ok(signed, 'the forwarded body carries an assignment');
  assert.deepEqual(signed.assignment, { requestHash, provider });
  assert.equal(await recoverAssignmentSigner(chain.domain, signed), gatewayAccount.address);
}

describe('forwarding and retries', () => {
  test("the cheapest healthy provider answers; the signed request reaches it unchanged, with the gateway's assignment to it", async () => {
    const { status, body, signed } = await infer();
    assert.equal(status, 200);
    assert.equal(body.provider, addressOf(1));
    assert.equal(body.attempts, 1);
    assert.deepEqual(body.output, [1, 2]);
    assert.equal((body.receipt as { requestHash: string }).requestHash, signed.hash);
    const [forwarded] = fakes[0]!.inferBodies as Record<string, unknown>[];
    const { assignment: _, ...unchanged } = forwarded!;
    assert.deepEqual(unchanged, signed.body);
    await assertAssigned(forwarded, signed.hash, addressOf(1));
    assert.deepEqual(calls(), [1, 0, 0, 0, 0]);
  });

  test('garbage and a forged receipt are skipped; the third provider delivers', async () => {
    fakes[0]!.behaviour = 'garbage';
    fakes[1]!.behaviour = 'forged';
    const { status, body, signed } = await infer();
    assert.equal(status, 200);
    assert.equal(body.provider, addressOf(3));
    assert.equal(body.attempts, 3);
    assert.deepEqual(calls(), [1, 1, 1, 0, 0]);
    // Each retry carries a new assignment, naming the provider it goes to.
    for (const i of [0, 1, 2]) await assertAssigned(fakes[i]!.inferBodies[0], signed.hash, addressOf(i + 1));
  });

  test('a receipt committing to another output than the one returned is skipped', async () => {
    fakes[0]!.behaviour = 'mismatched-output';
    const { status, body } = await infer();
    assert.equal(status, 200);
    assert.equal(body.provider, addressOf(2));
    assert.equal(body.attempts, 2);
  });

  test('a time-out, a closed connection and a 5xx use up the attempts: 502 naming each, never a fourth', async () => {
    fakes[0]!.behaviour = 'hang';
    fakes[1]!.behaviour = 'close';
    fakes[2]!.behaviour = 'error-500';
    const { status, body } = await infer();
    assert.equal(status, 502);
    assert.equal(body.error.code, 'PROVIDER_FAILED');
    assert.match(body.error.message, /in 3 attempts/);
    assert.equal(body.error.details.length, 3);
    assert.match(body.error.details[0] ?? '', new RegExp(`${addressOf(1)}: PROVIDER_FAILED: .*did not answer in time`));
    assert.match(body.error.details[1] ?? '', new RegExp(`${addressOf(2)}: PROVIDER_FAILED: .*could not be reached`));
    assert.match(body.error.details[2] ?? '', new RegExp(`${addressOf(3)}: INTERNAL`));
    // The closing provider sees the request twice when the gateway's connection to it was
    // a reused keep-alive one: the HTTP client sends it once more on a fresh connection
    // (src/net/http-client.ts), within the same attempt.
    const [hung, closed, failed, ...rest] = calls();
    assert.deepEqual([hung, failed, ...rest], [1, 1, 0, 0]);
    assert.ok(closed === 1 || closed === 2, `the closing provider was called ${closed} times`);
  });

  test('a receipt for another request, an overcharge and exhausted credit are provider failures too', async () => {
    fakes[0]!.behaviour = 'wrong-request';
    fakes[1]!.behaviour = 'overcharge';
    fakes[2]!.behaviour = 'credit-exhausted';
    const { status, body } = await infer();
    assert.equal(status, 502);
    assert.match(body.error.details[0] ?? '', /PROVIDER_BAD_RESPONSE: .*receipt.requestHash: expected 0x[0-9a-f]{64}, got/);
    assert.match(body.error.details[1] ?? '', /receipt.fee: expected at most maxFee 1000, got 1001/);
    assert.match(body.error.details[2] ?? '', /CREDIT_EXHAUSTED/);
  });

  test('a backdated receipt, one of another mode and a verified one without a trace are provider failures, and nothing reaches the client', async () => {
    fakes[0]!.behaviour = 'backdated';
    fakes[1]!.behaviour = 'other-mode';
    fakes[2]!.behaviour = 'no-trace';
    const { status, body } = await infer({ verification: 2 });
    assert.equal(status, 502);
    assert.match(body.error.details[0] ?? '', /receipt.issuedAt: \d+ is 3\d{3} s from this clock/);
    assert.match(body.error.details[1] ?? '', /receipt.verification: expected 2 as asked, got 0/);
    assert.match(body.error.details[2] ?? '', /receipt.traceRoot: zero, but a verified mode must commit to a trace/);
  });

  test('a provider claiming REPLAYED for a request this gateway never delivered is not believed: the next one serves, the liar is counted', async () => {
    fakes[0]!.behaviour = 'replayed';
    const errorRate = async () =>
      ((await (await fetch(`${gateway.url}/v1/providers`)).json()) as { providers: { address: Address; errorRate: number }[] }).providers.find(
        (p) => p.address === addressOf(1),
      )!.errorRate;
    const before = await errorRate();
    const { status, body } = await infer();
    assert.equal(status, 200);
    assert.equal(body.provider, addressOf(2));
    assert.deepEqual(calls(), [1, 1, 0, 0, 0]);
    assert.ok((await errorRate()) > before, 'the false REPLAYED counts against the provider');
  });

  test('a provider refusing the assignment this gateway signed for it is counted as failing; the next one serves', async () => {
    fakes[0]!.behaviour = 'assignment-invalid';
    const { status, body } = await infer();
    assert.equal(status, 200);
    assert.equal(body.provider, addressOf(2));
    fakes[1]!.behaviour = 'assignment-invalid';
    fakes[2]!.behaviour = 'assignment-invalid';
    const refused = await infer();
    assert.equal(refused.status, 502, "three lying providers are the providers' failure, not the client's");
    assert.equal(refused.body.error.code, 'PROVIDER_FAILED');
    assert.match(refused.body.error.details.join(' '), /answered ASSIGNMENT_INVALID, which this gateway had already ruled out/);
  });

  test('a request this gateway delivered is REPLAYED here, without calling any provider', async () => {
    const signed = await signedBody(client, chain.domain, { modelId: model }, ++nonce);
    assert.equal((await post('/v1/infer', signed.body)).status, 200);
    const again = await post('/v1/infer', signed.body);
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, 'REPLAYED');
    assert.deepEqual(calls(), [1, 0, 0, 0, 0]);
  });

  test('refusals about the client standing move on uncounted; when all agree, that is the answer', async () => {
    for (const fake of fakes) fake.behaviour = 'credit-exhausted';
    const { status, body } = await infer();
    assert.equal(status, 402);
    assert.equal(body.error.code, 'CREDIT_EXHAUSTED');
    assert.equal(body.error.details.length, 3);
  });

  test('providers priced above maxFee are never tried', async () => {
    fakes[0]!.behaviour = 'error-500';
    fakes[1]!.behaviour = 'error-500';
    const { status, body } = await infer({ maxFee: 25n });
    assert.equal(status, 502);
    assert.match(body.error.message, /in 2 attempts/);
    assert.deepEqual(calls(), [1, 1, 0, 0, 0]);
  });

  test('a provider failing its health check, or not serving the model, is out of rotation until it passes', async () => {
    fakes[0]!.healthy = false;
    fakes[1]!.models = [];
    await gateway.refresh();
    assert.equal((await infer()).body.provider, addressOf(3));
    const listed = (await (await fetch(`${gateway.url}/v1/providers`)).json()) as { providers: { address: Address; healthy: boolean; healthReason: string }[] };
    const first = listed.providers.find((p) => p.address === addressOf(1));
    assert.equal(first?.healthy, false);
    assert.match(first?.healthReason ?? '', /HTTP 503/);
    fakes[0]!.healthy = true;
    await gateway.refresh();
    assert.equal((await infer()).body.provider, addressOf(1));
  });

  test('a node on another chain, another address at the endpoint, or a status other than ok is unhealthy', async () => {
    fakes[0]!.healthOverride = { chainId: 1 };
    fakes[1]!.healthOverride = { provider: addressOf(7) };
    fakes[2]!.healthOverride = { status: 'starting' };
    await gateway.refresh();
    const listed = (await (await fetch(`${gateway.url}/v1/providers`)).json()) as { providers: { address: Address; healthy: boolean; healthReason: string }[] };
    const reason = (i: number) => listed.providers.find((p) => p.address === addressOf(i))?.healthReason;
    assert.match(reason(1) ?? '', /on chain 1, not 31337/);
    assert.match(reason(2) ?? '', new RegExp(`is "${addressOf(7)}", not the registered ${addressOf(2)}`));
    assert.match(reason(3) ?? '', /status is "starting", not "ok"/);
    assert.equal((await infer()).body.provider, addressOf(4));
  });
});

describe('redundant mode', () => {
  test('k providers agree: every receipt is returned', async () => {
    const { status, body, signed } = await infer({ verification: 1 }, { redundancy: 3 });
    assert.equal(status, 200);
    assert.equal(body.agreement, true);
    assert.deepEqual(
      (body.receipts as { provider: Address }[]).map((r) => r.provider),
      [addressOf(1), addressOf(2), addressOf(3)],
    );
    assert.deepEqual(calls(), [1, 1, 1, 0, 0]);
    for (const i of [0, 1, 2]) await assertAssigned(fakes[i]!.inferBodies[0], signed.hash, addressOf(i + 1));
    assert.equal(existsSync(join(chain.dataDir, 'gateway', DISAGREEMENTS_FILE)), false);
  });

  test('a disagreement is reported, the majority output answers, and both sides are kept on disk', async () => {
    fakes[1]!.behaviour = 'other-output';
    const { status, body, signed } = await infer({ verification: 1 }, { redundancy: 3 });
    assert.equal(status, 200);
    assert.equal(body.agreement, false);
    assert.deepEqual(body.output, [1, 2]);
    assert.equal((body.receipts as unknown[]).length, 3);
    const lines = readFileSync(join(chain.dataDir, 'gateway', DISAGREEMENTS_FILE), 'utf8')
      .trim()
      .split('\n');
    assert.equal(lines.length, 1);
    const record = JSON.parse(lines[0] ?? '') as { requestHash: Hex; results: { provider: Address; output: number[]; outputHash: Hex }[] };
    assert.equal(record.requestHash, signed.hash);
    assert.deepEqual(
      record.results.map((r) => r.output),
      [
        [1, 2],
        [9, 9],
        [1, 2],
      ],
    );
    assert.equal(new Set(record.results.map((r) => r.outputHash)).size, 2);
  });

  test('the default k is 2, and a failed lane moves on to an unused provider', async () => {
    fakes[0]!.behaviour = 'garbage';
    const { status, body } = await infer({ verification: 1 });
    assert.equal(status, 200);
    assert.equal(body.agreement, true);
    assert.deepEqual(
      (body.receipts as { provider: Address }[]).map((r) => r.provider),
      [addressOf(2), addressOf(3)],
    );
    assert.equal(body.attempts, 3);
  });

  test('fewer eligible providers than k is NO_PROVIDER, before any provider is called', async () => {
    const { status, body } = await infer({ verification: 1, maxFee: 25n }, { redundancy: 3 });
    assert.equal(status, 503);
    assert.equal(body.error.code, 'NO_PROVIDER');
    assert.match(body.error.message, /Only 2 providers .* redundancy 3 needs 3/);
    assert.deepEqual(calls(), [0, 0, 0, 0, 0]);
  });
});

describe('sealed inputs', () => {
  const sealedInput = { keyVersion: 1, enc: `0x${'11'.repeat(32)}`, ciphertext: '0xabcdef' };
  const sealed = async (provider: Address, over: Partial<Parameters<typeof signedBody>[2]> = {}) => {
    const signed = await signedBody(client, chain.domain, { modelId: model, ...over }, ++nonce);
    const { input: _clear, ...rest } = signed.body;
    return { ...(await post('/v1/infer', { ...rest, sealedInput, provider })), signed };
  };

  test('a sealed input goes unread to the provider it names, not the cheapest, and its sealed answer comes back', async () => {
    for (const fake of fakes) fake.behaviour = 'sealed';
    const { status, body, signed } = await sealed(fakes[2]!.account.address);
    assert.equal(status, 200, JSON.stringify(body.error));
    assert.equal(body.sealedOutput, '0xc0ffee');
    assert.equal(body.output, undefined);
    assert.equal(body.provider, fakes[2]!.account.address);
    assert.deepEqual(calls(), [0, 0, 1, 0, 0]);
    const forwarded = fakes[2]!.inferBodies[0] as Record<string, unknown>;
    assert.deepEqual(forwarded.sealedInput, sealedInput);
    assert.equal(forwarded.input, undefined);
    await assertAssigned(forwarded, signed.hash, fakes[2]!.account.address);
  });

  test('an answer to a sealed input in the clear is refused, and no other provider is tried', async () => {
    const { status, body } = await sealed(fakes[1]!.account.address);
    assert.equal(status, 502);
    assert.equal(body.error.code, 'PROVIDER_FAILED');
    assert.match(body.error.details.join(' '), /PROVIDER_BAD_RESPONSE.*must be sealed/);
    assert.deepEqual(calls(), [0, 1, 0, 0, 0]);
  });

  test("the provider's SEALED_INPUT_INVALID is passed on, blaming nobody", async () => {
    fakes[0]!.behaviour = 'sealed-refused';
    const { status, body } = await sealed(fakes[0]!.account.address);
    assert.equal(status, 400);
    assert.equal(body.error.code, 'SEALED_INPUT_INVALID');
    assert.deepEqual(calls(), [1, 0, 0, 0, 0]);
  });

  test('a sealed input for a provider that cannot serve, redundant or zk, is refused before any provider is called', async () => {
    fakes[3]!.healthy = false;
    await gateway.refresh();
    const unhealthy = await sealed(fakes[3]!.account.address);
    assert.equal(unhealthy.body.error.code, 'NO_PROVIDER');
    assert.match(unhealthy.body.error.details.join(' '), new RegExp(fakes[3]!.account.address));
    const redundant = await sealed(fakes[0]!.account.address, { verification: 1 });
    assert.match(redundant.body.error.message, /not offered with verification redundant/);
    const zk = await sealed(fakes[0]!.account.address, { verification: 3 });
    assert.match(zk.body.error.message, /not offered with verification zk/);
    assert.deepEqual(calls(), [0, 0, 0, 0, 0]);
  });

  test('GET /v1/route names the provider routing ranks first for the model', async () => {
    const route = (await (await fetch(`${gateway.url}/v1/route?model=${model}&maxFee=1000`)).json()) as Record<string, unknown>;
    assert.equal(route.provider, fakes[0]!.account.address);
    assert.equal(route.price, '10');
    const capped = (await (await fetch(`${gateway.url}/v1/route?model=${model}&maxFee=25`)).json()) as Record<string, unknown>;
    assert.equal(capped.provider, fakes[0]!.account.address);
    const none = await fetch(`${gateway.url}/v1/route?model=${model}&maxFee=5`);
    assert.equal(none.status, 503);
    assert.equal((await fetch(`${gateway.url}/v1/route?model=0x12`)).status, 400);
  });
});

describe('vouchers', () => {
  const voucherFor = async (provider: Address, amount: bigint) => {
    const { voucher, signature } = await signVoucher(client, chain.domain, { client: client.address, provider, modelId: model, cumulativeAmount: amount });
    return { ...toWire(voucher), signature };
  };

  test('POST /v1/vouchers delivers each voucher to the provider it names', async () => {
    const stranger = '0x000000000000000000000000000000000000dEaD' as Address;
    const vouchers = [
      await voucherFor(addressOf(1), 10n),
      await voucherFor(addressOf(2), 20n),
      await voucherFor(addressOf(1), 30n),
      await voucherFor(stranger, 5n),
    ];
    const { status, body } = await post('/v1/vouchers', { vouchers });
    assert.equal(status, 200);
    const results = body.results as { provider: Address; ok: boolean; error?: { code: string } }[];
    assert.deepEqual(
      results.map((r) => [r.provider, r.ok]),
      [
        [addressOf(1), true],
        [addressOf(2), true],
        [stranger, false],
      ],
    );
    assert.equal(results[2]?.error?.code, 'NOT_FOUND');
    assert.deepEqual(fakes[0]?.voucherBodies, [{ vouchers: [vouchers[0], vouchers[2]] }]);
    assert.deepEqual(fakes[1]?.voucherBodies, [{ vouchers: [vouchers[1]] }]);
  });

  test('vouchers riding on a request: the serving provider gets its own inline, the others by POST, and none twice', async () => {
    // Above the 30 the previous test delivered: the gateway forwards no amount a provider holds.
    const mine = await voucherFor(addressOf(1), 50n);
    const other = await voucherFor(addressOf(4), 40n);
    const { status } = await infer({}, { vouchers: [mine, other] });
    assert.equal(status, 200);
    assert.deepEqual((fakes[0]!.inferBodies[0] as { vouchers: unknown[] }).vouchers, [mine]);
    for (let i = 0; i < 100 && fakes[3]!.voucherBodies.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.deepEqual(fakes[3]?.voucherBodies, [{ vouchers: [other] }]);
    assert.deepEqual(fakes[0]?.voucherBodies, []);

    // The same vouchers on the next request: both providers hold them already.
    assert.equal((await infer({}, { vouchers: [mine, other] })).status, 200);
    const later = fakes.flatMap((f) => f.inferBodies).slice(1) as { vouchers?: unknown[] }[];
    assert.equal(later.length, 1);
    assert.equal(later[0]?.vouchers, undefined);
    // A side POST would have been started before the answer; give it time to land.
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(fakes[3]?.voucherBodies, [{ vouchers: [other] }], 'no second POST of a voucher already delivered');
  });
});

describe('bad input', () => {
  const expectError = (result: { status: number; body: { error: { code: string; message: string } } }, status: number, code: string, message: RegExp) => {
    assert.equal(result.status, status, JSON.stringify(result.body));
    assert.equal(result.body.error.code, code);
    assert.match(result.body.error.message, message);
  };

  test('each bad request gets its error body, no provider is called, and the gateway stays up', async () => {
    const valid = (await signedBody(client, chain.domain, { modelId: model }, ++nonce)).body;
    expectError(await post('/v1/infer', undefined, '{"request": '), 400, 'MALFORMED_JSON', /not valid JSON/);
    expectError(await post('/v1/infer', { ...valid, input: Array.from({ length: 20_000 }, () => 1.5) }), 413, 'BODY_TOO_LARGE', /larger than 65536 bytes/);
    expectError(await post('/v1/infer', { ...valid, signature: '0x12' }), 400, 'INVALID_BODY', /^signature: expected a 65-byte signature/);
    expectError(await post('/v1/infer', { ...valid, input: [1, 'two'] }), 400, 'INVALID_BODY', /^input\[1\]: expected a finite number/);
    expectError(await post('/v1/infer', [1, 2]), 400, 'INVALID_BODY', /expected an object/);
    expectError(await post('/v1/infer', { ...valid, redundancy: 2 }), 400, 'INVALID_BODY', /redundancy: only allowed with verification 1/);
    expectError(await infer({ verification: 1 }, { redundancy: 9 }), 400, 'INVALID_BODY', /redundancy: expected an integer from 2 to 5/);
    expectError(await infer({ verification: 7 }), 400, 'INVALID_BODY', /request.verification: expected 0 to 3 \(none, redundant, optimistic, zk\)/);
    expectError(await infer({ modelId: `0x${'ab'.repeat(32)}` }), 404, 'UNKNOWN_MODEL', /No model 0xabab.* is registered/);
    expectError(await infer({ modelId: deprecatedModel }), 404, 'UNKNOWN_MODEL', /is deprecated/);
    expectError(await infer({ modelId: unservedModel }), 503, 'NO_PROVIDER', /No provider can serve model/);
    expectError(await infer({ maxFee: 5n }), 503, 'NO_PROVIDER', /No provider can serve model/);
    expectError(await infer({ deadline: 1n }), 410, 'DEADLINE_EXPIRED', /deadline has passed/);
    // Signed for one provider, or for another gateway: this gateway cannot route it.
    expectError(await infer({ router: addressOf(1) }), 403, 'ROUTE_MISMATCH', /names another router than this gateway/);
    expectError(await infer({ router: addressOf(9) }), 403, 'ROUTE_MISMATCH', /names another router than this gateway/);
    // A deadline this very second leaves no time for any provider call.
    expectError(await infer({ deadline: BigInt(Math.floor(Date.now() / 1000)) }), 410, 'DEADLINE_EXPIRED', /deadline (has passed|leaves no time)/);
    const stranger = privateKeyToAccount(devAccount(9).privateKey);
    const forged = await signVoucher(stranger, chain.domain, { client: client.address, provider: addressOf(1), modelId: model, cumulativeAmount: 1_000_000n });
    expectError(
      await post('/v1/infer', { ...valid, vouchers: [{ ...toWire(forged.voucher), signature: forged.signature }] }),
      400,
      'VOUCHER_INVALID',
      /not its client's/,
    );
    expectError(await post('/v1/infer', { ...valid, request: { ...(valid.request as object), maxFee: '999' } }), 401, 'BAD_SIGNATURE', /not the client's/);
    expectError(await post('/v1/vouchers', { vouchers: [] }), 400, 'INVALID_BODY', /at least one voucher/);
    expectError(await post('/v1/vouchers', { vouchers: [{ client: 'me' }] }), 400, 'INVALID_BODY', /^vouchers\[0\]\.client: expected an address/);
    const missing = await fetch(`${gateway.url}/v1/nothing`);
    assert.equal(missing.status, 404);
    assert.equal(((await missing.json()) as { error: { code: string } }).error.code, 'NOT_FOUND');
    assert.deepEqual(calls(), [0, 0, 0, 0, 0]);
    const health = await fetch(`${gateway.url}/v1/health`);
    assert.equal(health.status, 200);
    assert.equal(((await health.json()) as { gateway: Address }).gateway, gatewayAccount.address, 'health names the router clients sign for');
  });

  test('NO_PROVIDER names why each provider was left out', async () => {
    const { body } = await infer({ maxFee: 15n });
    // Provider 1 (price 10) is eligible; make it unhealthy to get the full list.
    assert.equal(body.provider, addressOf(1));
    fakes[0]!.healthy = false;
    await gateway.refresh();
    const refused = await infer({ maxFee: 15n });
    assert.equal(refused.status, 503);
    assert.deepEqual(refused.body.error.details, [`${addressOf(1)}: unhealthy`, ...[2, 3, 4, 5].map((i) => `${addressOf(i)}: price above maxFee`)]);
  });
});

describe('service', () => {
  test('GET /openapi.json describes every route with its errors', async () => {
    const document = (await (await fetch(`${gateway.url}/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    assert.equal(document.openapi, '3.1.0');
    assert.deepEqual(Object.keys(document.paths).sort(), [
      '/ipfs/{cid}',
      '/openapi.json',
      '/v1/health',
      '/v1/infer',
      '/v1/models',
      '/v1/providers',
      '/v1/requests',
      '/v1/route',
      '/v1/vouchers',
      '/x402/settle',
      '/x402/supported',
      '/x402/v1/infer/{modelId}',
      '/x402/verify',
    ]);
    const infer = document.paths['/v1/infer']?.post?.responses ?? {};
    assert.deepEqual(Object.keys(infer).sort(), ['200', '400', '401', '402', '403', '404', '409', '410', '413', '422', '500', '502', '503']);
    for (const [path, methods] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        const answer = await fetch(`${gateway.url}${path}`, { method: method.toUpperCase(), body: method === 'post' ? '{}' : undefined });
        assert.ok(String(answer.status) in operation.responses, `${method} ${path} answered ${answer.status}, which the document does not list`);
      }
    }
  });

  test('GET /v1/providers shows stake, prices and measured figures', async () => {
    await infer();
    const listed = (await (await fetch(`${gateway.url}/v1/providers`)).json()) as {
      providers: {
        address: Address;
        activeStake: string;
        active: boolean;
        models: { modelId: Hex; price: string; served: boolean; zk: boolean }[];
        latencyMs: number | null;
      }[];
    };
    assert.equal(listed.providers.length, 5);
    const first = listed.providers.find((p) => p.address === addressOf(1));
    assert.equal(first?.activeStake, '100000000');
    assert.equal(first?.active, true);
    assert.deepEqual(
      first?.models.find((m) => m.modelId === model),
      { modelId: model, price: '10', served: true, zk: false },
    );
    assert.equal(typeof first?.latencyMs, 'number');
  });

  test('stop closes the server; a gateway refuses bad options', async () => {
    const second = await startGateway({
      connection: await chain.signer(0),
      account: gatewayAccount,
      deployment: chain.deployment,
      dataDir: join(chain.dataDir, 'second'),
      healthIntervalMs: 60_000,
    });
    assert.equal((await fetch(`${second.url}/v1/health`)).status, 200);
    await second.stop();
    await assert.rejects(fetch(`${second.url}/v1/health`));
    await assert.rejects(
      startGateway({ connection: await chain.signer(0), account: gatewayAccount, deployment: chain.deployment, dataDir: chain.dataDir, maxAttempts: 0 }),
      /maxAttempts must be an integer of at least 1/,
    );
  });
});
