// Anyone's check of a posted aggregate: recompute it from the committed updates in the
// store with the task's rule and, at the first element that differs, challenge it on
// chain with every included update's value and Merkle path and the posted value with
// its path. The contract recomputes that one element and slashes the aggregator.
//
// When a blob it needs is not in the store (an included update's or the aggregate's),
// the watcher plays the availability game (docs/fl.md): it demands that the missing
// commitments be opened at the element it suspects most (where the posted aggregate
// strays furthest from the aggregate of the updates it has), reads the answers from
// `DemandAnswered` events, and challenges with the opened values in place of paths. A
// demand nobody answers it settles after the deadline: the round is void and the
// committer and the aggregator that included its update are slashed.
import { randomInt } from 'node:crypto';
import type { Hex } from 'viem';
import { commitWeights, elementProof } from '../commitment.ts';
import { aggregateElement } from '../aggregate-element.ts';
import { aggregateUpdates, strategyName } from './aggregate.ts';
import { collectUpdates, type Included } from './aggregator.ts';
import { getWeights } from './blob.ts';
import {
  AGGREGATE_TARGET,
  approveCoordinator,
  availabilityGame,
  chainNow,
  demandBondOf,
  flWrite,
  gameWrite,
  participantAt,
  participantOf,
  postedAggregates,
  readRound,
  roundStatuses,
  taskDemands,
  type DemandView,
  type FlContext,
} from './chain.ts';
import { FlTaskError } from './errors.ts';
import { syncTask, type TaskView } from './sync.ts';

export type Demanded = { target: number; index: number };

export type WatchResult =
  | { round: number; verdict: 'correct' }
  | {
      round: number;
      verdict: 'challenged';
      index: number;
      posted: bigint;
      recomputed: bigint;
      transactionHash: Hex;
      /** How many of the challenge's values came from openings rather than blobs. */
      opened: number;
    }
  /** The watcher lacks a blob it needs and can no longer demand it (the demand window is over). */
  | { round: number; verdict: 'unverifiable'; reason: string }
  /** Blobs are missing: openings of them were demanded at one element. */
  | { round: number; verdict: 'demanded'; demands: Demanded[]; reason: string }
  /** Demands made, answers not all in yet. */
  | { round: number; verdict: 'awaiting'; pending: number }
  /** Every missing value was opened and the element checked out: the aggregate is right there. */
  | { round: number; verdict: 'spot-checked'; index: number }
  /** A demand ran out unanswered and the watcher settled it; `voided` when it voided the round. */
  | { round: number; verdict: 'settled'; demandId: bigint; voided: boolean; transactionHash: Hex };

/** One look at the task: settles overdue demands, else checks the aggregate in its challenge window, if any. */
export async function watcherStep(ctx: FlContext, taskId: bigint, checked: Set<string> = new Set()): Promise<WatchResult | undefined> {
  const me = ctx.connection.account.address.toLowerCase();
  // Settled before the task is rolled forward: the first write after the deadline would
  // void the round by the clock, and the demander would miss its share of the aggregator's
  // stake. Anyone may settle a demand: the bond goes back to its demander anyway.
  const now = await chainNow(ctx);
  const demands = await taskDemands(ctx, taskId);
  const overdue = demands.find((d) => d.status === 'Pending' && now >= d.deadline);
  if (overdue) {
    const before = await readRound(ctx, taskId, overdue.round);
    const transactionHash = await gameWrite(ctx, `Settling the unanswered demand ${overdue.demandId} of task ${taskId}`, 'settleDemand', [overdue.demandId]);
    const after = await readRound(ctx, taskId, overdue.round);
    const voided = roundStatuses[before.status] === 'Posted' && roundStatuses[after.status] === 'Empty';
    return { round: overdue.round, verdict: 'settled', demandId: overdue.demandId, voided, transactionHash };
  }
  const t = await syncTask(ctx, taskId);
  if (t.status !== 'Posted' || !t.roundState || !t.availability) return undefined;
  const post = t.roundState.posts;
  const key = `${t.round}:${post}`;
  if (checked.has(key)) return undefined;
  const strategy = strategyName(t.config.strategy);
  const posting = (await postedAggregates(ctx, taskId)).filter((p) => p.round === t.round)[post - 1]!;
  let posted: bigint[] | undefined;
  let missingReason: string | undefined;
  try {
    posted = (await getWeights(ctx.store, posting.cid, { root: posting.root, elementCount: t.config.elementCount })).elements;
  } catch (error) {
    if (!(error instanceof FlTaskError)) throw error;
    missingReason = error.message;
  }
  const excluded = new Set(posting.excluded);
  const { included, refused } = await collectUpdates(ctx, taskId, t.round, t.config.elementCount);
  const missing = refused.filter((r) => !excluded.has(r.update.index));
  missingReason ??= missing[0]?.error.message;
  const counted = included.filter((u) => !excluded.has(u.update.index));

  if (posted && missing.length === 0) {
    checked.add(key);
    return fullCheck(ctx, t, strategy, counted, posted);
  }

  // Some blob is missing: the availability game, at one element for every missing commitment.
  const targets = [...missing.map((m) => m.update.index), ...(posted ? [] : [AGGREGATE_TARGET])];
  // An update's opening holds for every post of the round; the aggregate's only for its own.
  const here = demands.filter((d) => d.round === t.round && (d.target !== AGGREGATE_TARGET || d.post === post));
  const mine = here.find((d) => d.demander.toLowerCase() === me && d.post === post);
  const index = mine?.index ?? suspectIndex(strategy, t.config.trimBetaBps, counted, posted, t.config.elementCount);
  const at = (target: number, status: DemandView['status']) => here.find((d) => d.target === target && d.index === index && d.status === status);
  const needed = targets.filter((target) => !at(target, 'Answered') && !at(target, 'Pending'));
  if (needed.length > 0) {
    if (t.now >= t.roundState.postedAt + BigInt(t.config.challengeWindow)) {
      checked.add(key);
      return { round: t.round, verdict: 'unverifiable', reason: `${missingReason}; the demand window closed` };
    }
    await approveCoordinator(ctx, (await demandBondOf(ctx, taskId)) * BigInt(needed.length), await availabilityGame(ctx));
    for (const target of needed) {
      await gameWrite(ctx, `Demanding element ${index} of ${describe(target)} in round ${t.round} of task ${taskId}`, 'demandOpening', [taskId, target, index]);
    }
    return { round: t.round, verdict: 'demanded', demands: needed.map((target) => ({ target, index })), reason: missingReason! };
  }
  const pending = targets.filter((target) => at(target, 'Pending')).length;
  if (pending > 0) return { round: t.round, verdict: 'awaiting', pending };

  // Every missing value at `index` is open on chain: check that element.
  const opened = new Map(targets.map((target) => [target, at(target, 'Answered')!.value!]));
  const participants = [...counted.map((u) => u.update.index), ...missing.map((m) => m.update.index)].sort((a, b) => a - b);
  const byIndex = new Map(counted.map((u) => [u.update.index, u]));
  const values = participants.map((p) => byIndex.get(p)?.elements[index] ?? opened.get(p)!);
  const examples = await Promise.all(participants.map(async (p) => byIndex.get(p)?.examples ?? (await examplesOf(ctx, taskId, p))));
  const recomputed = aggregateElement(strategy, { trimBetaBps: t.config.trimBetaBps }, values, examples);
  const postedValue = posted ? posted[index]! : opened.get(AGGREGATE_TARGET)!;
  checked.add(key);
  if (recomputed === postedValue) return { round: t.round, verdict: 'spot-checked', index };
  const challenge = {
    index,
    participants,
    values,
    // An empty path: the contract takes the value opened on chain instead.
    proofs: participants.map((p) => {
      const u = byIndex.get(p);
      return u ? elementProof(commitWeights(u.elements), index) : [];
    }),
    aggregateValue: postedValue,
    aggregateProof: posted ? elementProof(commitWeights(posted), index) : [],
  };
  const transactionHash = await flWrite(ctx, `Challenging the round ${t.round} aggregate of task ${taskId}`, 'challengeAggregate', [taskId, challenge]);
  return { round: t.round, verdict: 'challenged', index, posted: postedValue, recomputed, transactionHash, opened: targets.length };
}

/** Every blob at hand: recompute the whole aggregate and challenge the first element that differs. */
async function fullCheck(ctx: FlContext, t: TaskView, strategy: ReturnType<typeof strategyName>, counted: Included[], posted: bigint[]): Promise<WatchResult> {
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
  const transactionHash = await flWrite(ctx, `Challenging the round ${t.round} aggregate of task ${t.taskId}`, 'challengeAggregate', [t.taskId, challenge]);
  return { round: t.round, verdict: 'challenged', index, posted: posted[index]!, recomputed: recomputed[index]!, transactionHash, opened: 0 };
}

/**
 * The element to demand: where the posted aggregate strays furthest from the aggregate of
 * the updates at hand (a tampered element stands out there), or a random one when there
 * is nothing to compare (the aggregate's blob is missing, or no update is at hand), so
 * that the aggregator cannot guess which element will be opened.
 */
export function suspectIndex(
  strategy: ReturnType<typeof strategyName>,
  trimBetaBps: number,
  known: Included[],
  posted: bigint[] | undefined,
  elementCount: number,
): number {
  if (!posted || known.length === 0) return randomInt(elementCount);
  const partial = aggregateUpdates(
    strategy,
    trimBetaBps,
    known.map((u) => u.elements),
    known.map((u) => u.examples),
  );
  let best = 0;
  let widest = -1n;
  for (let i = 0; i < elementCount; i++) {
    const gap = posted[i]! > partial[i]! ? posted[i]! - partial[i]! : partial[i]! - posted[i]!;
    if (gap > widest) [best, widest] = [i, gap];
  }
  return best;
}

const describe = (target: number) => (target === AGGREGATE_TARGET ? 'the aggregate' : `participant ${target}'s update`);

async function examplesOf(ctx: FlContext, taskId: bigint, index: number): Promise<bigint> {
  return (await participantOf(ctx, taskId, await participantAt(ctx, taskId, index))).examples;
}
