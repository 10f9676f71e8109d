// A federated task end to end on a real local network (anvil, gateway, providers):
// three data owners train the breast-cancer model for two rounds through the SDK
// (src/fl/task), every party lying where it can. A participant whose blob does not
// match its committed root is excluded and earns nothing; a lying aggregator's
// aggregate is recomputed by the watcher from the store, challenged by one element and
// slashed, and the honest repost stands; a participant that drops in round 2 does not
// stall it (quorum 2). The final model is published through the task's royalty
// account, served by a provider that fetches it by CID, and a paid call of it pays
// royalties that only the contributors can claim. The CLI refuses bad input by name.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createTestClient, http } from 'viem';
import { connectDevSigner } from '../src/chain/connect.ts';
import { trellisTokenAbi } from '../src/chain/generated/TrellisToken.ts';
import { tokens } from '../src/chain/parameters.ts';
import { TrellisError } from '../src/errors.ts';
import { fundLocalAccount } from '../src/fl/task/accounts.ts';
import { aggregatorStep, stakeAggregator } from '../src/fl/task/aggregator.ts';
import { claimableOf, readRound, readTask, roundStatuses, type FlContext } from '../src/fl/task/chain.ts';
import { dataFileText, readDataFile, taskModel } from '../src/fl/task/model.ts';
import { createTask, finishTask, scoreRounds } from '../src/fl/task/owner.ts';
import { participantStep, withdrawParticipantStake } from '../src/fl/task/participant.ts';
import { claimEarnings, taskEarnings } from '../src/fl/task/rewards.ts';
import { serveTaskModel, type ServedTaskModel } from '../src/fl/task/serve.ts';
import { watcherStep } from '../src/fl/task/watcher.ts';
import { iidPartition } from '../src/fl/client/partition.ts';
import { runFlJoin } from '../src/cli/commands/fl.ts';
import { localRoles } from '../src/network/roles.ts';
import { TrellisClient } from '../src/sdk/client.ts';
import { loadDataset } from '../src/train/models.ts';
import { prepareData } from '../src/train/prepare-data.ts';
import { selectRows } from '../src/train/split.ts';
import { BlockStore } from '../src/store/index.ts';
import { startTestNetwork, type TestNetwork } from './support/network.ts';

const WINDOW = 60;
const POOL = tokens('90');
const JOIN_STAKE = tokens('5');
const AGG_STAKE = tokens('20');
const spec = taskModel('breast-cancer-mlp');
const refused = (code: string) => (error: unknown) => error instanceof TrellisError && error.code === code;

describe('a federated task on the local network', () => {
  let net: TestNetwork;
  let scratch: string;
  let store: BlockStore;
  let owner: FlContext;
  let aggregator: FlContext;
  let watcher: FlContext;
  let people: FlContext[];
  let served: ServedTaskModel | undefined;
  let taskId: bigint;
  const dataFiles: string[] = [];

  const ctxOf = async (index: number): Promise<FlContext> => ({
    connection: await connectDevSigner(net.chain.rpcUrl, index),
    deployment: net.chain.deployment,
    store,
  });
  const warpBy = async (seconds: number) => {
    const latest = await owner.connection.publicClient.getBlock();
    const wall = BigInt(Math.floor(Date.now() / 1000));
    const base = latest.timestamp > wall ? latest.timestamp : wall;
    const testClient = createTestClient({ mode: 'anvil', transport: http(net.chain.rpcUrl) });
    await testClient.setNextBlockTimestamp({ timestamp: base + BigInt(seconds) });
    await testClient.mine({ blocks: 1 });
  };
  const balance = (ctx: FlContext) =>
    ctx.connection.publicClient.readContract({
      address: net.chain.deployment.contracts.token,
      abi: trellisTokenAbi,
      functionName: 'balanceOf',
      args: [ctx.connection.account.address],
    });

  before(async () => {
    net = await startTestNetwork();
    scratch = mkdtempSync(join(tmpdir(), 'trellis-fl-network-'));
    store = await BlockStore.open(join(scratch, 'store'));
    const deployer = await connectDevSigner(net.chain.rpcUrl, localRoles.deployer);
    owner = await ctxOf(localRoles.modelOwner);
    aggregator = await ctxOf(6);
    watcher = await ctxOf(0);
    people = await Promise.all([21, 22, 23].map(ctxOf));
    for (const who of [aggregator, ...people]) await fundLocalAccount(deployer, net.chain.deployment, who.connection.account.address, tokens('100'));
    const train = prepareData(spec).train;
    iidPartition(train.rows, 3, 7).forEach((rows, k) => {
      const file = join(scratch, `hospital-${k + 1}.csv`);
      writeFileSync(file, dataFileText(selectRows(train, rows)));
      dataFiles.push(file);
    });
  });
  after(async () => {
    await served?.stop();
    await net?.dispose();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  test('the CLI refuses a join without stake, an unknown task and a data file of the wrong width', async () => {
    const { taskId: id } = await createTask(owner, {
      model: spec.name,
      rounds: 2,
      quorum: 2,
      startsIn: 3 * WINDOW,
      submitWindow: WINDOW,
      aggregateWindow: WINDOW,
      challengeWindow: WINDOW,
      rewardPool: POOL,
      joinStake: JOIN_STAKE,
      aggregator: aggregator.connection.account.address,
      aggregatorStake: AGG_STAKE,
      royaltyBps: 1000,
    });
    taskId = id;
    const context = (ctx: FlContext) => ({ connection: ctx.connection, deployment: net.chain.deployment, gatewayUrl: net.gatewayUrl, dataDir: scratch });
    const broke = await ctxOf(24);
    const silent = () => {};
    await assert.rejects(runFlJoin(String(taskId), { data: dataFiles[0]!, store: store.dir }, context(broke), silent), refused('FL_STAKE_MISSING'));
    await assert.rejects(runFlJoin('99', { data: dataFiles[0]!, store: store.dir }, context(people[0]!), silent), refused('FL_UNKNOWN_TASK'));
    const wide = join(scratch, 'wide.csv');
    writeFileSync(wide, `${Array.from({ length: 31 }, () => '0.5').join(',')},1\n`);
    await assert.rejects(runFlJoin(String(taskId), { data: wide, store: store.dir }, context(people[0]!), silent), refused('FL_DATA_WIDTH'));
    assert.equal((await readTask(owner, taskId)).state.participantCount, 0, 'nobody joined');
    assert.equal(await balance(broke), 0n, 'nothing was charged');
  });

  test('two rounds run; a mismatched blob is excluded, a wrong aggregate slashed, a dropped participant does not stall the round', async () => {
    const context = (ctx: FlContext) => ({ connection: ctx.connection, deployment: net.chain.deployment, gatewayUrl: net.gatewayUrl, dataDir: scratch });
    for (const [k, who] of people.entries()) await runFlJoin(String(taskId), { data: dataFiles[k]!, store: store.dir }, context(who), () => {});
    await stakeAggregator(aggregator, taskId, AGG_STAKE);
    const data = dataFiles.map((f) => readDataFile(f, spec).data);
    await warpBy(3 * WINDOW);

    // Round 1: participant 2 commits to one vector and uploads another.
    for (const [k, who] of people.entries()) {
      const tamperBlob = k === 2 ? (e: bigint[]) => e.map((v, i) => (i === 0 ? v + 65536n : v)) : undefined;
      const sent = await participantStep(who, taskId, { data: data[k]!, epochs: 2, seed: k + 1, tamperBlob });
      assert.equal(sent?.round, 1);
    }
    await warpBy(WINDOW);
    // A lying aggregator moves one element of the aggregate.
    const lie = await aggregatorStep(aggregator, taskId, { tamper: (e) => e.map((v, i) => (i === 7 ? v + 1000n : v)) });
    assert.deepEqual(lie?.included, [0, 1]);
    assert.deepEqual(
      lie?.refused.map((r) => [r.update.index, r.error.code]),
      [[2, 'FL_BLOB_MISMATCH']],
    );
    const watcherBefore = await claimableOf(watcher, watcher.connection.account.address);
    const verdict = await watcherStep(watcher, taskId);
    assert.equal(verdict?.verdict, 'challenged');
    assert.equal(verdict?.verdict === 'challenged' && verdict.index, 7);
    const afterSlash = await claimableOf(watcher, watcher.connection.account.address);
    assert.equal(afterSlash - watcherBefore, AGG_STAKE / 2n, 'half the aggregator stake to the watcher');
    assert.equal((await readTask(owner, taskId)).state.aggregatorStaked, false, 'the aggregator lost its stake');

    // The aggregator stakes again and posts the honest aggregate, which stands.
    await stakeAggregator(aggregator, taskId, AGG_STAKE);
    const honest = await aggregatorStep(aggregator, taskId);
    assert.equal(honest?.round, 1);
    assert.equal((await watcherStep(watcher, taskId))?.verdict, 'correct');
    await warpBy(WINDOW);
    const [scored1] = await scoreRounds(owner, taskId);
    assert.equal(scored1?.round, 1);
    assert.deepEqual(scored1?.participants, [0, 1], 'the excluded update is not scored');
    assert.ok(
      scored1!.contributions.some((c) => c.score > 0),
      `some update improved the model: ${JSON.stringify(scored1)}`,
    );

    // Round 2: participant 2 drops; the round closes with the two updates it has.
    for (const k of [0, 1]) assert.equal((await participantStep(people[k]!, taskId, { data: data[k]!, epochs: 2, seed: k + 1 }))?.round, 2);
    await warpBy(WINDOW);
    assert.deepEqual((await aggregatorStep(aggregator, taskId))?.included, [0, 1]);
    assert.equal((await watcherStep(watcher, taskId))?.verdict, 'correct');
    await warpBy(WINDOW);
    const [scored2] = await scoreRounds(owner, taskId);
    assert.equal(scored2?.round, 2);
    for (const r of [1, 2]) assert.equal(roundStatuses[(await readRound(owner, taskId, r)).status], 'Final');
    assert.notEqual((await readTask(owner, taskId)).state.finishedAt, 0n, 'the task finished');

    const earned = await taskEarnings(owner, taskId);
    assert.equal(earned[2]!.roundRewards, 0n, 'the participant with a mismatched blob earns nothing');
    assert.equal(earned[2]!.shares, 0n, 'and holds no royalty share');
    assert.ok(earned[0]!.roundRewards + earned[1]!.roundRewards > 0n, 'the honest participants were paid');
    assert.ok(earned[0]!.roundRewards + earned[1]!.roundRewards <= POOL + AGG_STAKE / 2n, 'never more than the pool and the slash');
  });

  test('the final model is published, served and paid for; royalties go to the contributors only', async () => {
    const published = await finishTask(owner, taskId, join(scratch, 'owner'));
    assert.match(published.metadataURI, /^ipfs:\/\//);
    assert.ok(published.accuracy > 0.8, `final fixed-point accuracy ${published.accuracy}`);
    for (const who of people) await withdrawParticipantStake(who, taskId);

    const providerSigner = await connectDevSigner(net.chain.rpcUrl, 25);
    const deployer = await connectDevSigner(net.chain.rpcUrl, localRoles.deployer);
    await fundLocalAccount(deployer, net.chain.deployment, providerSigner.account.address, tokens('1000'));
    served = await serveTaskModel({
      connection: providerSigner,
      deployment: net.chain.deployment,
      store,
      modelId: published.modelId,
      price: tokens('0.5'),
      stake: tokens('500'),
      dataDir: join(scratch, 'model-provider'),
    });
    assert.deepEqual(
      served.provider.models.map((m) => m.modelId),
      [published.modelId],
    );
    const client = new TrellisClient({
      connection: await net.signer(localRoles.client),
      deployment: net.chain.deployment,
      dataDir: join(scratch, 'client'),
      modelsDir: join(scratch, 'no-models'),
      storeSources: [{ kind: 'gateway', url: served.storeUrl }],
    });
    mkdirSync(join(scratch, 'no-models'), { recursive: true });
    const rows = loadDataset(spec.dataset);
    const raw = Array.from(rows.x.subarray(0, rows.features));
    const result = await client.infer({ model: published.modelId, input: raw, providerUrl: served.provider.url });
    assert.equal(result.receipts.length, 1);
    await served.provider.redeemNow();

    const earned = await taskEarnings(owner, taskId);
    assert.ok(earned[0]!.royaltiesClaimable + earned[1]!.royaltiesClaimable > 0n, 'the paid call earned the contributors royalties');
    assert.equal(earned[2]!.royaltiesClaimable, 0n);
    const before0 = await balance(people[0]!);
    const claimed = await claimEarnings(people[0]!, taskId);
    assert.equal((await balance(people[0]!)) - before0, claimed.coordinator + claimed.royalties);
    assert.ok(claimed.royalties > 0n);
    const nothing = await claimEarnings(people[2]!, taskId);
    assert.equal(nothing.royalties, 0n, 'the excluded participant has no royalties to claim');
  });
});
