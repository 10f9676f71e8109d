// The request's router and the gateway's assignment as typed data: the router is part
// of what the client signs, an assignment binds one request to one provider under one
// deployment, and their wire forms are parsed with errors naming the field.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getAddress, keccak256, toHex, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { devAccount } from '../chain/dev-accounts.ts';
import { ProtocolError } from './errors.ts';
import { hashAssignment, hashRequest, recoverAssignmentSigner, recoverRequestSigner, signAssignment, signRequest, type InferenceRequest } from './messages.ts';
import { parseAssignment, parseInferBody, toWire } from './wire.ts';

const domain = { chainId: 31337, escrow: '0x5FbDB2315678afecb367f032d93F642f64180aa3' } as const;
const client = privateKeyToAccount(devAccount(1).privateKey);
const gateway = privateKeyToAccount(devAccount(10).privateKey);
const [providerA, providerB] = [devAccount(2).address, devAccount(3).address];

const request: InferenceRequest = {
  client: client.address,
  modelId: keccak256(toHex('model')),
  inputHash: keccak256(toHex('input')),
  maxFee: 1_000n,
  nonce: 7n,
  deadline: 1_800_000_060n,
  verification: 2,
  router: gateway.address,
};

test('the router is signed: the same request naming another router has another hash and no longer carries the client signature', async () => {
  const signature = await signRequest(client, domain, request);
  assert.equal(await recoverRequestSigner(domain, request, signature), client.address);
  const rerouted = { ...request, router: providerA };
  assert.notEqual(hashRequest(domain, rerouted), hashRequest(domain, request));
  assert.notEqual(await recoverRequestSigner(domain, rerouted, signature), client.address);
});

test('an assignment recovers to its signer only for the request, provider and deployment it was signed for', async () => {
  const requestHash = hashRequest(domain, request);
  const signed = await signAssignment(gateway, domain, { requestHash, provider: providerA });
  assert.equal(await recoverAssignmentSigner(domain, signed), gateway.address);
  const others: [string, Parameters<typeof recoverAssignmentSigner>][] = [
    ['another provider', [domain, { ...signed, assignment: { requestHash, provider: providerB } }]],
    ['another request', [domain, { ...signed, assignment: { requestHash: keccak256(toHex('other')), provider: providerA } }]],
    ['another escrow', [{ ...domain, escrow: providerB }, signed]],
    ['another chain', [{ ...domain, chainId: 1 }, signed]],
  ];
  for (const [what, args] of others) assert.notEqual(await recoverAssignmentSigner(...args), gateway.address, what);
  assert.notEqual(hashAssignment(domain, { requestHash, provider: providerA }), hashAssignment(domain, { requestHash, provider: providerB }));
  assert.notEqual(hashAssignment(domain, { requestHash, provider: providerA }), requestHash, 'an assignment is not the request it names');
});

test('an assignment on the wire is parsed, checked field by field, and may be absent', async () => {
  const requestHash = hashRequest(domain, request);
  const { assignment, signature } = await signAssignment(gateway, domain, { requestHash, provider: providerA });
  const wire = { requestHash: requestHash.toUpperCase().replace('0X', '0x'), provider: providerA.toLowerCase(), signature };
  assert.deepEqual(parseAssignment({ path: 'assignment', value: wire }), { assignment: { requestHash, provider: getAddress(assignment.provider) }, signature });
  assert.equal(parseAssignment({ path: 'assignment', value: undefined }), undefined);
  const body = { request: toWire(request), signature: await signRequest(client, domain, request), input: [1] };
  assert.equal(parseInferBody(body).assignment, undefined);
  assert.equal(parseInferBody({ ...body, assignment: wire }).assignment?.signature, signature);
  const refused = (value: unknown, field: RegExp) =>
    assert.throws(
      () => parseInferBody({ ...body, assignment: value }),
      (error: unknown) => error instanceof ProtocolError && error.code === 'INVALID_BODY' && error.status === 400 && field.test(error.shortMessage),
    );
  refused(null, /^assignment: expected an object/);
  refused([wire], /^assignment: expected an object/);
  refused({ ...wire, provider: undefined }, /^assignment\.provider: expected an address/);
  refused({ ...wire, requestHash: 42 }, /^assignment\.requestHash: expected 32 bytes/);
  refused({ ...wire, signature: '0x1234' as Hex }, /^assignment\.signature: expected a 65-byte signature/);
  assert.throws(() => parseInferBody({ ...body, request: { ...body.request, router: 'gateway' } }), /request\.router: expected an address/);
});
