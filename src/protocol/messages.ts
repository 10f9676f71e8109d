// The signed messages of an inference, as EIP-712 typed data:
//  - InferenceRequest, signed by the client. It names its router: the one provider it
//    is meant for, or the gateway it is sent through. Through a gateway it names no
//    provider, so the gateway can route it to any provider (or to k of them in
//    redundant mode) and retry it elsewhere without asking the client to sign again.
//  - Assignment, signed by the router gateway for each provider it sends a request to.
//    A provider serves a request only if it is the router or holds the router's
//    assignment, so someone who captured a signed request cannot have it served (and
//    charged to the client) anywhere the client's router did not send it.
//  - Receipt, signed by the provider: what it computed (input, output and trace
//    commitments) and what it charges. Anyone holding a receipt and the input can
//    challenge it on chain.
// Both use the domain "Trellis Inference" / "1" on the deployment's chain, bound to its
// escrow contract, so signatures from another deployment never verify here.
import type { Address, Hex, LocalAccount } from 'viem';
import { recoverDigestSigner, signDigest } from './signatures.ts';
import { structHasher } from './typed-data.ts';
import { verificationModes } from './verification-modes.ts';

export { verificationModes, type Verification } from './verification-modes.ts';

export type InferenceRequest = {
  client: Address;
  modelId: Hex;
  /** Merkle root of the quantized input (the trace's tensor 0). */
  inputHash: Hex;
  /** The most the client accepts to pay one provider for this request. */
  maxFee: bigint;
  /** Random; a provider serves each (client, nonce) at most once. */
  nonce: bigint;
  /** Unix seconds after which no provider may serve it; at most MAX_REQUEST_TTL_SECONDS ahead. */
  deadline: bigint;
  verification: number;
  /** The provider this request is for, or the gateway that assigns it to providers. */
  router: Address;
};

/** The router's word that it sent this request to this provider. */
export type Assignment = { requestHash: Hex; provider: Address };
export type SignedAssignment = { assignment: Assignment; signature: Hex };

export type Receipt = {
  requestHash: Hex;
  client: Address;
  provider: Address;
  modelId: Hex;
  inputHash: Hex;
  /** Merkle root of the output integers (fixed point), or keccak256 of the float32 output bytes (verification none). */
  outputHash: Hex;
  /** Root of the execution trace; zero when the request asked for no verification; the proof's binding in zk mode. */
  traceRoot: Hex;
  fee: bigint;
  /**
   * Everything this provider has charged on the channel (client, provider, model)
   * including this request: the cumulative amount of the voucher that pays for it.
   */
  channelTotal: bigint;
  /**
   * Unix seconds when the provider signed: the challenge window runs from here, so a
   * client refuses a receipt dated far from its own clock (see RECEIPT_CLOCK_SKEW_SECONDS).
   */
  issuedAt: bigint;
  /** The verification mode the request asked for (index into verificationModes). */
  verification: number;
};

/**
 * The longest a signed request may stay valid: a provider refuses one whose deadline
 * lies further ahead of its clock. It bounds how long a captured request stays valid
 * anywhere, its router included; clients pick a deadline within it.
 */
export const MAX_REQUEST_TTL_SECONDS = 300n;

/** How far a receipt's issuedAt may lie from the checker's clock, in seconds. */
export const RECEIPT_CLOCK_SKEW_SECONDS = 300n;

/** Verified modes commit to an execution trace (zk: to its proof): a zero traceRoot there is refused by everyone. */
export const isVerifiedMode = (verification: number): boolean => verificationModes[verification] !== undefined && verificationModes[verification] !== 'none';

/** The index of the zk mode in verificationModes. */
export const ZK_VERIFICATION = verificationModes.indexOf('zk');

export type ProtocolDomain = { chainId: number; escrow: Address };

const domainOf = ({ chainId, escrow }: ProtocolDomain) => ({ name: 'Trellis Inference', version: '1', chainId, verifyingContract: escrow }) as const;

export const requestTypes = {
  InferenceRequest: [
    { name: 'client', type: 'address' },
    { name: 'modelId', type: 'bytes32' },
    { name: 'inputHash', type: 'bytes32' },
    { name: 'maxFee', type: 'uint256' },
    { name: 'nonce', type: 'uint256' },
    { name: 'deadline', type: 'uint256' },
    { name: 'verification', type: 'uint8' },
    { name: 'router', type: 'address' },
  ],
} as const;

export const assignmentTypes = {
  Assignment: [
    { name: 'requestHash', type: 'bytes32' },
    { name: 'provider', type: 'address' },
  ],
} as const;

export const receiptTypes = {
  Receipt: [
    { name: 'requestHash', type: 'bytes32' },
    { name: 'client', type: 'address' },
    { name: 'provider', type: 'address' },
    { name: 'modelId', type: 'bytes32' },
    { name: 'inputHash', type: 'bytes32' },
    { name: 'outputHash', type: 'bytes32' },
    { name: 'traceRoot', type: 'bytes32' },
    { name: 'fee', type: 'uint256' },
    { name: 'channelTotal', type: 'uint256' },
    { name: 'issuedAt', type: 'uint64' },
    { name: 'verification', type: 'uint8' },
  ],
} as const;

const requestDigest = structHasher<InferenceRequest>('InferenceRequest', requestTypes.InferenceRequest);
const assignmentDigest = structHasher<Assignment>('Assignment', assignmentTypes.Assignment);
const receiptDigest = structHasher<Receipt>('Receipt', receiptTypes.Receipt);

export function hashRequest(domain: ProtocolDomain, request: InferenceRequest): Hex {
  return requestDigest(domainOf(domain), request);
}

export function signRequest(account: LocalAccount, domain: ProtocolDomain, request: InferenceRequest): Promise<Hex> {
  return signDigest(account, hashRequest(domain, request), () =>
    account.signTypedData({ domain: domainOf(domain), types: requestTypes, primaryType: 'InferenceRequest', message: request }),
  );
}

/**
 * The request's signer. A caller that already holds the request's hash passes it, so
 * the request is hashed once for both the check and the receipt.
 */
export async function recoverRequestSigner(domain: ProtocolDomain, request: InferenceRequest, signature: Hex, requestHash?: Hex): Promise<Address> {
  return recoverDigestSigner(requestHash ?? hashRequest(domain, request), signature);
}

export function hashAssignment(domain: ProtocolDomain, assignment: Assignment): Hex {
  return assignmentDigest(domainOf(domain), assignment);
}

export async function signAssignment(account: LocalAccount, domain: ProtocolDomain, assignment: Assignment): Promise<SignedAssignment> {
  const signature = await signDigest(account, hashAssignment(domain, assignment), () =>
    account.signTypedData({ domain: domainOf(domain), types: assignmentTypes, primaryType: 'Assignment', message: assignment }),
  );
  return { assignment, signature };
}

export async function recoverAssignmentSigner(domain: ProtocolDomain, { assignment, signature }: SignedAssignment): Promise<Address> {
  return recoverDigestSigner(hashAssignment(domain, assignment), signature);
}

export function hashReceipt(domain: ProtocolDomain, receipt: Receipt): Hex {
  return receiptDigest(domainOf(domain), receipt);
}

export function signReceipt(account: LocalAccount, domain: ProtocolDomain, receipt: Receipt): Promise<Hex> {
  return signDigest(account, hashReceipt(domain, receipt), () =>
    account.signTypedData({ domain: domainOf(domain), types: receiptTypes, primaryType: 'Receipt', message: receipt }),
  );
}

export async function recoverReceiptSigner(domain: ProtocolDomain, receipt: Receipt, signature: Hex): Promise<Address> {
  return recoverDigestSigner(hashReceipt(domain, receipt), signature);
}
