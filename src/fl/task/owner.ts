// The task owner's side: create a task (the initial model put in the store, the
// validation set committed, the reward pool escrowed), score each final round by
// leave-one-out on the validation rows (src/fl/contribution.ts) so the pool pays what
// each update added, and at the end close the task and publish the final model as a
// model package through the task's ContributorRoyalties account: from then on every
// paid call of the model pays royalties to the data contributors.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEventLogs, zeroHash, type Address, type Hex } from 'viem';
import { federatedTrainingAbi } from '../../chain/generated/FederatedTraining.ts';
import type { Dataset } from '../../train/datasets.ts';
import { exportOnnx } from '../../train/export-onnx.ts';
import { prepareData } from '../../train/prepare-data.ts';
import { Xoshiro128 } from '../../train/prng.ts';
import { trainingStreamOffset } from '../../train/train-model.ts';
import { flStrategyIds, type FlStrategy } from '../aggregate-element.ts';
import { parameterEvaluator } from '../client/evaluate-parameters.ts';
import { getFlatParameters, setFlatParameters } from '../client/network-parameters.ts';
import { commitWeights } from '../commitment.ts';
import { leaveOneOutContribution, type Contribution } from '../contribution.ts';
import { fromFixed, toFixed } from '../strategies/parameters.ts';
import { aggregateUpdates, strategyName } from './aggregate.ts';
import { collectUpdates } from './aggregator.ts';
import { getWeights, putWeights } from './blob.ts';
import { privacyFields, type PrivacyOptions } from './privacy.ts';
import { approveCoordinator, chainNow, flWrite, modelCidBefore, postedAggregates, readRound, readTask, roundStatuses, type FlContext } from './chain.ts';
import { FlTaskError } from './errors.ts';
import { elementCountOf, taskModel, validationSet } from './model.ts';
import { syncTask } from './sync.ts';

export type CreateTaskOptions = {
  model: string;
  strategy?: FlStrategy;
  trimBetaBps?: number;
  rounds: number;
  quorum: number;
  maxParticipants?: number;
  /** Seconds from now until round 1 starts (joins close then). */
  startsIn: number;
  submitWindow: number;
  aggregateWindow: number;
  challengeWindow: number;
  rewardPool: bigint;
  joinStake: bigint;
  aggregator: Address;
  aggregatorStake: bigint;
  royaltyBps: number;
  /** Differential privacy: the epsilon budget and the parameters every participant applies. */
  dp?: PrivacyOptions;
  /** Current chain time (tests warp it); default the latest block's. */
  now?: bigint;
};

/** Creates the task; returns its id and the initial model's CID. */
export async function createTask(ctx: FlContext, o: CreateTaskOptions): Promise<{ taskId: bigint; initialCid: string }> {
  const spec = taskModel(o.model);
  const strategy = o.strategy ?? 'FedAvg';
  strategyName(flStrategyIds[strategy]);
  const privacy = privacyFields(o.dp, o.rounds);
  const net = spec.build(new Xoshiro128(spec.seed + trainingStreamOffset));
  const elements = toFixed(getFlatParameters(net)).map((q) => BigInt(q));
  const initialCid = await putWeights(ctx.store, { model: spec.name, elements });
  const now = o.now ?? (await chainNow(ctx));
  const config = {
    initialRoot: commitWeights(elements).root,
    elementCount: elementCountOf(spec),
    strategy: flStrategyIds[strategy],
    trimBetaBps: o.trimBetaBps ?? 0,
    krumByzantine: 0,
    krumSelect: 0,
    proximalMuMicros: 0,
    rounds: o.rounds,
    quorum: o.quorum,
    maxParticipants: o.maxParticipants ?? 32,
    startsAt: now + BigInt(o.startsIn),
    submitWindow: o.submitWindow,
    aggregateWindow: o.aggregateWindow,
    challengeWindow: o.challengeWindow,
    rewardPool: o.rewardPool,
    joinStake: o.joinStake,
    aggregator: o.aggregator,
    aggregatorStake: o.aggregatorStake,
    allowlistRoot: zeroHash,
    validationCommitment: validationSet(spec).commitment,
    royaltyBps: o.royaltyBps,
    ...privacy,
  };
  await approveCoordinator(ctx, o.rewardPool);
  const hash = await flWrite(ctx, 'Creating the federated task', 'createTask', [config, initialCid]);
  const receipt = await ctx.connection.publicClient.getTransactionReceipt({ hash });
  const [created] = parseEventLogs({ abi: federatedTrainingAbi, logs: receipt.logs, eventName: 'TaskCreated' });
  return { taskId: created!.args.taskId, initialCid };
}

export type RoundScore = { round: number; contributions: Contribution[]; participants: number[]; accuracy: number; loss: number };

/** Validation accuracy and loss of a model blob. */
export async function evaluateModel(ctx: FlContext, cid: string, root: Hex, elementCount: number, validation?: Dataset) {
  const blob = await getWeights(ctx.store, cid, { root, elementCount });
  const spec = taskModel(blob.model);
  return parameterEvaluator(spec.build, validation ?? validationSet(spec).data)(blob.elements.map(Number));
}

/**
 * Posts contribution scores for every final round not scored yet: leave-one-out on the
 * validation rows, in validation rows gained (clipped at zero), over the updates the
 * aggregate included. Returns what it posted.
 */
export async function scoreRounds(ctx: FlContext, taskId: bigint): Promise<RoundScore[]> {
  const { config, state } = await syncTask(ctx, taskId);
  const strategy = strategyName(config.strategy);
  const posted = await postedAggregates(ctx, taskId);
  const out: RoundScore[] = [];
  for (let r = 1; r <= state.currentRound; r++) {
    const rd = await readRound(ctx, taskId, r);
    if (roundStatuses[rd.status] !== 'Final' || rd.scored) continue;
    const post = posted.filter((p) => p.round === r).at(-1)!;
    const excluded = new Set(post.excluded);
    const { included } = await collectUpdates(ctx, taskId, r, config.elementCount);
    const counted = included.filter((u) => !excluded.has(u.update.index));
    const global = await modelCidBefore(ctx, taskId, r);
    const start = await getWeights(ctx.store, global.cid, { root: global.root, elementCount: config.elementCount });
    const spec = taskModel(start.model);
    const evaluate = parameterEvaluator(spec.build, validationSet(spec).data);
    const examples = new Map(counted.map((u) => [u.update.index, u.examples]));
    const contributions = leaveOneOutContribution({
      global: start.elements.map(Number),
      results: counted.map((u) => ({ client: u.update.index, parameters: u.elements.map(Number), numExamples: Number(u.examples) })),
      aggregate: (results) =>
        aggregateUpdates(
          strategy,
          config.trimBetaBps,
          results.map((x) => x.parameters.map((q) => BigInt(q))),
          results.map((x) => examples.get(x.client)!),
        ).map(Number),
      correct: (p) => evaluate(p).correct,
    });
    const participants = contributions.map((c) => c.client);
    await flWrite(ctx, `Posting the round ${r} scores of task ${taskId}`, 'postScores', [
      taskId,
      BigInt(r),
      participants,
      contributions.map((c) => BigInt(c.score)),
    ]);
    const final = evaluate((await getWeights(ctx.store, post.cid, { root: post.root, elementCount: config.elementCount })).elements.map(Number));
    out.push({ round: r, contributions, participants, accuracy: final.accuracy, loss: final.loss });
  }
  return out;
}

export type PublishedTask = { modelId: Hex; royalties: Address; packageDir: string; metadataURI: string; accuracy: number };

/**
 * After the last round: closes the task and publishes its final model. The final
 * weights are exported as ONNX (src/train/export-onnx.ts), imported as a model package
 * with the validation rows as calibration rows and the model's preprocessing, added to
 * the store, and published by the coordinator through the task's royalty account.
 */
export async function finishTask(ctx: FlContext, taskId: bigint, workDir: string): Promise<PublishedTask> {
  const { config, state } = await syncTask(ctx, taskId);
  if (state.finishedAt === 0n) throw new FlTaskError('FL_TASK_NOT_FINISHED', `Task ${taskId} has not finished its last round yet.`);
  if (!state.closed) await flWrite(ctx, `Closing task ${taskId}`, 'closeTask', [taskId]);
  const final = await modelCidBefore(ctx, taskId, config.rounds + 1);
  const blob = await getWeights(ctx.store, final.cid, { root: final.root, elementCount: config.elementCount });
  const spec = taskModel(blob.model);
  const net = spec.build(new Xoshiro128(0));
  setFlatParameters(net, fromFixed(blob.elements.map(Number)));
  const dir = join(workDir, `task-${taskId}`);
  mkdirSync(dir, { recursive: true });
  const name = `fl-task-${taskId}-${spec.name}`;
  writeFileSync(join(dir, 'model.onnx'), exportOnnx(net, { opset: spec.opset, form: spec.form, graphName: name }));
  const prepared = prepareData(spec);
  const validation = validationSet(spec).data;
  const rows = (d: Dataset) =>
    `${Array.from({ length: d.rows }, (_, r) => Array.from(d.x.subarray(r * d.features, (r + 1) * d.features)).join(',')).join('\n')}\n`;
  // The owner holds its validation rows only; they calibrate the fixed-point artifact.
  writeFileSync(join(dir, 'calibration.csv'), rows(validation));
  writeFileSync(join(dir, 'eval.csv'), rows(validation));
  writeFileSync(join(dir, 'labels.csv'), `${Array.from(validation.y).join('\n')}\n`);
  writeFileSync(join(dir, 'preprocess.json'), `${JSON.stringify(prepared.preprocess, null, 2)}\n`);
  const { importModel } = await import('../../models/import-model.ts');
  const { packageVersion } = await import('../../version.ts');
  const imported = await importModel({
    onnxFile: join(dir, 'model.onnx'),
    calibrationFile: join(dir, 'calibration.csv'),
    evalFile: join(dir, 'eval.csv'),
    labelsFile: join(dir, 'labels.csv'),
    preprocessFile: join(dir, 'preprocess.json'),
    name,
    classLabels: spec.classLabels,
    licence: 'NOASSERTION',
    outDir: join(dir, 'package'),
    toolVersion: packageVersion,
  });
  const { storeModelPackage } = await import('../../models/package/travel.ts');
  const pkg = await storeModelPackage(ctx.store, imported.package.dir);
  if (!state.published) {
    await flWrite(ctx, `Publishing the final model of task ${taskId}`, 'publishModel', [
      taskId,
      pkg.contentHash,
      pkg.weightCommitment,
      pkg.shape,
      pkg.metadataURI,
    ]);
  }
  const after = (await readTask(ctx, taskId)).state;
  return {
    modelId: after.modelId,
    royalties: after.royalties,
    packageDir: imported.package.dir,
    metadataURI: pkg.metadataURI,
    accuracy: imported.evaluation?.fixedAccuracy ?? Number.NaN,
  };
}
