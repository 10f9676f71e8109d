// Differential: the protocol's own EIP-712 hashing, signing and recovery give exactly
// what viem gives (digest, signature bytes, recovered address) for random messages and
// keys, and refuse every malformed signature that viem refuses.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { hashTypedData, recoverTypedDataAddress, toHex, type Hex, type LocalAccount } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { signVoucher, voucherDigest, recoverVoucherSigner, voucherTypes, type Voucher } from '../payments/voucher.ts';
import {
  hashReceipt,
  hashRequest,
  receiptTypes,
  recoverReceiptSigner,
  recoverRequestSigner,
  requestTypes,
  signReceipt,
  signRequest,
  type InferenceRequest,
  type Receipt,
} from './messages.ts';
import { accountOfKey } from './signatures.ts';

const SAMPLES = 40;
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const hex32 = (): Hex => toHex(randomBytes(32));
const address = () => privateKeyToAccount(generatePrivateKey()).address;
const uint = (bytes: number): bigint => BigInt(toHex(randomBytes(bytes)));
const protocolDomain = () => ({ chainId: 1 + Number(uint(4)), escrow: address() });
const viemDomain = (name: string, d: { chainId: number; escrow: `0x${string}` }) =>
  ({ name, version: '1', chainId: d.chainId, verifyingContract: d.escrow }) as const;

const randomRequest = (client: LocalAccount): InferenceRequest => ({
  client: client.address,
  modelId: hex32(),
  inputHash: hex32(),
  maxFee: uint(1 + (randomBytes(1)[0]! % 32)),
  nonce: uint(32),
  deadline: uint(8),
  verification: randomBytes(1)[0]!,
  router: address(),
});

const randomReceipt = (): Receipt => ({
  requestHash: hex32(),
  client: address(),
  provider: address(),
  modelId: hex32(),
  inputHash: hex32(),
  outputHash: hex32(),
  traceRoot: hex32(),
  fee: uint(16),
  channelTotal: uint(32),
  issuedAt: uint(8),
  verification: randomBytes(1)[0]! % 3,
});

/** What a recovery gives, or that it refused. */
const outcome = (p: Promise<string>) =>
  p.then(
    (a) => a,
    () => 'refused',
  );

test('request, receipt and voucher hashes, signatures and signers equal viem for random messages and keys', async () => {
  for (let i = 0; i < SAMPLES; i++) {
    const key = privateKeyToAccount(generatePrivateKey());
    const domain = protocolDomain();

    const request = randomRequest(key);
    const requestTyped = { domain: viemDomain('Trellis Inference', domain), types: requestTypes, primaryType: 'InferenceRequest', message: request } as const;
    assert.equal(hashRequest(domain, request), hashTypedData(requestTyped));
    const requestSignature = await signRequest(key, domain, request);
    assert.equal(requestSignature, await key.signTypedData(requestTyped));
    assert.equal(
      await recoverRequestSigner(domain, request, requestSignature),
      await recoverTypedDataAddress({ ...requestTyped, signature: requestSignature }),
    );

    const receipt = randomReceipt();
    const receiptTyped = { domain: viemDomain('Trellis Inference', domain), types: receiptTypes, primaryType: 'Receipt', message: receipt } as const;
    assert.equal(hashReceipt(domain, receipt), hashTypedData(receiptTyped));
    const receiptSignature = await signReceipt(key, domain, receipt);
    assert.equal(receiptSignature, await key.signTypedData(receiptTyped));
    assert.equal(await recoverReceiptSigner(domain, receipt, receiptSignature), key.address);

    const voucher: Voucher = { client: key.address, provider: address(), modelId: hex32(), cumulativeAmount: uint(32) };
    const voucherTyped = { domain: viemDomain('Trellis Escrow', domain), types: voucherTypes, primaryType: 'Voucher', message: voucher } as const;
    assert.equal(voucherDigest(domain, voucher), hashTypedData(voucherTyped));
    const signed = await signVoucher(key, domain, voucher);
    assert.equal(signed.signature, await key.signTypedData(voucherTyped));
    assert.equal(await recoverVoucherSigner(domain, signed), key.address);
  }
});

test('an account that cannot sign a bare hash signs the typed data itself, to the same bytes', async () => {
  const key = privateKeyToAccount(generatePrivateKey());
  const { sign: _sign, ...withoutSign } = key;
  const domain = protocolDomain();
  const request = randomRequest(key);
  assert.equal(await signRequest(withoutSign as LocalAccount, domain, request), await signRequest(key, domain, request));
});

test('malformed signatures are refused, or recovered, exactly as viem does', async () => {
  const key = privateKeyToAccount(generatePrivateKey());
  const domain = protocolDomain();
  const request = randomRequest(key);
  const typed = { domain: viemDomain('Trellis Inference', domain), types: requestTypes, primaryType: 'InferenceRequest', message: request } as const;
  const good = await signRequest(key, domain, request);
  const r = good.slice(2, 66);
  const s = BigInt(`0x${good.slice(66, 130)}`);
  const v = Number.parseInt(good.slice(130), 16);
  const highS = (N - s).toString(16).padStart(64, '0');
  const variants: Hex[] = [
    `0x${r}${highS}${(v === 27 ? 28 : 27).toString(16)}`,
    `0x${r}${highS}${v.toString(16)}`,
    `0x${good.slice(2, 130)}00`,
    `0x${good.slice(2, 130)}01`,
    `0x${good.slice(2, 130)}1d`,
    `0x${good.slice(2, 130)}ff`,
    `0x${good.slice(2, 130)}`,
    `${good}00`,
    `${good}0`,
    good.slice(0, -1) as Hex,
    `0x${'00'.repeat(32)}${good.slice(66)}`,
    `0x${r}${'00'.repeat(32)}${v.toString(16)}`,
    `0x${N.toString(16)}${good.slice(66)}`,
    `0x${'ff'.repeat(65)}`,
    '0x',
  ];
  for (let i = 0; i < SAMPLES; i++) variants.push(toHex(randomBytes(65)));
  // Random r and low s with a valid v: the fast path's domain, mostly recovering some key.
  for (let i = 0; i < SAMPLES; i++) {
    const bytes = randomBytes(64);
    bytes[32] = bytes[32]! & 0x7f;
    variants.push(`${toHex(bytes)}${i % 2 ? '1b' : '1c'}`);
  }
  for (const signature of variants) {
    const ours = await outcome(recoverRequestSigner(domain, request, signature));
    const theirs = await outcome(recoverTypedDataAddress({ ...typed, signature }));
    assert.equal(ours, theirs, `signature ${signature}`);
  }
});

test('values viem refuses to hash are refused here too', () => {
  const key = privateKeyToAccount(generatePrivateKey());
  const domain = protocolDomain();
  const base = randomRequest(key);
  const typed = (message: InferenceRequest) =>
    ({ domain: viemDomain('Trellis Inference', domain), types: requestTypes, primaryType: 'InferenceRequest', message }) as const;
  const bad: InferenceRequest[] = [
    { ...base, verification: 256 },
    { ...base, maxFee: -1n },
    { ...base, nonce: 1n << 256n },
    { ...base, client: '0x1234' },
    { ...base, router: base.router.toLowerCase().replace(/^0x/, '0X') as `0x${string}` },
    { ...base, modelId: '0x1234' },
  ];
  for (const message of bad) {
    assert.throws(() => hashTypedData(typed(message)));
    assert.throws(() => hashRequest(domain, message));
  }
});

test('an account of a key signs bare hashes and every protocol message to the bytes viem signs them', async () => {
  for (let i = 0; i < SAMPLES; i++) {
    const key = generatePrivateKey();
    const [fast, plain] = [accountOfKey(key), privateKeyToAccount(key)];
    assert.equal(fast.address, plain.address);
    const hash = hex32();
    assert.equal(await fast.sign!({ hash }), await plain.sign!({ hash }));
    const domain = protocolDomain();
    const receipt = randomReceipt();
    const typed = { domain: viemDomain('Trellis Inference', domain), types: receiptTypes, primaryType: 'Receipt', message: receipt } as const;
    assert.equal(await signReceipt(fast, domain, receipt), await plain.signTypedData(typed));
  }
});
