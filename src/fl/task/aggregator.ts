// The aggregator's side of a round: after the submit window, fetch every committed
// update by its CID, check each blob against its committed root (a blob that is
// missing or does not match is excluded, by name, and earns nothing), aggregate the
// rest with the task's rule, put the aggregate in the store and post its root and CID.
// Every blob it aggregated it also keeps (src/fl/task/openings.ts): by including an update
// it claims to hold it, and a demand on it that nobody answers costs the aggregator its stake.
// For Krum and MultiKrum it also computes the distance matrix of the included updates,
// selects from it, averages the selection and posts the matrix with its blobs, which is
// what makes a wrong selection challengeable (src/fl/distances.ts, FlSelection.sol).
import type { Hex } from 'viem';
import { commitWeights } from '../commitment.ts';
import { buildMatrix, distanceMatrix, krumSelection, type DistanceMatrix, type PairDistance } from '../distances.ts';
import { aggregateUpdates, isKrum, krumSelectCount, strategyName } from './aggregate.ts';
import { putDistances } from './distance-blob.ts';
import { getWeights } from './blob.ts';
import { approveCoordinator, committedUpdates, flWrite, modelCidBefore, participantOf, selectionWrite, type CommittedUpdate, type FlContext } from './chain.ts';
import { FlTaskError } from './errors.ts';
import { keepBlock, keepWeights } from './openings.ts';
import { syncTask } from './sync.ts';

export type Included = { update: CommittedUpdate; elements: bigint[]; examples: bigint };
export type Refused = { update: CommittedUpdate; error: FlTaskError };

/** The round's committed updates, split into those whose blobs check out (in the party's kept copies or the shared store) and those refused. */
export async function collectUpdates(
  ctx: FlContext,
  taskId: bigint,
  round: number,
  elementCount: number,
): Promise<{ included: Included[]; refused: Refused[] }> {
  const included: Included[] = [];
  const refused: Refused[] = [];
  for (const update of await committedUpdates(ctx, taskId, round)) {
    let blob: { elements: bigint[] } | undefined;
    let failure: FlTaskError | undefined;
    for (const store of ctx.kept ? [ctx.kept, ctx.store] : [ctx.store]) {
      try {
        blob = await getWeights(store, update.cid, { root: update.root, elementCount });
        break;
      } catch (error) {
        if (!(error instanceof FlTaskError)) throw error;
        failure ??= error;
        if (store === ctx.store) failure = error;
      }
    }
    if (blob) included.push({ update, elements: blob.elements, examples: (await participantOf(ctx, taskId, update.account)).examples });
    else refused.push({ update, error: failure! });
  }
  return { included, refused };
}

export type AggregatorOptions = {
  /** Tests: a lying aggregator changes the aggregate before committing to it. */
  tamper?: (elements: bigint[]) => bigint[];
  /** Tests (Krum): a lying aggregator changes distances or prefix sums; it then selects by the changed matrix. */
  tamperDistances?: (pairs: Omit<PairDistance, 'prefixRoot'>[]) => void;
  /** Tests (Krum): a lying aggregator records another selection than its matrix gives. */
  tamperSelection?: (selected: number[]) => number[];
};

export type Posted = { round: number; root: Hex; cid: string; included: number[]; refused: Refused[]; selected: number[] };

/** Posts the round's aggregate once its submit window is over; undefined when there is nothing to do yet. */
export async function aggregatorStep(ctx: FlContext, taskId: bigint, options: AggregatorOptions = {}): Promise<Posted | undefined> {
  const t = await syncTask(ctx, taskId);
  if (t.finished || t.status !== 'Open' || t.submitEnd === undefined || t.now < t.submitEnd) return undefined;
  if (!t.roundState || t.roundState.submissions < t.config.quorum) return undefined;
  const strategy = strategyName(t.config.strategy);
  const { included, refused } = await collectUpdates(ctx, taskId, t.round, t.config.elementCount);
  if (included.length < t.config.quorum) return undefined;
  const global = await modelCidBefore(ctx, taskId, t.round);
  const { model } = await getWeights(ctx.store, global.cid, { root: global.root, elementCount: t.config.elementCount });
  const participants = included.map((u) => u.update.index);
  let selected: number[] = [];
  let matrix: DistanceMatrix | undefined;
  let averaged = included;
  if (isKrum(strategy)) {
    matrix = distanceMatrix(
      participants,
      included.map((u) => u.elements),
    );
    if (options.tamperDistances) {
      const pairs = matrix.pairs.map((p) => ({ a: p.a, b: p.b, distance: p.distance, prefix: [...p.prefix] }));
      options.tamperDistances(pairs);
      matrix = buildMatrix(participants, pairs);
    }
    const m = krumSelectCount(strategy, t.config.krumSelect);
    selected = krumSelection(
      participants,
      matrix.pairs.map((p) => p.distance),
      t.config.krumByzantine,
      m,
    );
    if (options.tamperSelection) selected = options.tamperSelection(selected);
    averaged = included.filter((u) => selected.includes(u.update.index));
  }
  const honest = aggregateUpdates(
    strategy,
    t.config.trimBetaBps,
    averaged.map((u) => u.elements),
    averaged.map((u) => u.examples),
  );
  const elements = options.tamper ? options.tamper(honest) : honest;
  const { root } = commitWeights(elements);
  for (const u of included) await keepBlock(ctx, u.update.cid);
  const cid = await keepWeights(ctx, { model, elements });
  // Krum: the matrix is committed to the selection game first, for this very post.
  if (matrix) await commitMatrix(ctx, taskId, t.round, matrix);
  const excluded = refused.map((r) => r.update.index).sort((a, b) => a - b);
  await flWrite(ctx, `Posting the round ${t.round} aggregate of task ${taskId}`, 'postAggregate', [taskId, root, cid, excluded, selected]);
  return { round: t.round, root, cid, included: participants, refused, selected };
}

/** Puts the matrix blobs in the shared store and the kept copies and commits the matrix for the next post. */
async function commitMatrix(ctx: FlContext, taskId: bigint, round: number, matrix: DistanceMatrix): Promise<void> {
  const cid = await putDistances(ctx.kept ? [ctx.store, ctx.kept] : [ctx.store], matrix);
  await selectionWrite(ctx, `Committing the round ${round} distance matrix of task ${taskId}`, 'commitDistances', [
    taskId,
    matrix.participants,
    matrix.pairs.map((p) => p.distance),
    matrix.pairs.map((p) => p.prefixRoot),
    cid,
  ]);
}

/** The aggregator puts in its stake once (approved first). */
export async function stakeAggregator(ctx: FlContext, taskId: bigint, stake: bigint): Promise<void> {
  await approveCoordinator(ctx, stake);
  await flWrite(ctx, `Staking as the aggregator of task ${taskId}`, 'stakeAggregator', [taskId]);
}
