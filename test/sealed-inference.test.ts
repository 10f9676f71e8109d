// Sealed inference inputs on a real local network (docs/privacy.md), from the attacker's
// side first. The client's fetch is the path between it and the gateway: it records what
// crosses it and, per test, alters it as a man in the middle or a lying provider holding
// the provider's own sealing key would. What the honest client keeps: it never pays for
// an answer that does not check out, and nobody but the provider reads its input.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Address, Hex } from 'viem';
import { escrowAbi } from '../src/chain/generated/Escrow.ts';
import type { SignerConnection } from '../src/chain/connect.ts';
import { run } from '../src/engine/index.ts';
import { loadModel } from '../src/models/catalog.ts';
import { localRoles } from '../src/network/local-network.ts';
import { applyPreprocess } from '../src/train/preprocess.ts';
import { hashRequest } from '../src/protocol/messages.ts';
import { encodeValues, openInput, sealInput, type SealedInput } from '../src/protocol/sealed-input.ts';
import { parseRequest } from '../src/protocol/wire.ts';
import { SEALING_KEYS_FILE, type SealingKeyEntry } from '../src/provider/sealing-key.ts';
import { TrellisClient } from '../src/sdk/client.ts';
import { sealingKeyOf } from '../src/sdk/sealed.ts';
import { postJson, signedBody, startTestNetwork, type TestNetwork } from './support/network.ts';

const digit = JSON.parse(readFileSync(new URL('../examples/digit-3.json', import.meta.url), 'utf8')) as number[];
const digitsMlp = loadModel('digits-mlp');
/** What the provider computes on: the digit after the model's preprocessing. */
const modelInput = Array.from(applyPreprocess(digitsMlp.preprocess, digit));

type Crossing = { sent: Record<string, unknown>; sentText: string; receivedText: string; status: number };

let net: TestNetwork;
let clientConnection: SignerConnection;
let client: TrellisClient;
const domain = () => ({ chainId: net.chain.deployment.chainId, escrow: net.chain.deployment.contracts.escrow });
/** Every POST /v1/infer that crossed the path, in order. */
const crossings: Crossing[] = [];
/** Per test: how the path alters a body on its way out, and an answer on its way back. */
let alterSent: ((body: Record<string, unknown>) => void) | undefined;
let alterAnswer: ((answer: Record<string, unknown>, sent: Record<string, unknown>) => Promise<void>) | undefined;

const path: typeof fetch = async (input, init) => {
  const url = String(input);
  if (!url.endsWith('/v1/infer') || typeof init?.body !== 'string') return fetch(input, init);
  const sent = JSON.parse(init.body) as Record<string, unknown>;
  alterSent?.(sent);
  const response = await fetch(url, { ...init, body: JSON.stringify(sent) });
  let receivedText = await response.text();
  if (response.ok && alterAnswer) {
    const answer = JSON.parse(receivedText) as Record<string, unknown>;
    await alterAnswer(answer, sent);
    receivedText = JSON.stringify(answer);
  }
  crossings.push({ sent, sentText: JSON.stringify(sent), receivedText, status: response.status });
  return new Response(receivedText, { status: response.status, headers: { 'content-type': 'application/json' } });
};

before(async () => {
  net = await startTestNetwork();
  clientConnection = await net.signer(localRoles.client);
  client = new TrellisClient({
    connection: clientConnection,
    deployment: net.chain.deployment,
    gatewayUrl: net.gatewayUrl,
    dataDir: join(net.dataDir, 'sealed-client'),
    fetch: path,
  });
});
after(async () => {
  client?.close();
  await net?.dispose();
});

const providerKeyFile = (i: number) => join(net.dataDir, 'providers', String(i + 1), SEALING_KEYS_FILE);
/** The provider's current private key, read from its data folder: what a lying provider holds. */
const providerPrivateKey = (i: number) => (JSON.parse(readFileSync(providerKeyFile(i), 'utf8')) as { keys: SealingKeyEntry[] }).keys.at(-1)!.privateKey;
/** What the path's last crossing was about. */
const lastRequestHash = () => hashRequest(domain(), parseRequest({ path: 'request', value: crossings.at(-1)!.sent.request }));
const paidSoFar = () => JSON.stringify({ vouchers: client.vouchers().map((v) => v.signature), receipts: client.receipts().length });
const stored = async (provider: number, requestHash: Hex) => {
  const response = await fetch(`${net.providers[provider]!.url}/v1/receipts/${requestHash}`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};
/** Every file under a folder, as text. */
const filesUnder = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const file = join(dir, name);
    return statSync(file).isDirectory() ? filesUnder(file) : [readFileSync(file, 'latin1')];
  });
/** The input as a provider would compute on it, in the clear: a substring no ciphertext holds. */
const inputInTheClear = JSON.stringify(modelInput).slice(1, 60);

test('honest path through the gateway: the right class, a receipt that verifies and is redeemed, and only ciphertext on the path', async () => {
  const result = await client.infer({ model: 'digits-mlp', input: digit, sealed: true });
  assert.equal(result.label, 3);
  const { receipt } = result.receipts[0]!;
  const crossing = crossings.at(-1)!;
  assert.equal(crossing.status, 200);
  assert.ok(crossing.sent.sealedInput !== undefined && crossing.sent.input === undefined, 'the input went sealed');
  assert.ok(!crossing.sentText.includes(inputInTheClear), 'the body on the path does not hold the input');
  const answer = JSON.parse(crossing.receivedText) as Record<string, unknown>;
  assert.equal(answer.output, undefined, 'no output in the clear on the way back');
  assert.equal(typeof answer.sealedOutput, 'string');

  // What the gateway keeps (its request log and its files) and the provider serves again hold no plaintext.
  const log = await (await fetch(`${net.gatewayUrl}/v1/requests?after=0`)).text();
  assert.ok(log.includes(receipt.requestHash) && !log.includes(inputInTheClear) && !log.includes('"output"'));
  for (const text of filesUnder(join(net.dataDir, 'gateway'))) assert.ok(!text.includes(inputInTheClear), 'no gateway file holds the input');
  const again = await stored(
    net.providers.findIndex((p) => p.address === receipt.provider),
    receipt.requestHash,
  );
  assert.equal(again.status, 200);
  assert.equal(again.body.output, undefined, 'the provider serves the answer again sealed only');
  assert.equal(again.body.sealedOutput, answer.sealedOutput);

  // The receipt binds the plaintext input's hash, and is paid and redeemed like any other.
  const provider = net.providers.find((p) => p.address === receipt.provider)!;
  await provider.redeemNow();
  const redeemed = await clientConnection.publicClient.readContract({
    address: net.chain.deployment.contracts.escrow,
    abi: escrowAbi,
    functionName: 'redeemed',
    args: [client.address, receipt.provider, receipt.modelId],
  });
  assert.equal(redeemed, receipt.channelTotal);
});

test('sent straight to a provider, the input is sealed to that provider and the answer checked and paid the same way', async () => {
  const before = client.receipts().length;
  const result = await client.infer({ model: 'digits-mlp', input: digit, sealed: true, providerUrl: net.providers[0]!.url });
  assert.equal(result.label, 3);
  assert.equal(result.receipts[0]!.receipt.provider, net.providers[0]!.address);
  assert.equal(client.receipts().length, before + 1);
  const crossing = crossings.at(-1)!;
  assert.ok(crossing.sent.sealedInput !== undefined && crossing.sent.input === undefined && crossing.sent.provider === undefined);
});

test('a sealed input lifted into another request is refused, and nothing is charged', async () => {
  const honest = crossings.find((c) => c.status === 200 && c.sent.sealedInput)!;
  const victimRequest = parseRequest({ path: 'request', value: honest.sent.request });
  const attacker = await net.signer(localRoles.agentOwner);
  // The attacker signs its own request for the victim's input hash, with the victim's ciphertext.
  const { request, body } = await signedBody(attacker, net, { model: 'digits-mlp', input: modelInput, router: net.gatewayAddress });
  assert.equal(request.inputHash, victimRequest.inputHash);
  const { input: _clear, ...rest } = body;
  const lifted = await postJson(`${net.gatewayUrl}/v1/infer`, { ...rest, sealedInput: honest.sent.sealedInput, provider: honest.sent.provider });
  assert.equal(lifted.status, 400);
  assert.equal(lifted.json.error?.code, 'SEALED_INPUT_INVALID');
  const index = net.providers.findIndex((p) => p.address === honest.sent.provider);
  assert.equal((await stored(index, hashRequest(domain(), request))).status, 404, 'no receipt was recorded: nothing charged');
  // The victim's own request, sent again as it was: a replay.
  const replayed = await postJson(`${net.gatewayUrl}/v1/infer`, honest.sent);
  assert.equal(replayed.json.error?.code, 'REPLAYED');
});

test('a ciphertext altered on the way out is refused by the provider and nothing is paid', async () => {
  const before = paidSoFar();
  alterSent = (body) => {
    const sealed = body.sealedInput as SealedInput;
    body.sealedInput = { ...sealed, ciphertext: `${sealed.ciphertext.slice(0, -2)}${sealed.ciphertext.endsWith('00') ? '01' : '00'}` };
  };
  try {
    await assert.rejects(client.infer({ model: 'digits-mlp', input: digit, sealed: true, provider: net.providers[0]!.address }), {
      code: 'SEALED_INPUT_INVALID',
    });
  } finally {
    alterSent = undefined;
  }
  assert.equal((await stored(0, lastRequestHash())).status, 404, 'the provider recorded nothing');
  assert.equal(paidSoFar(), before);
});

test('a provider answering a sealed input in the clear is refused by the client and not paid', async () => {
  const before = paidSoFar();
  // A lying provider (it holds its own key) puts the output in the clear beside the sealed one.
  alterAnswer = async (answer, sent) => {
    const opened = await openInput({ privateKey: providerPrivateKey(1), requestHash: lastHash(sent), sealed: sent.sealedInput as SealedInput });
    answer.output = JSON.parse(new TextDecoder().decode(opened.input)) as number[];
  };
  try {
    await assert.rejects(client.infer({ model: 'digits-mlp', input: digit, sealed: true, provider: net.providers[1]!.address }), {
      code: 'PROVIDER_BAD_RESPONSE',
      message: /in the clear/,
    });
  } finally {
    alterAnswer = undefined;
  }
  assert.equal(paidSoFar(), before);
});

test("a provider sealing another input's output is caught by the receipt check and not paid", async () => {
  const before = paidSoFar();
  const cnn = loadModel('digits-cnn');
  const otherInput = Array.from(
    applyPreprocess(
      cnn.preprocess,
      digit.map((v) => 16 - v),
    ),
  );
  alterAnswer = async (answer, sent) => {
    const opened = await openInput({ privateKey: providerPrivateKey(1), requestHash: lastHash(sent), sealed: sent.sealedInput as SealedInput });
    answer.sealedOutput = opened.sealOutput(encodeValues(Array.from(run(cnn.engine, otherInput, { batch: 1 }).output)));
  };
  try {
    await assert.rejects(client.infer({ model: 'digits-cnn', input: digit, sealed: true, provider: net.providers[1]!.address }), {
      code: 'PROVIDER_BAD_RESPONSE',
      message: /receipt does not check out/,
    });
  } finally {
    alterAnswer = undefined;
  }
  assert.equal(paidSoFar(), before);
});

test('a sealed output altered on the way back does not open, and nothing is paid', async () => {
  const before = paidSoFar();
  alterAnswer = async (answer) => {
    const sealed = answer.sealedOutput as string;
    answer.sealedOutput = `${sealed.slice(0, -2)}${sealed.endsWith('00') ? '01' : '00'}`;
  };
  try {
    await assert.rejects(client.infer({ model: 'digits-mlp', input: digit, sealed: true, provider: net.providers[2]!.address }), {
      code: 'SEALED_INPUT_INVALID',
    });
  } finally {
    alterAnswer = undefined;
  }
  assert.equal(paidSoFar(), before);
});

test('a key rotated out still opens within its grace; the registry version increments', async () => {
  const provider = net.providers[2]!;
  const old = await sealingKeyOf(clientConnection, net.chain.deployment, provider.address);
  const model = loadModel('digits-cnn');
  const input = Array.from(applyPreprocess(model.preprocess, digit));
  const { request, body } = await signedBody(clientConnection, net, { model: 'digits-cnn', input, router: net.gatewayAddress });
  const sealing = await sealInput({
    publicKey: old.publicKey,
    keyVersion: old.version,
    requestHash: hashRequest(domain(), request),
    input: encodeValues(input),
  });
  const version = await provider.rotateSealingKey();
  assert.equal(version, old.version + 1);
  assert.equal((await sealingKeyOf(clientConnection, net.chain.deployment, provider.address)).version, version);
  assert.equal(statSync(providerKeyFile(2)).mode & 0o777, 0o600, 'the key file is readable by its owner only');
  const { input: _clear, ...rest } = body;
  const answer = await postJson(`${net.gatewayUrl}/v1/infer`, { ...rest, sealedInput: sealing.sealed, provider: provider.address });
  assert.equal(answer.status, 200, JSON.stringify(answer.json.error));
  const output = JSON.parse(new TextDecoder().decode(sealing.openOutput(answer.json.sealedOutput as Hex))) as number[];
  assert.equal(output.indexOf(Math.max(...output)), 3);
});

test('bad sealed requests at each entry point get a named error and charge nothing', async () => {
  const before = paidSoFar();
  const calls = crossings.length;
  const stranger = '0x000000000000000000000000000000000000dEaD' as Address;
  await assert.rejects(client.infer({ model: 'digits-mlp', input: digit, sealed: true, provider: stranger }), { code: 'NO_SEALING_KEY' });
  await assert.rejects(client.infer({ model: 'digits-mlp', input: digit, sealed: true, verification: 'redundant' }), {
    code: 'INVALID_BODY',
    message: /verification redundant/,
  });
  assert.equal(crossings.length, calls, 'nothing was sent');

  const { body } = await signedBody(clientConnection, net, { model: 'digits-mlp', input: modelInput, router: net.gatewayAddress });
  const sealedInput = { keyVersion: 1, enc: `0x${'11'.repeat(32)}`, ciphertext: '0xabcd' };
  const both = await postJson(`${net.gatewayUrl}/v1/infer`, { ...body, sealedInput, provider: net.providers[0]!.address });
  assert.equal(both.json.error?.code, 'INVALID_BODY');
  assert.match(both.json.error!.message, /exactly one of input and sealedInput/);
  const { input: _clear, ...rest } = body;
  const unnamed = await postJson(`${net.gatewayUrl}/v1/infer`, { ...rest, sealedInput });
  assert.match(unnamed.json.error!.message, /^provider:/);
  const unroutable = await postJson(`${net.gatewayUrl}/v1/infer`, { ...rest, sealedInput, provider: stranger });
  assert.equal(unroutable.json.error?.code, 'NO_PROVIDER');
  const unknownVersion = await postJson(`${net.gatewayUrl}/v1/infer`, {
    ...rest,
    sealedInput: { ...sealedInput, keyVersion: 99 },
    provider: net.providers[0]!.address,
  });
  assert.equal(unknownVersion.json.error?.code, 'SEALING_KEY_UNKNOWN');
  assert.equal(paidSoFar(), before);
});

const lastHash = (sent: Record<string, unknown>) => hashRequest(domain(), parseRequest({ path: 'request', value: sent.request }));
