import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Hex, keccak256, toBytes } from 'viem';
import { generateSealingKey, openInput, parseSealedInput, sealInput } from './sealed-input.ts';

const requestHash = keccak256(toBytes('request 1'));
const otherRequest = keccak256(toBytes('request 2'));
const input = new TextEncoder().encode(JSON.stringify([[0.5, -1.25, 3]]));

test('a sealed input opens only for its provider and its request, and the answer only for its client', async () => {
  const provider = await generateSealingKey();
  const client = await sealInput({ publicKey: provider.publicKey, keyVersion: 1, requestHash, input });
  assert.ok(!Buffer.from(client.sealed.ciphertext.slice(2), 'hex').includes(Buffer.from('0.5')), 'the plaintext is not in the ciphertext');
  const opened = await openInput({ privateKey: provider.privateKey, requestHash, sealed: client.sealed });
  assert.deepEqual(opened.input, input);
  const output = new TextEncoder().encode('[[0.1,0.9]]');
  const sealedOutput = opened.sealOutput(output);
  assert.deepEqual(client.openOutput(sealedOutput), output);

  // The gateway, or anyone on the path, holding the same bytes:
  const stranger = await generateSealingKey();
  await assert.rejects(openInput({ privateKey: stranger.privateKey, requestHash, sealed: client.sealed }), { code: 'SEALED_INPUT_INVALID' }, 'another key');
  await assert.rejects(
    openInput({ privateKey: provider.privateKey, requestHash: otherRequest, sealed: client.sealed }),
    { code: 'SEALED_INPUT_INVALID' },
    'lifted into another request',
  );
  const flipped = `${client.sealed.ciphertext.slice(0, -2)}${client.sealed.ciphertext.endsWith('00') ? '01' : '00'}` as Hex;
  await assert.rejects(
    openInput({ privateKey: provider.privateKey, requestHash, sealed: { ...client.sealed, ciphertext: flipped } }),
    { code: 'SEALED_INPUT_INVALID' },
    'altered',
  );
  // Another client's context cannot read this answer, and an altered answer is refused.
  const other = await sealInput({ publicKey: provider.publicKey, keyVersion: 1, requestHash, input });
  assert.throws(() => other.openOutput(sealedOutput), { code: 'SEALED_INPUT_INVALID' });
  assert.throws(() => client.openOutput(`${sealedOutput.slice(0, -2)}ff` as Hex), { code: 'SEALED_INPUT_INVALID' });
  // Sealing twice gives unrelated bytes: equal inputs cannot be told apart on the wire.
  assert.notEqual(other.sealed.ciphertext, client.sealed.ciphertext);
});

test('a malformed sealed input is refused by the field that is wrong', () => {
  const good = { keyVersion: 1, enc: `0x${'11'.repeat(32)}`, ciphertext: '0xabcd' };
  assert.deepEqual(parseSealedInput(good), good);
  for (const [bad, field] of [
    [null, 'object'],
    [{ ...good, keyVersion: 0 }, 'keyVersion'],
    [{ ...good, enc: '0x1234' }, 'enc'],
    [{ ...good, ciphertext: 'zz' }, 'ciphertext'],
  ] as const) {
    assert.throws(
      () => parseSealedInput(bad),
      (e: Error & { code?: string }) => e.code === 'SEALED_INPUT_INVALID' && e.message.includes(field),
      field,
    );
  }
});
