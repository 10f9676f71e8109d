import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { PublicKey } from 'paillier-bigint';
import type { Address } from 'viem';
import { seededRandomBytes, uniform } from '../secagg/random-bytes.ts';
import { encryptUpdate, HeAggregator, HeDecryptor, type HeSession } from './aggregation.ts';
import { pack, packingFor, unpack } from './packing.ts';

// A small key keeps the test quick; the arithmetic is the same at 2048 bits (the bench's size).
const BITS = 768;
const clients = Array.from({ length: 5 }, (_, i) => `0x${(i + 1).toString(16).padStart(40, '0')}` as Address);
const random = seededRandomBytes('he-test');
const vector = (length: number, scale: number) => Float64Array.from({ length }, () => (uniform(random) * 2 - 1) * scale);

describe('Paillier aggregation', () => {
  let decryptor: HeDecryptor;
  let session: HeSession;
  const length = 150;
  before(async () => {
    decryptor = await HeDecryptor.generate(BITS);
    session = decryptor.session({ round: 1, participants: clients, vectorLength: length, config: { maxClients: clients.length } });
  });

  test('the aggregator, holding no key, produces the sum the decryptor opens, exact up to quantization', () => {
    const values = clients.map(() => vector(length, 3));
    const aggregator = new HeAggregator(session);
    for (const [i, sender] of clients.entries()) aggregator.add(encryptUpdate(session, sender, values[i]!));
    const sum = decryptor.decryptSum(session, aggregator.aggregate(), aggregator.count);
    // Each value is rounded to the nearest of Q levels over [-8, 8]: half a level per client at most.
    const step = 16 / (2 ** 22 - 1);
    for (let j = 0; j < length; j++) {
      const expected = values.reduce((s, v) => s + v[j]!, 0);
      assert.ok(Math.abs(sum[j]! - expected) <= (clients.length * step) / 2 + 1e-9, `element ${j}: ${sum[j]} vs ${expected}`);
    }
    // Several values share one ciphertext: far fewer ciphertexts than values.
    assert.ok(session.packing.blocks < length / 5, `${session.packing.blocks} ciphertexts for ${length} values`);
  });

  test('a dropout costs nothing: the sum of those who sent is opened', () => {
    const values = clients.map(() => vector(length, 1));
    const aggregator = new HeAggregator(session);
    for (const i of [0, 2, 4]) aggregator.add(encryptUpdate(session, clients[i]!, values[i]!));
    const sum = decryptor.decryptSum(session, aggregator.aggregate(), aggregator.count);
    const expected = values[0]![7]! + values[2]![7]! + values[4]![7]!;
    assert.ok(Math.abs(sum[7]! - expected) < 1e-4);
  });

  test('slots carry nothing into each other at their largest honest sum', () => {
    const packing = packingFor({ length: 40, quantizationRange: 2 ** 22, maxClients: 5, modulus: session.modulus });
    const top = Array.from({ length: 40 }, () => 2 ** 22 - 1);
    const packed = pack(top, packing).map((m) => m * 5n);
    assert.deepEqual(
      unpack(packed, packing),
      Array.from({ length: 40 }, () => 5n * BigInt(2 ** 22 - 1)),
    );
  });

  test('the same update encrypts differently each time, so a ciphertext tells nothing by comparison', () => {
    const values = vector(length, 1);
    const a = encryptUpdate(session, clients[0]!, values);
    const b = encryptUpdate(session, clients[0]!, values);
    assert.notDeepEqual(a.ciphertexts, b.ciphertexts);
  });

  test('a client that encrypts beyond the quantization range is caught when the sum is opened', () => {
    const aggregator = new HeAggregator(session);
    for (const sender of clients.slice(1)) aggregator.add(encryptUpdate(session, sender, vector(length, 1)));
    // A forged plaintext with a value past its slot, encrypted under the round key.
    const key = new PublicKey(session.modulus, session.modulus + 1n);
    const honest = encryptUpdate(session, clients[0]!, vector(length, 1));
    const forged = {
      ...honest,
      ciphertexts: honest.ciphertexts.map((c, i) => (i === 0 ? key.encrypt(1n << BigInt(session.packing.slotBits * session.packing.slotsPerPlaintext)) : c)),
    };
    aggregator.add(forged);
    assert.throws(() => decryptor.decryptSum(session, aggregator.aggregate(), aggregator.count), { name: 'HeError', code: 'HE_SUM_OUT_OF_RANGE' });
    // A slot pushed past every honest sum without spilling is caught by the count bound.
    const inside = new HeAggregator(session);
    inside.add({ ...honest, ciphertexts: honest.ciphertexts.map((c, i) => (i === 0 ? key.encrypt((1n << BigInt(session.packing.slotBits)) - 1n) : c)) });
    assert.throws(() => decryptor.decryptSum(session, inside.aggregate(), inside.count), { name: 'HeError', code: 'HE_SUM_OUT_OF_RANGE' });
  });

  test('bad updates are refused by name and leave the product as it was', () => {
    const aggregator = new HeAggregator(session);
    const good = encryptUpdate(session, clients[0]!, vector(length, 1));
    const n2 = session.modulus * session.modulus;
    const cases: [string, unknown, string][] = [
      ['zero ciphertext', { ...good, ciphertexts: good.ciphertexts.map((c, i) => (i === 1 ? 0n : c)) }, 'HE_CIPHERTEXT_INVALID'],
      ['ciphertext past n^2', { ...good, ciphertexts: good.ciphertexts.map((c, i) => (i === 1 ? n2 + 5n : c)) }, 'HE_CIPHERTEXT_INVALID'],
      [
        'ciphertext sharing a factor with n',
        { ...good, ciphertexts: good.ciphertexts.map((c, i) => (i === 1 ? session.modulus : c)) },
        'HE_CIPHERTEXT_INVALID',
      ],
      ['too few ciphertexts', { ...good, ciphertexts: good.ciphertexts.slice(1) }, 'HE_UPDATE_INVALID'],
      ['another round', { ...good, round: 2 }, 'HE_UPDATE_INVALID'],
      ['a stranger', { ...good, sender: `0x${'ee'.repeat(20)}` }, 'HE_UPDATE_INVALID'],
    ];
    for (const [what, update, code] of cases) assert.throws(() => aggregator.add(update as never), { name: 'HeError', code }, what);
    assert.equal(aggregator.count, 0);
    assert.ok(
      aggregator.aggregate().every((c) => c === 1n),
      'nothing was multiplied in',
    );
    aggregator.add(good);
    assert.throws(() => aggregator.add(good), { name: 'HeError', code: 'HE_DUPLICATE_UPDATE' });
    assert.throws(() => encryptUpdate(session, clients[0]!, vector(length - 1, 1)), { code: 'HE_UPDATE_INVALID' });
    assert.throws(() => encryptUpdate(session, clients[0]!, Float64Array.of(...vector(length - 1, 1), Number.NaN)), { code: 'HE_UPDATE_INVALID' });
  });

  test('parameters that could let a slot overflow are refused', () => {
    assert.throws(() => decryptor.session({ round: 1, participants: clients, vectorLength: 10, config: { maxClients: 2 } }), { code: 'HE_BAD_CONFIG' });
    assert.throws(() => decryptor.session({ round: 1, participants: clients, vectorLength: 10, config: { maxClients: 5, quantizationRange: 2 ** 40 } }), {
      code: 'HE_BAD_CONFIG',
    });
  });
});
