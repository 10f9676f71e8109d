// Anyone's check of a posted aggregate: recompute it from the committed updates in the
// store with the task's rule and, at the first element that differs, challenge it on
// chain with every included update's value and Merkle path and the posted value with
// its path. The contract recomputes that one element and slashes the aggregator.
import type { Hex } from 'viem';
import { commitWeights, elementProof } from '../commitment.ts';
import { aggregateUpdates, strategyName } from './aggregate.ts';
import { collectUpdates } from './aggregator.ts';
import { getWeights } from './blob.ts';
import { flWrite, postedAggregates, type FlContext } from './chain.ts';
import { FlTaskError } from './errors.ts';
import { syncTask } from './sync.ts';

export type WatchResult =
  | { round: number; verdict: 'correct' }
  | { round: number; verdict: 'challenged'; index: number; posted: bigint; recomputed: bigint; transactionHash: Hex }
  /** The watcher lacks a blob it needs to prove anything (the aggregate's or an included update's). */
  | { round: number; verdict: 'unverifiable'; reason: string };

/** Checks the aggregate in its challenge window, if any; challenges it when it is wrong. */
export async function watcherStep(ctx: FlContext, taskId: bigint, checked: Set<string> = new Set()): Promise<WatchResult | undefined> {
  const t = await syncTask(ctx, taskId);
  if (t.status !== 'Posted' || !t.roundState) return undefined;
  const key = `${t.round}:${t.roundState.aggregateRoot}`;
  if (checked.has(key)) return undefined;
  checked.add(key);
  const strategy = strategyName(t.config.strategy);
  const post = (await postedAggregates(ctx, taskId)).filter((p) => p.round === t.round).at(-1)!;
  let posted: bigint[];
  try {
    posted = (await getWeights(ctx.store, post.cid, { root: post.root, elementCount: t.config.elementCount })).elements;
  } catch (error) {
    if (error instanceof FlTaskError) return { round: t.round, verdict: 'unverifiable', reason: error.message };
    throw error;
  }
  const excluded = new Set(post.excluded);
  const { included, refused } = await collectUpdates(ctx, taskId, t.round, t.config.elementCount);
  const missing = refused.filter((r) => !excluded.has(r.update.index));
  if (missing.length > 0) return { round: t.round, verdict: 'unverifiable', reason: missing[0]!.error.message };
  const counted = included.filter((u) => !excluded.has(u.update.index));
  const recomputed = aggregateUpdates(
    strategy,
    t.config.trimBetaBps,
    counted.map((u) => u.elements),
    counted.map((u) => u.examples),
  );
  const index = recomputed.findIndex((v, i) => v !== posted[i]);
  if (index < 0) return { round: t.round, verdict: 'correct' };
  const commitments = counted.map((u) => commitWeights(u.elements));
  const challenge = {
    index,
    participants: counted.map((u) => u.update.index),
    values: counted.map((u) => u.elements[index]!),
    proofs: commitments.map((c) => elementProof(c, index)),
    aggregateValue: posted[index]!,
    aggregateProof: elementProof(commitWeights(posted), index),
  };
  const transactionHash = await flWrite(ctx, `Challenging the round ${t.round} aggregate of task ${taskId}`, 'challengeAggregate', [taskId, challenge]);
  return { round: t.round, verdict: 'challenged', index, posted: posted[index]!, recomputed: recomputed[index]!, transactionHash };
}
