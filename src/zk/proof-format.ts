// A Groth16 proof as it travels: snarkjs's JSON on the wire (checked field by field), the
// verifier contract's order of its points, and the binding a zk receipt signs. This module
// loads no prover, so the protocol's parsers and the gateway can use it cheaply.
//
// Binding: a zk receipt's traceRoot is keccak256(abi.encode(a, b, c, publicSignals)) with
// the points in the verifier's order (ZkReceiptSlasher.proofBinding computes the same), so
// the provider's signature over the receipt covers the exact proof it sent, and whoever
// holds both can show on chain that the provider signed a proof that fails.
import { encodeAbiParameters, keccak256, type Hex } from 'viem';
import { ProtocolError } from '../protocol/errors.ts';

export type Groth16Proof = { pi_a: string[]; pi_b: string[][]; pi_c: string[]; protocol: string; curve: string };

/** What a zk result carries next to its receipt. */
export type ZkProofResult = { proof: Groth16Proof; publicSignals: string[] };

/** The proof's points in the verifier contract's order (G2 imaginary part first). */
export type SolidityProof = { a: [bigint, bigint]; b: [[bigint, bigint], [bigint, bigint]]; c: [bigint, bigint] };

export function solidityProof(proof: Groth16Proof): SolidityProof {
  const n = (s: string | undefined): bigint => BigInt(s ?? '0');
  const b = proof.pi_b;
  return {
    a: [n(proof.pi_a[0]), n(proof.pi_a[1])],
    b: [
      [n(b[0]?.[1]), n(b[0]?.[0])],
      [n(b[1]?.[1]), n(b[1]?.[0])],
    ],
    c: [n(proof.pi_c[0]), n(proof.pi_c[1])],
  };
}

/** The traceRoot of a zk receipt that carries this proof. */
export function zkProofBinding({ proof, publicSignals }: ZkProofResult): Hex {
  const { a, b, c } = solidityProof(proof);
  return keccak256(
    encodeAbiParameters(
      [{ type: 'uint256[2]' }, { type: 'uint256[2][2]' }, { type: 'uint256[2]' }, { type: 'uint256[]' }],
      [a, b, c, publicSignals.map(BigInt)],
    ),
  );
}

const DECIMAL = /^\d{1,78}$/;
const MAX_SIGNALS = 16;

const bad = (path: string, expected: string, value: unknown): never => {
  const text = JSON.stringify(value);
  throw new ProtocolError('INVALID_BODY', `${path}: expected ${expected}.`, {
    details: [`got ${text === undefined ? typeof value : text.length > 60 ? `${text.slice(0, 57)}...` : text}`],
  });
};

function decimals(path: string, value: unknown, length: number): string[] {
  if (!Array.isArray(value) || value.length !== length || !value.every((v) => typeof v === 'string' && DECIMAL.test(v) && BigInt(v) < 2n ** 256n))
    return bad(path, `${length} unsigned integers as decimal strings`, value);
  return value as string[];
}

/** Checks the shape of a zk result (`zk` of an inference answer); whether it verifies is another matter. */
export function parseZkProofResult(path: string, value: unknown): ZkProofResult {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return bad(path, 'an object with proof and publicSignals', value);
  const { proof, publicSignals } = value as { proof?: unknown; publicSignals?: unknown };
  if (typeof proof !== 'object' || proof === null || Array.isArray(proof)) return bad(`${path}.proof`, 'a Groth16 proof object', proof);
  const p = proof as Record<string, unknown>;
  if (p.protocol !== 'groth16') bad(`${path}.proof.protocol`, '"groth16"', p.protocol);
  if (p.curve !== 'bn128') bad(`${path}.proof.curve`, '"bn128"', p.curve);
  if (!Array.isArray(p.pi_b) || p.pi_b.length !== 3) bad(`${path}.proof.pi_b`, 'three pairs of decimal strings', p.pi_b);
  const signals = Array.isArray(publicSignals) && publicSignals.length <= MAX_SIGNALS ? publicSignals.length : -1;
  if (signals < 1) bad(`${path}.publicSignals`, `an array of 1 to ${MAX_SIGNALS} decimal strings`, publicSignals);
  return {
    proof: {
      pi_a: decimals(`${path}.proof.pi_a`, p.pi_a, 3),
      pi_b: (p.pi_b as unknown[]).map((pair, i) => decimals(`${path}.proof.pi_b[${i}]`, pair, 2)),
      pi_c: decimals(`${path}.proof.pi_c`, p.pi_c, 3),
      protocol: 'groth16',
      curve: 'bn128',
    },
    publicSignals: decimals(`${path}.publicSignals`, publicSignals, signals),
  };
}
