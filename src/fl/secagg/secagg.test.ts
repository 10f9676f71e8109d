import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { accountOfKey } from '../../protocol/signatures.ts';
import { SecAggClient } from './client.ts';
import { quantize, resolveConfig, type SecAggPlusConfig } from './config.ts';
import { SecAggError } from './errors.ts';
import { neighbourGraph } from './graph.ts';
import { type SecAggSession, signMessage } from './messages.ts';
import { seededRandomBytes } from './random-bytes.ts';
import { runSecAggRound } from './run-round.ts';
import { SecAggServer } from './server.ts';

const accounts = Array.from({ length: 13 }, (_, i) => accountOfKey(`0x${(i + 1).toString(16).padStart(64, '0')}`));
const aggregator = accounts[12]!;
const outsider = accounts[11]!;

function sessionOf(n: number, config: SecAggPlusConfig, vectorLength: number, round = 1): SecAggSession {
  return {
    sessionId: `0x${'5a'.repeat(32)}`,
    round,
    aggregator: aggregator.address,
    participants: accounts.slice(0, n).map((a) => a.address),
    vectorLength,
    config,
  };
}

const valuesOf = (n: number, length: number) => Array.from({ length: n }, (_, i) => Array.from({ length }, (_, k) => 3 * Math.sin(i * 13 + k * 0.7)));

function refusedWith(code: string) {
  return (error: unknown) => error instanceof SecAggError && error.code === code;
}

/** A round driven stage by stage up to the masked inputs, so a test can act as a dishonest party in between. */
async function maskedRound(n: number, config: SecAggPlusConfig, length: number, dropAfterSharing: ReadonlySet<number> = new Set()) {
  const session = sessionOf(n, config, length);
  const server = new SecAggServer(session, aggregator);
  const clients = accounts.slice(0, n).map((account, i) => new SecAggClient({ account, session, random: seededRandomBytes(`client-${i}`) }));
  for (const c of clients) server.receiveKeys(await c.advertiseKeys());
  for (const c of clients) for (const s of await c.shareKeys(server.keyRoster())) server.receiveShare(s);
  const values = valuesOf(n, length);
  for (const [i, c] of clients.entries()) {
    const masked = await c.maskInput(values[i]!, server.sharesFor(accounts[i]!.address));
    if (!dropAfterSharing.has(i)) server.receiveMaskedInput(masked);
  }
  return { session, server, clients, values };
}

describe('SecAgg+ secure aggregation', () => {
  test('the unmasked sum is the exact integer sum of the quantized updates, within the quantization error of the true sum', async () => {
    const n = 8;
    const length = 64;
    const session = sessionOf(n, { numShares: 5, reconstructionThreshold: 3 }, length);
    const values = valuesOf(n, length);
    const { result } = await runSecAggRound({ session, aggregator, clients: accounts.slice(0, n), values });
    const config = resolveConfig(session.config, n);
    const quantized = values.map((v) => quantize(v, config));
    for (let k = 0; k < length; k++) {
      const plain = quantized.reduce((s, q) => s + q[k]!, 0) % config.modulusRange;
      assert.equal(result.sum[k], plain, `element ${k}`);
      const truth = values.reduce((s, v) => s + v[k]!, 0);
      assert.ok(Math.abs(result.values[k]! - truth) <= (n * config.clippingRange) / (config.quantizationRange - 1), `element ${k}`);
    }
    assert.equal(result.survivors.length, n);
  });

  test('a single masked update is indistinguishable from uniform bytes (chi-square, fixed seeds)', async () => {
    const length = 4096;
    // The worst case for a leak: the client's update is all zeros, so its quantized form is one constant.
    const session = sessionOf(4, { numShares: 3, reconstructionThreshold: 2 }, length);
    const out = await runSecAggRound({
      session,
      aggregator,
      clients: accounts.slice(0, 4),
      values: Array.from({ length: 4 }, () => new Array(length).fill(0)),
      random: (i) => seededRandomBytes(`uniform-${i}`),
    });
    for (const message of out.masked) {
      const counts = new Array(256).fill(0);
      for (const v of message.body.vector) for (let b = 0; b < 4; b++) counts[(v >>> (8 * b)) & 0xff]++;
      const expected = (length * 4) / 256;
      const chi2 = counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
      // 255 degrees of freedom: the 0.1 % critical value is 330.5; a constant input would give ~4 * 10^6.
      assert.ok(chi2 < 330.5, `chi-square ${chi2.toFixed(1)} for ${message.sender}`);
      assert.ok(chi2 > 190, `chi-square ${chi2.toFixed(1)} is suspiciously regular`);
    }
  });

  test('30 % of the clients dropping after masking still unmask to the survivors’ exact sum', async () => {
    const n = 10;
    const length = 32;
    const dropped = new Set([1, 4, 8]);
    const session = sessionOf(n, { numShares: 7, reconstructionThreshold: 4 }, length);
    const values = valuesOf(n, length);
    const { result } = await runSecAggRound({ session, aggregator, clients: accounts.slice(0, n), values, dropAfterSharing: dropped });
    assert.equal(result.dropped.length, 3);
    const config = resolveConfig(session.config, n);
    for (let k = 0; k < length; k++) {
      const plain = values.reduce((s, v, i) => s + (dropped.has(i) ? 0 : quantize([v[k]!], config)[0]!), 0);
      assert.equal(result.sum[k], plain, `element ${k}`);
    }
  });

  test('a malicious aggregator asking one client for both shares of one peer is refused, at once or over two requests', async () => {
    const { session, clients } = await maskedRound(6, { numShares: 5, reconstructionThreshold: 3 }, 8);
    const client = clients[0]!;
    const peer = session.participants[client.neighbours[0]!]!;
    const all = [...session.participants];
    const both = await signMessage(aggregator, session, 'unmask-request', { survivors: all, dropped: [peer] });
    await assert.rejects(client.unmask(both), refusedWith('SECAGG_DOUBLE_REVEAL'));
    // A request signed by anyone but the session's aggregator is not one.
    const impostor = await signMessage(accounts[1]!, session, 'unmask-request', { survivors: all, dropped: [] });
    await assert.rejects(client.unmask(impostor), refusedWith('SECAGG_NOT_PARTICIPANT'));
    // First the peer "survived" (its self-mask share is revealed), then it "dropped" (its key share is asked for).
    const first = await client.unmask(await signMessage(aggregator, session, 'unmask-request', { survivors: all, dropped: [] }));
    assert.ok(first.body.selfMaskShares.some((s) => s.of === peer));
    assert.equal(first.body.keyShares.length, 0);
    const second = await signMessage(aggregator, session, 'unmask-request', { survivors: all.filter((a) => a !== peer), dropped: [peer] });
    await assert.rejects(client.unmask(second), refusedWith('SECAGG_DOUBLE_REVEAL'));
  });

  test('forged, altered, replayed and misaddressed messages are refused by name', async () => {
    const session = sessionOf(5, { numShares: 3, reconstructionThreshold: 2 }, 4);
    const server = new SecAggServer(session, aggregator);
    const [a, b] = [accounts[0]!, accounts[1]!].map((account) => new SecAggClient({ account, session })) as [SecAggClient, SecAggClient];
    const keys = await a.advertiseKeys();
    // Another account signs a message claiming to be client 0.
    const forged = { ...(await signMessage(outsider, session, 'keys', keys.body)), sender: keys.sender };
    assert.throws(() => server.receiveKeys(forged), refusedWith('SECAGG_BAD_SIGNATURE'));
    // A relay swaps the keys in a genuine message.
    const altered = { ...keys, body: { ...keys.body, maskKey: keys.body.encryptionKey } };
    assert.throws(() => server.receiveKeys(altered), refusedWith('SECAGG_BAD_SIGNATURE'));
    // The same client's message of another round.
    const other = await new SecAggClient({ account: accounts[1]!, session: sessionOf(5, session.config, 4, 2) }).advertiseKeys();
    assert.throws(() => server.receiveKeys(other), refusedWith('SECAGG_WRONG_ROUND'));
    const stranger = await signMessage(outsider, session, 'keys', keys.body);
    assert.throws(() => server.receiveKeys(stranger), refusedWith('SECAGG_NOT_PARTICIPANT'));
    server.receiveKeys(keys);
    assert.throws(() => server.receiveKeys(keys), refusedWith('SECAGG_DUPLICATE_MESSAGE'));
    server.receiveKeys(await b.advertiseKeys());
    // An unmask response before the aggregator asked for one.
    const early = await signMessage(accounts[1]!, session, 'unmask-response', { selfMaskShares: [], keyShares: [] });
    assert.throws(() => server.receiveUnmaskResponse(early), refusedWith('SECAGG_OUT_OF_ORDER'));
  });

  test('a share that fails authentication, or is relayed to the wrong client, is refused', async () => {
    const session = sessionOf(5, { numShares: 5, reconstructionThreshold: 3 }, 4);
    const clients = accounts.slice(0, 5).map((account) => new SecAggClient({ account, session }));
    const keys = await Promise.all(clients.map((c) => c.advertiseKeys()));
    const shares = await Promise.all(clients.map((c) => c.shareKeys(keys)));
    const toZero = (from: number) => shares[from]!.find((s) => s.body.to === accounts[0]!.address)!;
    // Client 1 signs a ciphertext it tampered with: the signature holds, the AEAD does not.
    const bad = toZero(1);
    const flipped = `${bad.body.ciphertext.slice(0, -2)}${bad.body.ciphertext.endsWith('00') ? '01' : '00'}` as `0x${string}`;
    const tampered = await signMessage(accounts[1]!, session, 'share', { ...bad.body, ciphertext: flipped });
    await assert.rejects(clients[0]!.maskInput([0, 0, 0, 0], [tampered]), refusedWith('SECAGG_SHARE_INVALID'));
    // Client 2's share for client 3 relayed to client 4.
    const misrouted = shares[2]!.find((s) => s.body.to === accounts[3]!.address)!;
    await assert.rejects(clients[4]!.maskInput([0, 0, 0, 0], [misrouted]), refusedWith('SECAGG_BAD_MESSAGE'));
  });

  test('a masked input of the wrong length or outside the modulus is refused', async () => {
    const { session, server } = await maskedRound(4, { numShares: 3, reconstructionThreshold: 2 }, 4, new Set([0, 1]));
    const short = await signMessage(accounts[0]!, session, 'masked-input', { vector: [1, 2, 3] });
    assert.throws(() => server.receiveMaskedInput(short), refusedWith('SECAGG_MASKED_INPUT_INVALID'));
    const wide = await signMessage(accounts[1]!, session, 'masked-input', { vector: [1, 2, 3, 2 ** 32] });
    assert.throws(() => server.receiveMaskedInput(wide), refusedWith('SECAGG_MASKED_INPUT_INVALID'));
  });

  test('with fewer than threshold survivors unmasking fails by name and no client reveals a share', async () => {
    const dropped = new Set([0, 1, 2, 3, 4, 5]);
    const { session, server, clients } = await maskedRound(8, { numShares: 5, reconstructionThreshold: 4 }, 4, dropped);
    await assert.rejects(server.unmaskRequest(), refusedWith('SECAGG_TOO_FEW_SURVIVORS'));
    // An aggregator that asks anyway is refused by the survivors themselves.
    const survivors = [session.participants[6]!, session.participants[7]!];
    const request = await signMessage(aggregator, session, 'unmask-request', { survivors, dropped: session.participants.slice(0, 6) });
    await assert.rejects(clients[6]!.unmask(request), refusedWith('SECAGG_TOO_FEW_SURVIVORS'));
    await assert.rejects(clients[7]!.unmask(request), refusedWith('SECAGG_TOO_FEW_SURVIVORS'));
  });

  test('a survivor that answers with a corrupted share is caught: the rebuilt seed contradicts its commitment', async () => {
    const { session, server, clients } = await maskedRound(5, { numShares: 5, reconstructionThreshold: 5 }, 4);
    const request = await server.unmaskRequest();
    const responses = await Promise.all(clients.map((c) => c.unmask(request)));
    const liar = responses[0]!;
    const [first, ...rest] = liar.body.selfMaskShares;
    const corrupted = { ...first!, share: `0x${first!.share.slice(2, 4) === 'ff' ? '00' : 'ff'}${first!.share.slice(4)}` as `0x${string}` };
    const resigned = await signMessage(accounts[0]!, session, 'unmask-response', { ...liar.body, selfMaskShares: [corrupted, ...rest] });
    server.receiveUnmaskResponse(resigned);
    for (const r of responses.slice(1)) server.receiveUnmaskResponse(r);
    await assert.rejects(server.aggregate(), refusedWith('SECAGG_SHARE_INVALID'));
  });

  test('the neighbourhood graph is symmetric, seeded and sub-quadratic', () => {
    const config = resolveConfig({ numShares: 0.2, reconstructionThreshold: 0.5 }, 50);
    assert.equal(config.numShares, 11);
    assert.equal(config.reconstructionThreshold, 6);
    const graph = neighbourGraph('seed', config);
    for (const [i, list] of graph.entries()) {
      assert.equal(list.length, 10, `client ${i}`);
      for (const j of list) assert.ok(graph[j]!.includes(i));
    }
    assert.deepEqual(neighbourGraph('seed', config), graph);
    assert.notDeepEqual(neighbourGraph('other', config), graph);
  });

  test('parameters that could wrap the modulus, or a threshold above the shares, are refused', () => {
    assert.throws(() => resolveConfig({ numShares: 5, reconstructionThreshold: 3, modulusRange: 2 ** 20 }, 10), refusedWith('SECAGG_BAD_CONFIG'));
    assert.throws(() => resolveConfig({ numShares: 5, reconstructionThreshold: 6 }, 10), refusedWith('SECAGG_BAD_CONFIG'));
    assert.throws(() => resolveConfig({ numShares: 5, reconstructionThreshold: 3, modulusRange: 3 * 2 ** 30 }, 10), refusedWith('SECAGG_BAD_CONFIG'));
  });
});
