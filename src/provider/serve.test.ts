// A provider's request server under a controlled clock: request lifetime is capped, a
// request is served only when this provider is its router or holds the router's
// assignment, a result whose answer never reached the client does not cost or block it, a
// client that never pays still gets no more than one result per grace period, and an
// honest client whose voucher is on its way pays for every result.
import assert from 'node:assert/strict';
import { fsync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Address, Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { devAccount } from '../chain/dev-accounts.ts';
import { openFloatModel, loadModel } from '../models/catalog.ts';
import { signVoucher, type SignedVoucher } from '../payments/voucher.ts';
import { inputHashOf } from '../protocol/commitments.ts';
import { ProtocolError, type ProtocolErrorCode } from '../protocol/errors.ts';
import { hashRequest, MAX_REQUEST_TTL_SECONDS, signAssignment, signRequest, verificationModes, type InferenceRequest } from '../protocol/messages.ts';
import { parseReceipt } from '../protocol/wire.ts';
import { Journal, type Fsync } from '../storage/journal.ts';
import type { StoredResult } from './ledger.ts';
import { Ledger } from './ledger.ts';
import { RequestServer, type ServedModel } from './serve.ts';

const digit = JSON.parse(readFileSync(new URL('../../examples/digit-3.json', import.meta.url), 'utf8')) as number[];
const domain = { chainId: 31337, escrow: '0x5FbDB2315678afecb367f032d93F642f64180aa3' } as const;
const client = privateKeyToAccount(devAccount(1).privateKey);
const providerAccount = privateKeyToAccount(devAccount(2).privateKey);
const otherProvider = privateKeyToAccount(devAccount(3).privateKey);
const gatewayAccount = privateKeyToAccount(devAccount(10).privateKey);
const modelId = `0x${'42'.repeat(32)}` as Hex;
const PRICE = 10n;
const GRACE_MS = 60_000;
const WINDOW_MS = 10_000;
const START = 1_800_000_000n;

let served: ServedModel;
const dirs: string[] = [];
before(async () => {
  const model = loadModel('digits-mlp');
  served = { model, modelId, price: PRICE, float: await openFloatModel(model) };
});
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A provider with its own ledger and a clock the test moves (unix seconds). */
function provider(fsync?: Fsync, dir = mkdtempSync(join(tmpdir(), 'trellis-serve-'))) {
  dirs.push(dir);
  const clock = { now: START };
  const ledger = new Ledger(dir, fsync);
  const server = new RequestServer({
    account: providerAccount,
    domain,
    ledger,
    models: new Map([[modelId, served]]),
    maxUnpaid: 1,
    escrowAvailable: async () => 1_000_000n,
    now: () => clock.now,
    unpaidGraceMs: GRACE_MS,
    paymentWindowMs: WINDOW_MS,
  });
  return { clock, ledger, server, dir };
}

let nonce = 0n;
async function signed(clock: { now: bigint }, deadline = clock.now + 60n, router: Address = providerAccount.address) {
  const request: InferenceRequest = {
    client: client.address,
    modelId,
    inputHash: inputHashOf(served.model.engine, digit).inputHash,
    maxFee: 1_000n,
    nonce: ++nonce,
    deadline,
    verification: verificationModes.indexOf('none'),
    router,
  };
  return { request, signature: await signRequest(client, domain, request), input: digit, vouchers: [] as SignedVoucher[] };
}

const payFor = (channelTotal: bigint) =>
  signVoucher(client, domain, { client: client.address, provider: providerAccount.address, modelId, cumulativeAmount: channelTotal });
const totalOf = (result: { receipt: unknown }) => parseReceipt({ path: 'receipt', value: result.receipt }).channelTotal;
const refusedWith = (code: ProtocolErrorCode) => (error: unknown) => error instanceof ProtocolError && error.code === code;

test('a deadline more than MAX_REQUEST_TTL_SECONDS ahead is refused, and nothing is recorded', async () => {
  const { clock, ledger, server } = provider();
  // A captured request that never expires could be replayed for ever.
  const forever = await signed(clock, 2n ** 64n - 1n);
  await assert.rejects(
    server.serve(forever),
    (error: unknown) => refusedWith('DEADLINE_TOO_FAR')(error) && /latest accepted: 1800000300/.test((error as ProtocolError).message),
  );
  await assert.rejects(server.serve(await signed(clock, clock.now + MAX_REQUEST_TTL_SECONDS + 1n)), refusedWith('DEADLINE_TOO_FAR'));
  assert.equal(ledger.unpaidCount(client.address, modelId, 0), 0);
  const longest = await server.serve(await signed(clock, clock.now + MAX_REQUEST_TTL_SECONDS));
  assert.equal(totalOf(longest), PRICE, 'a deadline exactly at the cap is served');
  ledger.close();
});

test('a request routed elsewhere is refused before any work unless its router assigned it here, and nothing is recorded', async () => {
  const { clock, ledger, server } = provider();
  const viaGateway = await signed(clock, undefined, gatewayAccount.address);
  const requestHash = hashRequest(domain, viaGateway.request);
  await assert.rejects(server.serve(viaGateway), refusedWith('ROUTE_MISMATCH'));
  const toOther = await signed(clock, undefined, otherProvider.address);
  await assert.rejects(server.serve(toOther), refusedWith('ROUTE_MISMATCH'));
  const forged = await signAssignment(otherProvider, domain, { requestHash, provider: providerAccount.address });
  await assert.rejects(server.serve({ ...viaGateway, assignment: forged }), refusedWith('ASSIGNMENT_INVALID'));
  const elsewhere = await signAssignment(gatewayAccount, domain, { requestHash, provider: otherProvider.address });
  await assert.rejects(server.serve({ ...viaGateway, assignment: elsewhere }), refusedWith('ASSIGNMENT_INVALID'));
  const another = await signAssignment(gatewayAccount, domain, { requestHash: hashRequest(domain, toOther.request), provider: providerAccount.address });
  await assert.rejects(server.serve({ ...viaGateway, assignment: another }), refusedWith('ASSIGNMENT_INVALID'));
  assert.equal(ledger.unpaidCount(client.address, modelId, 0), 0, 'no refusal is recorded against the channel');
  const assigned = await signAssignment(gatewayAccount, domain, { requestHash, provider: providerAccount.address });
  assert.equal(totalOf(await server.serve({ ...viaGateway, assignment: assigned })), PRICE, "the router's own assignment is served");
  ledger.close();
});

test('a result whose answer never reached the client is written off by its next request: never blocking past the window, never charged', async () => {
  const { clock, ledger, server } = provider();
  // Served and recorded, but the answer was lost on its way (the client never paid it).
  const lost = await signed(clock);
  const unpaid = await server.serve(lost);
  assert.equal(totalOf(unpaid), PRICE);

  clock.now += BigInt(WINDOW_MS / 1000);
  const own = await signed(clock);
  const result = await server.serve(own);
  assert.equal(totalOf(result), PRICE, 'the lost result is not folded into what the client pays');
  own.vouchers = [await payFor(totalOf(result))];
  assert.equal(await server.acceptVouchers(own.vouchers), 1);
  assert.equal(ledger.owedBy(client.address, 0), PRICE, "the provider is owed the client's own result only");
  assert.equal(ledger.unpaidCount(client.address, modelId, 0), 0);

  // The bound the provider keeps: one write-off per channel per grace period. A second
  // lost answer within it blocks the channel as before, until it ages out.
  const second = await server.serve(await signed(clock));
  clock.now += BigInt(WINDOW_MS / 1000);
  await assert.rejects(server.serve({ ...(await signed(clock)), vouchers: own.vouchers }), refusedWith('CREDIT_EXHAUSTED'));
  clock.now = START + BigInt((WINDOW_MS + GRACE_MS) / 1000);
  const later = await server.serve({ ...(await signed(clock)), vouchers: own.vouchers });
  assert.equal(totalOf(later), 2n * PRICE, 'the second lost result was written off in its turn and never charged');
  assert.equal(totalOf(second), 2n * PRICE);
  ledger.close();
});

test('a client that never pays gets at most one result per grace period', async () => {
  const { clock, ledger, server } = provider();
  const minutes = 10;
  let results = 0;
  // Asking every 5 s, never sending a voucher.
  for (let t = 0; t < minutes * 60; t += 5) {
    clock.now = START + BigInt(t);
    try {
      await server.serve(await signed(clock));
      results++;
    } catch (error) {
      if (!refusedWith('CREDIT_EXHAUSTED')(error)) throw error;
    }
  }
  assert.ok(results <= minutes + 1, `${results} unpaid results in ${minutes} grace periods`);
  ledger.close();
});

test('an honest client whose voucher is still on its way is asked to wait, then pays for both results', async () => {
  const { clock, ledger, server } = provider();
  const first = await server.serve(await signed(clock));
  // Its next request overtakes the voucher for the first result: within the window the
  // first result still counts, so the provider refuses rather than give it away.
  clock.now += 1n;
  const next = await signed(clock);
  await assert.rejects(server.serve(next), refusedWith('CREDIT_EXHAUSTED'));
  next.vouchers = [await payFor(totalOf(first))];
  const second = await server.serve(next);
  assert.equal(totalOf(second), 2n * PRICE, 'the provider is paid for both');
  assert.equal(ledger.owedBy(client.address, 0), PRICE * 2n);
  ledger.close();
});

test('a receipt answered to the client was on disk before the answer: an fsync ran after it was written', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'trellis-serve-'));
  const receiptsPath = join(dir, 'receipts.jsonl');
  /** The request hashes each flush of the receipt journal made durable. */
  const flushed: Hex[][] = [];
  const hook: Fsync = (fd, done) => {
    const onDisk = Journal.read<StoredResult>(receiptsPath).map((r) => (r.receipt as { requestHash: Hex }).requestHash);
    fsync(fd, (error) => {
      if (!error) flushed.push(onDisk);
      done(error);
    });
  };
  const { clock, ledger, server } = provider(hook, dir);
  const { request, ...rest } = await signed(clock);
  const answer = await server.serve({ request, ...rest });
  const requestHash = parseReceipt({ path: 'receipt', value: answer.receipt }).requestHash;
  assert.equal(requestHash, hashRequest(domain, request));
  assert.ok(
    flushed.some((hashes) => hashes.includes(requestHash)),
    'a completed fsync covered the receipt before serve() answered',
  );
  assert.deepEqual(
    Journal.read<StoredResult>(receiptsPath).map((r) => (r.receipt as { requestHash: Hex }).requestHash),
    [requestHash],
  );
  ledger.close();
});
