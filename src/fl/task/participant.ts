// A data owner's side of a task: join with the stake and a commitment to the local rows,
// then in each round fetch the global model by CID, train on the local rows
// (src/fl/client/local-training.ts), put the update blob in the store and commit its
// root and CID inside the submit window. In a private task the update is clipped and
// noised with the committed parameters first (src/fl/task/privacy.ts). The rows never
// leave the data owner.
import type { Hex } from 'viem';
import { trellisTokenAbi } from '../../chain/generated/TrellisToken.ts';
import { formatTokens } from '../../chain/human-units.ts';
import type { Dataset } from '../../train/datasets.ts';
import { trainLocal } from '../client/local-training.ts';
import { commitWeights } from '../commitment.ts';
import { getWeights } from './blob.ts';
import { approveCoordinator, committedUpdates, flWrite, modelCidBefore, participantOf, readTask, roundsSubmittedBy, type FlContext } from './chain.ts';
import { FlTaskError } from './errors.ts';
import { taskModel } from './model.ts';
import { privatizeUpdate, taskPrivacy, type PrivacyRequest } from './privacy.ts';
import { keepWeights } from './openings.ts';
import { syncTask } from './sync.ts';

const ACTIVE = 1;

/** Joins `taskId` with the join stake, committing to the rows' count and hash. */
export async function joinTask(ctx: FlContext, taskId: bigint, data: { rows: number; datasetHash: Hex }): Promise<{ index: number }> {
  const { config } = await readTask(ctx, taskId);
  const me = ctx.connection.account.address;
  const balance = await ctx.connection.publicClient.readContract({
    address: ctx.deployment.contracts.token,
    abi: trellisTokenAbi,
    functionName: 'balanceOf',
    args: [me],
  });
  if (balance < config.joinStake) {
    throw new FlTaskError(
      'FL_STAKE_MISSING',
      `Joining task ${taskId} needs a stake of ${formatTokens(config.joinStake)}; ${me} holds ${formatTokens(balance)}.`,
      {
        details: ['every participant stakes, so that identities cost something; fund the account first', 'nothing was sent'],
      },
    );
  }
  await approveCoordinator(ctx, config.joinStake);
  await flWrite(ctx, `Joining task ${taskId}`, 'join', [taskId, BigInt(data.rows), data.datasetHash, '0x', []]);
  return { index: (await participantOf(ctx, taskId, me)).index };
}

export type ParticipantOptions = {
  data: Dataset;
  epochs: number;
  /** Seeds the batch order; mixed with the round so rounds differ. */
  seed: number;
  /** Tests: changes the blob after its root is computed (a participant that lies about its update). */
  tamperBlob?: (elements: bigint[]) => bigint[];
  /** Tests: keeps the update out of the shared store (only in the participant's kept copies), so that nobody else can fetch it. */
  withholdBlob?: boolean;
  /** A private task: stricter clipping or more noise than committed (never less), and the noise source. */
  dp?: PrivacyRequest;
};

export type Submission = {
  round: number;
  root: Hex;
  cid: string;
  loss: number;
  gasUsed: bigint;
  /** A private task: the update's delta norm before clipping and the noise's standard deviation. */
  dp?: { norm: number; noiseStd: number };
};

/** Submits this round's update if the round is open and this participant has not yet; else undefined. */
export async function participantStep(ctx: FlContext, taskId: bigint, options: ParticipantOptions): Promise<Submission | undefined> {
  const me = ctx.connection.account.address;
  const t = await syncTask(ctx, taskId);
  if (t.finished || t.status !== 'Open' || t.submitEnd === undefined || t.now >= t.submitEnd) return undefined;
  const self = await participantOf(ctx, taskId, me);
  if (self.status !== ACTIVE)
    throw new FlTaskError('FL_NOT_JOINED', `${me} is not an active participant of task ${taskId}.`, {
      details: ['join before the task starts (trellis fl join)'],
    });
  const done = await committedUpdates(ctx, taskId, t.round);
  if (done.some((u) => u.index === self.index)) return undefined;

  const global = await modelCidBefore(ctx, taskId, t.round);
  const model = await getWeights(ctx.store, global.cid, { root: global.root, elementCount: t.config.elementCount });
  const spec = taskModel(model.model);
  const trained = trainLocal(model.elements.map(Number), {
    build: spec.build,
    data: options.data,
    epochs: options.epochs,
    batchSize: spec.fit.batchSize,
    learningRate: spec.fit.learningRate,
    proximalMu: t.config.proximalMuMicros / 1e6,
    seed: options.seed * 1000 + t.round,
  });
  // A private task: clipped and noised with the committed parameters before it leaves.
  const privacy = taskPrivacy(t.config);
  const released = privacy ? privatizeUpdate(trained.parameters, model.elements.map(Number), privacy, options.dp) : undefined;
  const elements = (released?.parameters ?? trained.parameters).map((q) => BigInt(q));
  const { root } = commitWeights(elements);
  const cid = await keepWeights(
    ctx,
    { model: model.model, elements: options.tamperBlob ? options.tamperBlob(elements) : elements },
    { share: !options.withholdBlob },
  );
  const hash = await flWrite(ctx, `Submitting the round ${t.round} update of task ${taskId}`, 'submitUpdate', [taskId, root, t.config.elementCount, cid]);
  const { gasUsed } = await ctx.connection.publicClient.getTransactionReceipt({ hash });
  return {
    round: t.round,
    root,
    cid,
    loss: trained.loss,
    gasUsed,
    ...(released ? { dp: { norm: released.norm, noiseStd: released.noiseStd } } : {}),
  };
}

/** After the last round: takes the stake back, naming a round this participant submitted in (else half is forfeited). */
export async function withdrawParticipantStake(ctx: FlContext, taskId: bigint): Promise<void> {
  const rounds = await roundsSubmittedBy(ctx, taskId, ctx.connection.account.address);
  await flWrite(ctx, `Withdrawing the stake of task ${taskId}`, 'withdrawStake', [taskId, BigInt(rounds[0] ?? 0)]);
}
