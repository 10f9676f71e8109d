// Answering demands of the availability game (docs/fl.md, "Data availability: demand and
// open"). Anyone may demand that one element of an included update, or of the aggregate,
// be opened on chain; whoever holds the blob answers with the value and its Merkle path
// before the deadline and takes the demander's bond. A participant answers demands on
// its own updates, the aggregator on its aggregate and, as a backup once half the answer
// window is gone, on the updates it included (it holds every blob it aggregated). An
// unanswered demand costs the committer its stake and voids the round, so each party
// keeps what it committed in its own `kept` store, on disk, across restarts.
import type { Hex } from 'viem';
import { parseIpfsUri, type BlockStore } from '../../store/index.ts';
import { commitWeights, elementProof } from '../commitment.ts';
import { getWeights, putWeights, type WeightBlob } from './blob.ts';
import { AGGREGATE_TARGET, committedUpdates, gameWrite, participantOf, postedAggregates, taskDemands, type DemandView, type FlContext } from './chain.ts';
import { FlTaskError } from './errors.ts';
import { syncTask } from './sync.ts';

/** The stores a party reads its own blobs from: its kept copies first, then the shared store. */
const storesOf = (ctx: FlContext): BlockStore[] => (ctx.kept ? [ctx.kept, ctx.store] : [ctx.store]);

/** Puts a blob the party commits to (or aggregated) in the shared store (unless `share` is false) and in its kept copies. */
export async function keepWeights(ctx: FlContext, blob: WeightBlob, options: { share?: boolean } = {}): Promise<string> {
  const stores = [...(options.share === false ? [] : [ctx.store]), ...(ctx.kept ? [ctx.kept] : [])];
  if (stores.length === 0) throw new FlTaskError('FL_BLOB_MISSING', 'A blob kept out of the shared store needs a kept store to live in.');
  let uri = '';
  for (const store of stores) uri = await putWeights(store, blob);
  return uri;
}

/** Copies the block at `uri` from the shared store into the party's kept copies, byte for byte. */
export async function keepBlock(ctx: FlContext, uri: string): Promise<void> {
  if (!ctx.kept) return;
  const cid = parseIpfsUri(uri);
  if (!(await ctx.kept.has(cid)) && (await ctx.store.has(cid))) await ctx.kept.putBlock(cid, await ctx.store.getBlock(cid));
}

/** The blob at `cid` from the party's own stores, checked against its root; undefined when it holds none that matches. */
export async function ownBlob(ctx: FlContext, cid: string, expected: { root: string; elementCount: number }): Promise<bigint[] | undefined> {
  for (const store of storesOf(ctx)) {
    try {
      return (await getWeights(store, cid, expected)).elements;
    } catch (error) {
      if (!(error instanceof FlTaskError)) throw error;
    }
  }
  return undefined;
}

export type Answer = { demandId: bigint; round: number; target: number; index: number; value: bigint; transactionHash: Hex };

export type AnswerOptions = {
  /** The aggregator: answers demands on its aggregate, and on included updates once half the answer window is gone. */
  asAggregator?: boolean;
};

/** Answers every pending demand this party can and should answer; returns what it opened. */
export async function answerDemands(ctx: FlContext, taskId: bigint, options: AnswerOptions = {}): Promise<Answer[]> {
  const t = await syncTask(ctx, taskId);
  const pending = (await taskDemands(ctx, taskId)).filter((d) => d.status === 'Pending' && d.deadline > t.now);
  if (pending.length === 0) return [];
  const me = ctx.connection.account.address;
  const self = await participantOf(ctx, taskId, me);
  const half = BigInt(t.config.challengeWindow) / 2n;
  const mine = (d: DemandView) => {
    if (options.asAggregator) return d.target === AGGREGATE_TARGET || t.now >= d.deadline - BigInt(t.config.challengeWindow) + half;
    return self.status !== 0 && d.target === self.index;
  };
  const answers: Answer[] = [];
  for (const d of pending.filter(mine)) {
    const source = await demandedBlob(ctx, taskId, d);
    if (!source) continue;
    const elements = await ownBlob(ctx, source.cid, { root: source.root, elementCount: t.config.elementCount });
    if (!elements) continue;
    const proof = elementProof(commitWeights(elements), d.index);
    const transactionHash = await gameWrite(ctx, `Answering demand ${d.demandId} of task ${taskId}`, 'answerDemand', [d.demandId, elements[d.index]!, proof]);
    answers.push({ demandId: d.demandId, round: d.round, target: d.target, index: d.index, value: elements[d.index]!, transactionHash });
  }
  return answers;
}

/** The CID and root a demand opens: the target's committed update, or the aggregate of the post it was made against. */
async function demandedBlob(ctx: FlContext, taskId: bigint, d: DemandView): Promise<{ cid: string; root: Hex } | undefined> {
  if (d.target === AGGREGATE_TARGET) {
    const posts = (await postedAggregates(ctx, taskId)).filter((p) => p.round === d.round);
    const post = posts[d.post - 1];
    return post && { cid: post.cid, root: post.root };
  }
  const update = (await committedUpdates(ctx, taskId, d.round)).find((u) => u.index === d.target);
  return update && { cid: update.cid, root: update.root };
}
