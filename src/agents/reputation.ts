// Reads the ReputationRegistry for routing: a score per address in basis points (5000
// with no evidence, towards 10000 with paid work and passed validations, towards 0 with
// lost disputes), from one call for a whole provider list. The registry holds only
// facts the Escrow, the DisputeGame and trusted validators keep (docs/agents.md), so a
// router can weigh the score without trusting whoever recorded it.
import { getAddress, type Address, type Hash, type Hex } from 'viem';
import type { Connection, SignerConnection } from '../chain/connect.ts';
import { reputationRegistryAbi } from '../chain/generated/ReputationRegistry.ts';
import type { Deployment } from '../chain/manifest.ts';
import { transact } from '../sdk/transact.ts';
import { AgentError } from './errors.ts';
import { writeContract } from '../chain/write.ts';

/** The score of an address with no recorded evidence. */
export const NEUTRAL_SCORE = 5_000;
export const MAX_SCORE = 10_000;

export type ReputationRecord = {
  paidServed: bigint;
  paidSpent: bigint;
  disputesLost: bigint;
  validationsPassed: bigint;
  validationsFailed: bigint;
  feedbackSum: bigint;
  feedbackCount: bigint;
};

export type Reputation = { address: Address; score: number; record: ReputationRecord };

export function reputationRegistryOf(deployment: Deployment): Address {
  if (!deployment.agents) throw new AgentError('AGENTS_NOT_DEPLOYED', 'This deployment has no reputation registry; deploy again (locally: --fresh).');
  return deployment.agents.reputationRegistry;
}

/** Scores (basis points) of `addresses`, in one call; keyed by checksummed address. */
export async function readScores({ publicClient }: Connection, registry: Address, addresses: readonly Address[]): Promise<Map<Address, number>> {
  const subjects = addresses.map((a) => getAddress(a));
  if (subjects.length === 0) return new Map();
  const scores = await publicClient.readContract({ address: registry, abi: reputationRegistryAbi, functionName: 'scoresOf', args: [subjects] });
  return new Map(subjects.map((a, i) => [a, Number(scores[i])]));
}

/** One address's score and the evidence behind it. */
export async function readReputation({ publicClient }: Connection, registry: Address, address: Address): Promise<Reputation> {
  const subject = getAddress(address);
  const on = { address: registry, abi: reputationRegistryAbi, args: [subject] } as const;
  const [score, record] = await Promise.all([
    publicClient.readContract({ ...on, functionName: 'scoreOf' }),
    publicClient.readContract({ ...on, functionName: 'reputationOf' }),
  ]);
  return { address: subject, score: Number(score), record: { ...record, feedbackSum: BigInt(record.feedbackSum) } };
}

/** A routing weight in [0, 1] from a score: what a load balancer multiplies a provider's share by. */
export const routingWeight = (score: number): number => Math.min(Math.max(score, 0), MAX_SCORE) / MAX_SCORE;

/**
 * Records the growth of a channel's redeemed total (anyone may; a provider after its
 * redemptions, say). Returns the transaction; the registry refuses a channel with nothing new.
 */
export const recordRedemption = (c: SignerConnection, registry: Address, client: Address, provider: Address, modelId: Hex): Promise<Hash> =>
  transact(c, 'recording the redemption', () =>
    writeContract(c, { address: registry, abi: reputationRegistryAbi, functionName: 'recordRedemption', args: [client, provider, modelId] }),
  );
