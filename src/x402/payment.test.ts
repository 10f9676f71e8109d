// Parsing a PAYMENT-SIGNATURE: a well-formed exact EIP-3009 payment decodes with its
// addresses checksummed and its nonce lower-cased; every malformed part is refused as
// invalid_payload, naming the part.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodePaymentSignatureHeader } from '@x402/core/http';
import type { PaymentPayload } from '@x402/core/types';
import { X402Error } from './errors.ts';
import { decodeExactPayment, exactPaymentOption, paidRequest } from './payment.ts';

const from = '0x976ea74026e726554db657fa54763abd0c3a0aa9';
const to = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC';
const payload = (authorization: Record<string, unknown>, signature: unknown = `0x${'1b'.repeat(65)}`): PaymentPayload =>
  ({
    x402Version: 2,
    accepted: { scheme: 'exact', network: 'eip155:31337', asset: to, amount: '10000', payTo: to, maxTimeoutSeconds: 120, extra: {} },
    payload: { signature, authorization },
  }) as PaymentPayload;
const good = { from, to, value: '10000', validAfter: '1', validBefore: '1900000000', nonce: `0x${'AB'.repeat(32)}` };

test('a well-formed payment decodes, and the request it stands for binds its nonce, payer, amount and payee', () => {
  const payment = decodeExactPayment(encodePaymentSignatureHeader(payload(good)));
  assert.equal(payment.authorization.from, '0x976EA74026E726554dB657fA54763abd0C3a0aa9');
  assert.equal(payment.authorization.nonce, `0x${'ab'.repeat(32)}`);
  const request = paidRequest(payment, { modelId: `0x${'01'.repeat(32)}`, inputHash: `0x${'02'.repeat(32)}`, verification: 0 });
  assert.deepEqual(
    { client: request.client, nonce: request.nonce, maxFee: request.maxFee, deadline: request.deadline, router: request.router },
    { client: payment.authorization.from, nonce: BigInt(`0x${'ab'.repeat(32)}`), maxFee: 10000n, deadline: 1900000000n, router: to },
  );
});

test('every malformed part is invalid_payload, naming the part', () => {
  const refused = (header: string, part: RegExp) =>
    assert.throws(
      () => decodeExactPayment(header),
      (error: unknown) => error instanceof X402Error && error.code === 'invalid_payload' && part.test(error.shortMessage),
    );
  refused('%%% not base64', /base64/);
  refused(Buffer.from('{"x402Version":1}').toString('base64'), /version 2/);
  const encode = (p: PaymentPayload) => encodePaymentSignatureHeader(p);
  refused(encode(payload({ ...good, from: '0x1234' })), /authorization\.from/);
  refused(encode(payload({ ...good, to: 42 })), /authorization\.to/);
  refused(encode(payload({ ...good, value: '-1' })), /authorization\.value/);
  refused(encode(payload({ ...good, validBefore: '1e9' })), /authorization\.validBefore/);
  refused(encode(payload({ ...good, nonce: '0x1234' })), /authorization\.nonce/);
  refused(encode(payload(good, '0xdead')), /signature/);
  refused(encode({ ...payload(good), payload: { signature: `0x${'1b'.repeat(65)}` } }), /payload\.authorization/);
});

test('the payment option names the Trellis token, its EIP-712 domain, the amount and the payee', () => {
  const option = exactPaymentOption({ chainId: 31337, token: to, payTo: from, amount: 12_000n });
  assert.deepEqual(option, {
    scheme: 'exact',
    network: 'eip155:31337',
    payTo: '0x976EA74026E726554dB657fA54763abd0C3a0aa9',
    price: { asset: to, amount: '12000', extra: { name: 'Trellis USD', version: '1' } },
    maxTimeoutSeconds: 120,
  });
});
