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
//
// For Krum and MultiKrum it first checks the distance matrix committed for the post
// (src/fl/distances.ts): a missing one, or one over other updates than the post included,
// and an honest matrix whose selection is not the recorded one it proves with every leaf
// (challengeSelection); a distance or prefix tree other than the honest one it proves
// wrong at one element (challengeDistance); only then the average over the selection.
import { randomInt } from 'node:crypto';
import type { Hex } from 'viem';
import { commitWeights, elementProof } from '../commitment.ts';
import { aggregateElement } from '../aggregate-element.ts';
import { distanceMatrix, krumSelection, matrixTree, prefixTree, treeProof, type DistanceMatrix } from '../distances.ts';
import { aggregateUpdates, isKrum, krumSelectCount, strategyName } from './aggregate.ts';
import { getDistanceListing, getPrefixSums } from './distance-blob.ts';
import { collectUpdates, type Included } from './aggregator.ts';
import { getWeights } from './blob.ts';
import {
  AGGREGATE_TARGET,
  approveCoordinator,
  availabilityGame,
  chainNow,
  committedDistances,
  demandBondOf,
  flWrite,
  gameWrite,
  participantAt,
  participantOf,
  postedAggregates,
  readRound,
  roundStatuses,
  selectionWrite,
  taskDemands,
  type CommittedDistances,
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
  /** Krum: a wrong distance (of `pair`, proven at `element`) or a wrong selection (`expected` is the matrix's) was proven. */
  | {
      round: number;
      verdict: 'selection-challenged';
      kind: 'distance' | 'selection';
      transactionHash: Hex;
      pair?: [number, number];
      element?: number;
      expected?: number[];
    }
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
    if (isKrum(strategy)) return krumCheck(ctx, t, strategy, counted, posted, posting.selected);
    return fullCheck(ctx, t, strategy, counted, posted);
  }
  if (isKrum(strategy)) {
    // A selection is checked from every included update; the availability game opens one element.
    checked.add(key);
    return { round: t.round, verdict: 'unverifiable', reason: `${missingReason}; a Krum selection needs every included update` };
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

/** Krum and MultiKrum, every update at hand: the matrix, then the selection, then the average over it. */
async function krumCheck(
  ctx: FlContext,
  t: TaskView,
  strategy: ReturnType<typeof strategyName>,
  counted: Included[],
  posted: bigint[],
  recorded: number[],
): Promise<WatchResult> {
  const committed = await committedDistances(ctx, t.taskId, t.round, t.roundState!.posts);
  const participants = counted.map((u) => u.update.index);
  // No matrix, or one over other updates than the post included: wrong as it stands.
  if (!committed || committed.participants.join() !== participants.join()) {
    const transactionHash = await selectionWrite(ctx, `Challenging the round ${t.round} Krum post of task ${t.taskId}`, 'challengeSelection', [
      t.taskId,
      committed?.participants ?? [],
      committed?.distances ?? [],
      committed?.prefixRoots ?? [],
    ]);
    return { round: t.round, verdict: 'selection-challenged', kind: 'selection', expected: [], transactionHash };
  }
  const honest = distanceMatrix(
    participants,
    counted.map((u) => u.elements),
  );
  const wrong = committed.distances.findIndex(
    (d, i) => d !== honest.pairs[i]!.distance || committed.prefixRoots[i]!.toLowerCase() !== honest.pairs[i]!.prefixRoot.toLowerCase(),
  );
  if (wrong >= 0) return challengeDistance(ctx, t, counted, committed, honest, wrong);
  const expected = krumSelection(committed.participants, committed.distances, t.config.krumByzantine, krumSelectCount(strategy, t.config.krumSelect));
  if (expected.join() !== recorded.join()) {
    const transactionHash = await selectionWrite(ctx, `Challenging the round ${t.round} Krum selection of task ${t.taskId}`, 'challengeSelection', [
      t.taskId,
      committed.participants,
      committed.distances,
      committed.prefixRoots,
    ]);
    return { round: t.round, verdict: 'selection-challenged', kind: 'selection', expected, transactionHash };
  }
  return fullCheck(
    ctx,
    t,
    strategy,
    counted.filter((u) => expected.includes(u.update.index)),
    posted,
  );
}

/**
 * Leaf `position` of the committed matrix is not the honest one: reads the aggregator's
 * prefix sums of that pair and opens the first element where they part from the honest
 * ones (that step is wrong), or the last element when they agree (then the distance is).
 */
async function challengeDistance(
  ctx: FlContext,
  t: TaskView,
  counted: Included[],
  committed: CommittedDistances,
  honest: DistanceMatrix,
  position: number,
): Promise<WatchResult> {
  const pair = honest.pairs[position]!;
  const elementCount = t.config.elementCount;
  let sums: bigint[];
  try {
    const listed = (await getDistanceListing(ctx.store, committed.cid)).pairs[position];
    if (!listed || listed.a !== pair.a || listed.b !== pair.b) {
      return { round: t.round, verdict: 'unverifiable', reason: `the distance blob ${committed.cid} does not list pair (${pair.a}, ${pair.b}) at ${position}` };
    }
    sums = await getPrefixSums(ctx.store, listed.prefix, { root: committed.prefixRoots[position]!, elementCount });
  } catch (error) {
    if (!(error instanceof FlTaskError)) throw error;
    return {
      round: t.round,
      verdict: 'unverifiable',
      reason: `distance (${pair.a}, ${pair.b}) is wrong but its prefix sums are not at hand: ${error.message}`,
    };
  }
  const parted = sums.findIndex((s, e) => s !== pair.prefix[e]);
  const element = parted >= 0 ? parted : elementCount - 1;
  const prefix = prefixTree(sums);
  const byIndex = new Map(counted.map((u) => [u.update.index, u.elements]));
  const a = byIndex.get(pair.a)!;
  const b = byIndex.get(pair.b)!;
  const challenge = {
    position,
    a: pair.a,
    b: pair.b,
    distance: committed.distances[position]!,
    prefixRoot: committed.prefixRoots[position]!,
    leafProof: treeProof(matrixTree(committed.participants, committed.distances, committed.prefixRoots), position),
    element,
    valueA: a[element]!,
    proofA: elementProof(commitWeights(a), element),
    valueB: b[element]!,
    proofB: elementProof(commitWeights(b), element),
    prefixAt: sums[element]!,
    proofAt: treeProof(prefix, element),
    prefixBefore: element > 0 ? sums[element - 1]! : 0n,
    proofBefore: element > 0 ? treeProof(prefix, element - 1) : [],
  };
  const transactionHash = await selectionWrite(
    ctx,
    `Challenging distance (${pair.a}, ${pair.b}) of the round ${t.round} Krum post of task ${t.taskId}`,
    'challengeDistance',
    [t.taskId, challenge],
  );
  return { round: t.round, verdict: 'selection-challenged', kind: 'distance', pair: [pair.a, pair.b], element, transactionHash };
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
