// The availability game on a real chain (anvil, the deployed coordinator and its game),
// through the SDK of every party, from the attacker's side. Round 1: participant 1 keeps
// its blob out of the shared store and hands it to a colluding aggregator, which posts
// an aggregate with one element far off; a spammer demands an element of honest
// participant 0's update. The watcher, lacking participant 1's blob, demands the element
// it suspects; the participants' clients answer (participant 0 takes the spammer's
// bond), and the watcher challenges with the opened value: the aggregator is slashed.
// Round 2: participant 2 withholds for good; the watcher's demand goes unanswered, it
// settles it, and the round is void: participant 2 and the aggregator are slashed while
// the honest keep their stakes and their round 1 rewards. `trellis fl status` lists the
// open demand while it is pending.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createTestClient, http } from 'viem';
import { startAnvil, type Anvil } from '../src/chain/anvil.ts';
import { connectDevSigner } from '../src/chain/connect.ts';
import { deployTrellis } from '../src/chain/deploy.ts';
import { trellisTokenAbi } from '../src/chain/generated/TrellisToken.ts';
import type { Deployment } from '../src/chain/manifest.ts';
import { tokens } from '../src/chain/parameters.ts';
import { runFlStatus } from '../src/cli/commands/fl.ts';
import { TrellisError } from '../src/errors.ts';
import { iidPartition } from '../src/fl/client/partition.ts';
import { fundLocalAccount } from '../src/fl/task/accounts.ts';
import { aggregatorStep, stakeAggregator } from '../src/fl/task/aggregator.ts';
import {
  approveCoordinator,
  availabilityGame,
  claimableOf,
  committedUpdates,
  demandBondOf,
  gameWrite,
  participantOf,
  readRound,
  readTask,
  roundStatuses,
  type FlContext,
} from '../src/fl/task/chain.ts';
import { taskModel } from '../src/fl/task/model.ts';
import { answerDemands } from '../src/fl/task/openings.ts';
import { createTask, scoreRounds } from '../src/fl/task/owner.ts';
import { participantStep, withdrawParticipantStake } from '../src/fl/task/participant.ts';
import { taskEarnings } from '../src/fl/task/rewards.ts';
import { syncTask } from '../src/fl/task/sync.ts';
import { watcherStep, type WatchResult } from '../src/fl/task/watcher.ts';
import { prepareData } from '../src/train/prepare-data.ts';
import { selectRows } from '../src/train/split.ts';
import { BlockStore, parseIpfsUri } from '../src/store/index.ts';

const WINDOW = 60;
const JOIN_STAKE = tokens('5');
const AGG_STAKE = tokens('20');
const SLASHED = 2;
const spec = taskModel('breast-cancer-mlp');

describe('the availability game on a local chain', () => {
  let anvil: Anvil;
  let scratch: string;
  let deployment: Deployment;
  let store: BlockStore;
  let owner: FlContext;
  let aggregator: FlContext;
  let watcher: FlContext;
  let spammer: FlContext;
  let people: FlContext[];
  let taskId: bigint;

  const ctxOf = async (index: number, kept = true): Promise<FlContext> => ({
    connection: await connectDevSigner(anvil.rpcUrl, index),
    deployment,
    store,
    ...(kept ? { kept: await BlockStore.open(join(scratch, `kept-${index}`)) } : {}),
  });
  const warpTo = async (timestamp: bigint) => {
    const testClient = createTestClient({ mode: 'anvil', transport: http(anvil.rpcUrl) });
    await testClient.setNextBlockTimestamp({ timestamp });
    await testClient.mine({ blocks: 1 });
  };
  const balance = (ctx: FlContext) =>
    ctx.connection.publicClient.readContract({
      address: deployment.contracts.token,
      abi: trellisTokenAbi,
      functionName: 'balanceOf',
      args: [ctx.connection.account.address],
    });
  /** The withholder hands its blob to the colluding aggregator privately. */
  const handOver = async (from: FlContext, round: number) => {
    const self = await participantOf(from, taskId, from.connection.account.address);
    const update = (await committedUpdates(from, taskId, round)).find((u) => u.index === self.index)!;
    const cid = parseIpfsUri(update.cid);
    assert.equal(await store.has(cid), false, 'the blob is not in the shared store');
    await aggregator.kept!.putBlock(cid, await from.kept!.getBlock(cid));
  };
  const farOff = (e: bigint[]) => e.map((v, i) => (i === 7 ? v + 5n * 65536n : v));

  before(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'trellis-fl-availability-'));
    anvil = await startAnvil({ stateDir: join(scratch, 'anvil'), port: 0 });
    const deployer = await connectDevSigner(anvil.rpcUrl, 0);
    deployment = await deployTrellis(deployer, { faucetChainId: 31337n, initialSupply: 10_000_000_000n });
    store = await BlockStore.open(join(scratch, 'store'));
    owner = await ctxOf(1, false);
    aggregator = await ctxOf(2);
    watcher = await ctxOf(3, false);
    spammer = await ctxOf(4, false);
    people = await Promise.all([5, 6, 7].map((i) => ctxOf(i)));
    for (const who of [owner, aggregator, watcher, spammer, ...people]) {
      await fundLocalAccount(deployer, deployment, who.connection.account.address, tokens('200'));
    }
  });
  after(async () => {
    await anvil?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  test('a withheld blob is opened on demand or voids the round; honest parties keep stakes and rewards', async () => {
    const created = await createTask(owner, {
      model: spec.name,
      rounds: 2,
      quorum: 3,
      startsIn: 3 * WINDOW,
      submitWindow: WINDOW,
      aggregateWindow: WINDOW,
      challengeWindow: WINDOW,
      rewardPool: tokens('90'),
      joinStake: JOIN_STAKE,
      aggregator: aggregator.connection.account.address,
      aggregatorStake: AGG_STAKE,
      royaltyBps: 1000,
    });
    taskId = created.taskId;
    const { joinTask } = await import('../src/fl/task/participant.ts');
    const train = prepareData(spec).train;
    const parts = iidPartition(train.rows, 3, 11).map((rows) => selectRows(train, rows));
    for (const [k, who] of people.entries()) await joinTask(who, taskId, { rows: parts[k]!.rows, datasetHash: `0x${String(k + 1).padStart(64, '0')}` });
    await stakeAggregator(aggregator, taskId, AGG_STAKE);
    const bond = await demandBondOf(owner, taskId);
    assert.equal(bond, JOIN_STAKE / 10n, 'a demand bonds a tenth of the join stake');
    await warpTo((await readTask(owner, taskId)).config.startsAt);

    // Round 1: participant 1 keeps its blob to itself and the aggregator.
    for (const [k, who] of people.entries()) {
      assert.equal((await participantStep(who, taskId, { data: parts[k]!, epochs: 1, seed: k + 1, withholdBlob: k === 1 }))?.round, 1);
    }
    await handOver(people[1]!, 1);
    let t = await syncTask(owner, taskId);
    await warpTo(t.submitEnd!);
    const lie = await aggregatorStep(aggregator, taskId, { tamper: farOff });
    assert.deepEqual(lie?.included, [0, 1, 2], 'the colluding aggregator includes the withheld update');

    // A spammer demands an element of honest participant 0's update.
    const game = await availabilityGame(owner);
    await approveCoordinator(spammer, bond, game);
    await gameWrite(spammer, 'Spamming a demand', 'demandOpening', [taskId, 0, 0]);

    const watcherBalance = await balance(watcher);
    const demanded = await watcherStep(watcher, taskId);
    assert.equal(
      demanded?.verdict,
      'demanded',
      JSON.stringify(demanded, (_, v) => (typeof v === 'bigint' ? String(v) : v)),
    );
    assert.deepEqual(demanded?.verdict === 'demanded' && demanded.demands, [{ target: 1, index: 7 }], 'the far-off element, of the missing update');
    assert.equal((await watcherStep(watcher, taskId))?.verdict, 'awaiting');

    const honestBefore = await balance(people[0]!);
    const answered0 = await answerDemands(people[0]!, taskId);
    assert.deepEqual(
      answered0.map((a) => [a.target, a.index]),
      [[0, 0]],
      'participant 0 answers the spam demand on its own update',
    );
    assert.equal((await balance(people[0]!)) - honestBefore, bond, 'and takes the spammer bond');
    // Participant 1's client restarted: a fresh context on the same kept store still answers.
    const restarted = await ctxOf(6);
    assert.equal((await answerDemands(restarted, taskId)).length, 1, "participant 1's client opens what it committed");

    const challenged = await watcherStep(watcher, taskId);
    assert.equal(
      challenged?.verdict,
      'challenged',
      JSON.stringify(challenged, (_, v) => (typeof v === 'bigint' ? String(v) : v)),
    );
    assert.equal(challenged?.verdict === 'challenged' && challenged.opened, 1, 'one value came from an opening');
    assert.equal((await readTask(owner, taskId)).state.aggregatorStaked, false, 'the lying aggregator lost its stake');
    assert.equal((await balance(watcher)) - watcherBalance, -bond, "the watcher's answered demand paid its bond");

    // The aggregator stakes again and posts the honest aggregate; the watcher spot-checks it.
    await stakeAggregator(aggregator, taskId, AGG_STAKE);
    assert.equal((await aggregatorStep(aggregator, taskId))?.round, 1);
    let verdict: WatchResult | undefined;
    for (let look = 0; look < 4; look++) {
      verdict = await watcherStep(watcher, taskId);
      if (verdict?.verdict === 'spot-checked' || verdict?.verdict === 'correct') break;
      await answerDemands(people[1]!, taskId);
    }
    assert.equal(verdict?.verdict, 'spot-checked');
    t = await syncTask(owner, taskId);
    await warpTo(t.settlesAt!);
    await scoreRounds(owner, taskId);
    assert.equal(roundStatuses[(await readRound(owner, taskId, 1)).status], 'Final');
    const round1 = await taskEarnings(owner, taskId);

    // Round 2: participant 2 withholds for good.
    for (const [k, who] of people.entries()) {
      assert.equal((await participantStep(who, taskId, { data: parts[k]!, epochs: 1, seed: k + 1, withholdBlob: k === SLASHED }))?.round, 2);
    }
    await handOver(people[SLASHED]!, 2);
    t = await syncTask(owner, taskId);
    await warpTo(t.submitEnd!);
    assert.deepEqual((await aggregatorStep(aggregator, taskId, { tamper: farOff }))?.included, [0, 1, 2]);
    const demanded2 = await watcherStep(watcher, taskId);
    assert.equal(demanded2?.verdict === 'demanded' && demanded2.demands[0]?.target, SLASHED);
    const status: string[] = [];
    await runFlStatus(String(taskId), { store: store.dir }, { connection: owner.connection, deployment, dataDir: scratch } as never, (line) =>
      status.push(line),
    );
    assert.ok(
      status.some((line) => line.includes('open demand') && line.includes(`#${SLASHED}`)),
      `fl status lists the open demand:\n${status.join('\n')}`,
    );
    for (const k of [0, 1]) assert.deepEqual(await answerDemands(people[k]!, taskId), [], 'nobody else answers for the withholder');

    t = await syncTask(owner, taskId);
    await warpTo(t.settlesAt!);
    const watcherCredit = await claimableOf(watcher, watcher.connection.account.address);
    const settled = await watcherStep(watcher, taskId);
    assert.equal(settled?.verdict === 'settled' && settled.voided, true, 'the unanswered demand voided the round');
    assert.equal(roundStatuses[(await readRound(owner, taskId, 2)).status], 'Empty');
    const state = (await readTask(owner, taskId)).state;
    assert.notEqual(state.finishedAt, 0n, 'the task finished with the void round');
    assert.equal(state.aggregatorStaked, false, 'the colluding aggregator lost its stake again');
    assert.equal((await participantOf(owner, taskId, people[SLASHED]!.connection.account.address)).status, 2, 'the withholder is slashed');
    assert.equal(
      (await claimableOf(watcher, watcher.connection.account.address)) - watcherCredit,
      JOIN_STAKE / 2n + AGG_STAKE / 2n,
      'half of both stakes to the watcher',
    );

    // The honest keep their round 1 rewards and take their whole stakes back.
    const after = await taskEarnings(owner, taskId);
    for (const k of [0, 1]) {
      assert.equal(after[k]!.roundRewards, round1[k]!.roundRewards, 'round 1 rewards kept');
      const credit = await claimableOf(owner, people[k]!.connection.account.address);
      await withdrawParticipantStake(people[k]!, taskId);
      assert.equal((await claimableOf(owner, people[k]!.connection.account.address)) - credit, JOIN_STAKE, 'the whole stake back');
    }
    await assert.rejects(
      withdrawParticipantStake(people[SLASHED]!, taskId),
      (e: unknown) => e instanceof TrellisError && /not an active participant/.test(e.message),
    );
  });
});
