// The messages of a SecAgg+ round as plain JSON-serializable objects, so that the
// coordinator's events or the content-addressed store can carry them unchanged. Each
// is signed (secp256k1, an Ethereum account) over a digest of its kind, session, round,
// sender and body, so a relay can drop a message but not forge, alter or move one to
// another round. Byte strings are 0x-hex; a masked vector is a list of integers.
import { keccak_256 } from '@noble/hashes/sha3';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils';
import { type Address, getAddress, type Hex, isAddress, type LocalAccount } from 'viem';
import { recoverDigestSigner } from '../../protocol/signatures.ts';
import type { SecAggPlusConfig } from './config.ts';
import { SecAggError } from './errors.ts';

/** What every party of a round agrees on before it starts (from the coordinator's task and round). */
export type SecAggSession = {
  /** 32 bytes naming the task (e.g. chain, coordinator and task id hashed); every message is bound to it. */
  sessionId: Hex;
  round: number;
  aggregator: Address;
  /** The round's participants; a client's index is its position here. */
  participants: readonly Address[];
  vectorLength: number;
  config: SecAggPlusConfig;
};

export type KeysBody = { encryptionKey: Hex; maskKey: Hex };
/** One per neighbour: the sender's shares for `to`, encrypted to it, and the commitment to the sender's self-mask seed. */
export type ShareBody = { to: Address; selfMaskCommitment: Hex; ciphertext: Hex };
export type MaskedInputBody = { vector: number[] };
export type UnmaskRequestBody = { survivors: Address[]; dropped: Address[] };
export type UnmaskResponseBody = { selfMaskShares: { of: Address; share: Hex }[]; keyShares: { of: Address; share: Hex }[] };

type Bodies = {
  keys: KeysBody;
  share: ShareBody;
  'masked-input': MaskedInputBody;
  'unmask-request': UnmaskRequestBody;
  'unmask-response': UnmaskResponseBody;
};
export type MessageKind = keyof Bodies;

export type SignedMessage<K extends MessageKind = MessageKind> = {
  kind: K;
  sessionId: Hex;
  round: number;
  sender: Address;
  body: Bodies[K];
  signature: Hex;
};

export type KeysMessage = SignedMessage<'keys'>;
export type ShareMessage = SignedMessage<'share'>;
export type MaskedInputMessage = SignedMessage<'masked-input'>;
export type UnmaskRequest = SignedMessage<'unmask-request'>;
export type UnmaskResponse = SignedMessage<'unmask-response'>;

/** JSON with object keys sorted, so a relay that reorders keys does not break a signature. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function messageDigest(kind: MessageKind, sessionId: Hex, round: number, sender: Address, body: unknown): Hex {
  const text = `trellis-secagg-v1\n${canonicalJson({ kind, sessionId, round, sender, body })}`;
  return `0x${bytesToHex(keccak_256(utf8ToBytes(text)))}`;
}

export async function signMessage<K extends MessageKind>(account: LocalAccount, session: SecAggSession, kind: K, body: Bodies[K]): Promise<SignedMessage<K>> {
  if (!account.sign) throw new SecAggError('SECAGG_BAD_CONFIG', 'The account cannot sign a digest.', { details: [`account: ${account.address}`] });
  const sender = account.address;
  const signature = await account.sign({ hash: messageDigest(kind, session.sessionId, session.round, sender, body) });
  return { kind, sessionId: session.sessionId, round: session.round, sender, body, signature };
}

/**
 * Refuses a message that is not of the expected kind, belongs to another session or
 * round (a replay), comes from someone not allowed to send it, or was not signed by
 * its sender. Returns the message, typed.
 */
export function verifyMessage<K extends MessageKind>(message: unknown, session: SecAggSession, kind: K, allowed: readonly Address[]): SignedMessage<K> {
  const m = message as Partial<SignedMessage<K>> | null;
  if (!m || typeof m !== 'object' || m.kind !== kind || typeof m.signature !== 'string' || typeof m.sender !== 'string' || !isAddress(m.sender) || !m.body) {
    throw new SecAggError('SECAGG_BAD_MESSAGE', `A ${kind} message is malformed.`, { details: [`expected kind: ${kind}`, `got kind: ${String(m?.kind)}`] });
  }
  if (m.sessionId !== session.sessionId || m.round !== session.round) {
    throw new SecAggError('SECAGG_WRONG_ROUND', `A ${kind} message belongs to another session or round.`, {
      details: [`expected: ${session.sessionId} round ${session.round}`, `got: ${String(m.sessionId)} round ${String(m.round)}`, `sender: ${m.sender}`],
    });
  }
  const sender = getAddress(m.sender);
  if (!allowed.some((a) => getAddress(a) === sender)) {
    throw new SecAggError('SECAGG_NOT_PARTICIPANT', `A ${kind} message comes from an account not allowed to send it.`, { details: [`sender: ${sender}`] });
  }
  let signer: Address;
  try {
    signer = recoverDigestSigner(messageDigest(kind, m.sessionId, m.round, m.sender, m.body), m.signature as Hex);
  } catch (error) {
    throw new SecAggError('SECAGG_BAD_SIGNATURE', `A ${kind} message carries an unreadable signature.`, { details: [`sender: ${sender}`], cause: error });
  }
  if (signer !== sender) {
    throw new SecAggError('SECAGG_BAD_SIGNATURE', `A ${kind} message was not signed by its sender.`, { details: [`sender: ${sender}`, `signer: ${signer}`] });
  }
  return m as SignedMessage<K>;
}

export function hexOf(bytes: Uint8Array): Hex {
  return `0x${bytesToHex(bytes)}`;
}

export function bytesOf(hex: unknown, length: number | undefined, what: string): Uint8Array {
  if (typeof hex !== 'string' || !/^0x([0-9a-fA-F]{2})*$/.test(hex) || (length !== undefined && hex.length !== 2 + 2 * length)) {
    throw new SecAggError('SECAGG_BAD_MESSAGE', `${what} is not a byte string of the expected length.`, {
      details: [`expected: ${length ?? 'any'} bytes`, `got: ${String(hex).slice(0, 80)}`],
    });
  }
  return Uint8Array.from(Buffer.from(hex.slice(2), 'hex'));
}
