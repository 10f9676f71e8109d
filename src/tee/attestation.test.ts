import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Address, Hex } from 'viem';
import { type AttestationPolicy, checkAttestation, expectedReportData, type QuoteVerifier, type VerifiedQuote } from './attestation.ts';

const provider = `0x${'a1'.repeat(20)}` as Address;
const binding = { chainId: 31337, provider, encryptionKey: `0x${'5e'.repeat(32)}` as Hex };
const measurement = `0x${'77'.repeat(48)}` as Hex;
const now = 1_800_000_000;

// Stands in for a vendor library in these unit tests of Trellis's own checks: it reports
// what a quote would say once its signature chain was accepted. It attests nothing.
const reporting = (quote: VerifiedQuote): QuoteVerifier => ({ kind: 'intel-tdx', verify: async () => quote });
const policyWith = (quote: VerifiedQuote): AttestationPolicy => ({
  verifiers: [reporting(quote)],
  allowedMeasurements: [measurement],
  maxAgeSeconds: 3600,
  now: () => now,
});
const attestation = { kind: 'intel-tdx' as const, evidence: '0x01' as Hex };
const good: VerifiedQuote = { measurement, reportData: expectedReportData(binding), issuedAt: now - 60 };

test('with no vendor verifier configured, which is how Trellis ships, every attestation is refused', async () => {
  await assert.rejects(checkAttestation(attestation, binding, { verifiers: [], allowedMeasurements: [measurement], maxAgeSeconds: 3600 }), {
    name: 'TeeError',
    code: 'TEE_NO_VERIFIER',
  });
});

test('report data binds the chain, the provider and its encryption key: each changes it', () => {
  const base = expectedReportData(binding);
  assert.equal((base.length - 2) / 2, 64);
  assert.notEqual(expectedReportData({ ...binding, chainId: 1 }), base);
  assert.notEqual(expectedReportData({ ...binding, provider: `0x${'a2'.repeat(20)}` }), base);
  assert.notEqual(expectedReportData({ ...binding, encryptionKey: `0x${'5f'.repeat(32)}` }), base);
});

test("another provider's valid quote, unlisted code, a stale quote and junk are refused by name", async () => {
  assert.deepEqual(await checkAttestation(attestation, binding, policyWith(good)), good);
  const other = { ...good, reportData: expectedReportData({ ...binding, provider: `0x${'b2'.repeat(20)}` }) };
  await assert.rejects(checkAttestation(attestation, binding, policyWith(other)), { code: 'TEE_REPORT_NOT_BOUND' });
  await assert.rejects(checkAttestation(attestation, binding, policyWith({ ...good, measurement: `0x${'78'.repeat(48)}` })), {
    code: 'TEE_MEASUREMENT_NOT_ALLOWED',
  });
  await assert.rejects(checkAttestation(attestation, binding, policyWith({ ...good, issuedAt: now - 7200 })), { code: 'TEE_ATTESTATION_STALE' });
  await assert.rejects(checkAttestation({ kind: 'enclave-x' as never, evidence: '0x01' }, binding, policyWith(good)), { code: 'TEE_BAD_ATTESTATION' });
  await assert.rejects(checkAttestation({ ...attestation, evidence: '0x' }, binding, policyWith(good)), { code: 'TEE_BAD_ATTESTATION' });
});
