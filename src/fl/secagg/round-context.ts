// What the client and the aggregator derive alike from the session: the resolved
// parameters, the neighbourhood graph, each participant's index, and the context string
// every derived key and every associated data carries.
import { utf8ToBytes } from '@noble/hashes/utils';
import { type Address, getAddress } from 'viem';
import { type ResolvedConfig, resolveConfig } from './config.ts';
import { SecAggError } from './errors.ts';
import { neighbourGraph } from './graph.ts';
import type { SecAggSession } from './messages.ts';

export type RoundContext = {
  session: SecAggSession;
  config: ResolvedConfig;
  graph: number[][];
  participants: Address[];
  /** `${sessionId}:${round}`: names the round in every key derivation. */
  context: string;
  indexOf(address: Address): number;
};

export function roundContext(session: SecAggSession): RoundContext {
  const participants = session.participants.map((a) => getAddress(a));
  if (new Set(participants).size !== participants.length) {
    throw new SecAggError('SECAGG_BAD_CONFIG', 'A participant is listed twice.', { details: [`participants: ${participants.length}`] });
  }
  if (!/^0x[0-9a-fA-F]{64}$/.test(session.sessionId) || !Number.isInteger(session.round) || session.round < 0) {
    throw new SecAggError('SECAGG_BAD_CONFIG', 'The session id must be 32 bytes of hex and the round a non-negative integer.', {
      details: [`sessionId: ${session.sessionId}`, `round: ${session.round}`],
    });
  }
  if (!Number.isInteger(session.vectorLength) || session.vectorLength < 1) {
    throw new SecAggError('SECAGG_BAD_CONFIG', 'The vector length must be a positive integer.', { details: [`got: ${session.vectorLength}`] });
  }
  const config = resolveConfig(session.config, participants.length);
  const context = `${session.sessionId.toLowerCase()}:${session.round}`;
  const index = new Map(participants.map((a, i) => [a, i]));
  return {
    session,
    config,
    graph: neighbourGraph(context, config),
    participants,
    context,
    indexOf(address) {
      const i = index.get(getAddress(address));
      if (i === undefined)
        throw new SecAggError('SECAGG_NOT_PARTICIPANT', 'The account is not a participant of the round.', { details: [`account: ${address}`] });
      return i;
    },
  };
}

/** The associated data of the shares `from` encrypts to `to`: a ciphertext moved to another pair or round fails to open. */
export function shareAssociatedData(ctx: RoundContext, from: number, to: number): Uint8Array {
  return utf8ToBytes(`trellis-secagg-share:${ctx.context}:${from}->${to}`);
}

/** Shamir shares of a 32-byte secret are 33 bytes: the y values, then the x coordinate. */
export const SHARE_BYTES = 33;
