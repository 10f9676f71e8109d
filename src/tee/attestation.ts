// The attestation a TEE provider would present, and the checks Trellis would run on it
// before routing a request to that provider (docs/tee.md). No enclave runs here and
// Trellis ships no vendor quote verifier, so today every attestation is refused: a
// provider's TEE claim counts only once a verifier for its kind of quote is configured.
//
// What an attestation must prove, in this order: the vendor signed the quote (the
// vendor's verifier: Intel's DCAP libraries, AMD's KDS chain, AWS Nitro's root); the
// measured code is one the network accepts; the quote is recent; and the quote names
// this provider, i.e. its report data is the binding of the provider's address and the
// key clients encrypt inputs to. Without the last check, a provider could present
// another machine's valid quote.
import { encodeAbiParameters, type Address, type Hex, keccak256 } from 'viem';
import { TrellisError } from '../errors.ts';

export const TEE_KINDS = ['intel-tdx', 'intel-sgx', 'amd-sev-snp', 'aws-nitro'] as const;
export type TeeKind = (typeof TEE_KINDS)[number];

export type TeeAttestation = {
  kind: TeeKind;
  /** The vendor's quote or attestation document, as its verifier reads it. */
  evidence: Hex;
};

/** What a vendor verifier found in a quote whose signature chain it accepted. */
export type VerifiedQuote = {
  /** The code measurement: MRTD (TDX), MRENCLAVE (SGX), the launch digest (SEV-SNP), PCR0 (Nitro). */
  measurement: Hex;
  /** The 64 bytes of report data the enclave placed in the quote. */
  reportData: Hex;
  /** When the quote was produced, in seconds since the epoch. */
  issuedAt: number;
};

/** Implemented by a provider operator's vendor library; refuses (throws) a quote whose signature chain fails. */
export interface QuoteVerifier {
  readonly kind: TeeKind;
  verify(evidence: Hex): Promise<VerifiedQuote>;
}

export type TeeErrorCode = 'TEE_NO_VERIFIER' | 'TEE_MEASUREMENT_NOT_ALLOWED' | 'TEE_REPORT_NOT_BOUND' | 'TEE_ATTESTATION_STALE' | 'TEE_BAD_ATTESTATION';

export class TeeError extends TrellisError<TeeErrorCode> {
  override name = 'TeeError';
}

/**
 * The report data a provider's enclave must put in its quote: keccak256 of a domain tag,
 * the chain, the provider's registered address and its input-encryption public key,
 * followed by 32 zero bytes (report data is 64 bytes on every platform listed).
 */
export function expectedReportData(binding: { chainId: number; provider: Address; encryptionKey: Hex }): Hex {
  const digest = keccak256(
    encodeAbiParameters(
      [{ type: 'string' }, { type: 'uint256' }, { type: 'address' }, { type: 'bytes' }],
      ['trellis-tee-attestation-v1', BigInt(binding.chainId), binding.provider, binding.encryptionKey],
    ),
  );
  return `${digest}${'00'.repeat(32)}` as Hex;
}

export type AttestationPolicy = {
  verifiers: readonly QuoteVerifier[];
  /** Measurements of enclave builds the network accepts (reproducible builds, published). */
  allowedMeasurements: readonly Hex[];
  /** Oldest quote accepted, in seconds. */
  maxAgeSeconds: number;
  now?: () => number;
};

/** Checks an attestation against the provider it claims to be; throws a TeeError naming the first failure. */
export async function checkAttestation(
  attestation: TeeAttestation,
  binding: { chainId: number; provider: Address; encryptionKey: Hex },
  policy: AttestationPolicy,
): Promise<VerifiedQuote> {
  if (!TEE_KINDS.includes(attestation.kind) || !/^0x([0-9a-fA-F]{2})+$/.test(attestation.evidence)) {
    throw new TeeError('TEE_BAD_ATTESTATION', 'The attestation names no known TEE kind or carries no evidence.', {
      details: [`kind: ${String(attestation.kind)}`, `known: ${TEE_KINDS.join(', ')}`],
    });
  }
  const verifier = policy.verifiers.find((v) => v.kind === attestation.kind);
  if (!verifier) {
    throw new TeeError('TEE_NO_VERIFIER', `No verifier for ${attestation.kind} quotes is configured, so this provider's TEE claim cannot be checked.`, {
      details: ['Trellis ships none: a network that routes to TEE providers configures its vendor verifier.'],
    });
  }
  const quote = await verifier.verify(attestation.evidence);
  const allowed = policy.allowedMeasurements.map((m) => m.toLowerCase());
  if (!allowed.includes(quote.measurement.toLowerCase())) {
    throw new TeeError('TEE_MEASUREMENT_NOT_ALLOWED', 'The enclave runs code whose measurement the network does not accept.', {
      details: [`measurement: ${quote.measurement}`],
    });
  }
  const expected = expectedReportData(binding);
  if (quote.reportData.toLowerCase() !== expected.toLowerCase()) {
    throw new TeeError('TEE_REPORT_NOT_BOUND', "The quote's report data does not bind this provider's address and encryption key.", {
      details: [`expected: ${expected}`, `got: ${quote.reportData}`],
    });
  }
  const now = policy.now?.() ?? Math.floor(Date.now() / 1000);
  if (now - quote.issuedAt > policy.maxAgeSeconds) {
    throw new TeeError('TEE_ATTESTATION_STALE', 'The quote is older than the network accepts.', {
      details: [`issued: ${new Date(quote.issuedAt * 1000).toISOString()}`, `max age: ${policy.maxAgeSeconds} s`],
    });
  }
  return quote;
}
