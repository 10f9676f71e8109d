// Differential test of the federated-training coordinator against src/fl on a real
// anvil: updates are committed with roots from src/fl/commitment.ts, the aggregator
// posts an aggregate with one wrong element, and challenges built with TypeScript
// proofs and values run against the contract. At every honest index the contract's
// recomputation must equal aggregateElement (it refuses FlAggregateCorrect); at the
// wrong one it must compute the TypeScript value and slash. Then a Krum task through the
// SDK's aggregator and watcher: the distance matrix, its selection and its challenges
// (src/fl/distances.ts against FlSelection.sol), from the lying aggregator's side. Last,
// differential privacy: the contract's epsilon against the SDK's, and a private task
// refusing the round past its budget.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createTestClient, http, parseEventLogs, type Address, type Hex } from 'viem';
import { startAnvil, type Anvil } from '../src/chain/anvil.ts';
import { connectDevSigner, type SignerConnection } from '../src/chain/connect.ts';
import { deployTrellis } from '../src/chain/deploy.ts';
import { flTaskRulesAbi } from '../src/chain/generated/FlTaskRules.ts';
import { federatedTrainingAbi } from '../src/chain/generated/FederatedTraining.ts';
import { trellisTokenAbi } from '../src/chain/generated/TrellisToken.ts';
import type { Deployment } from '../src/chain/manifest.ts';
import { aggregateElement, flStrategyIds, type FlStrategy } from '../src/fl/aggregate-element.ts';
import { FL_MAX_ABS, commitWeights, elementProof, type WeightCommitment } from '../src/fl/commitment.ts';
import { distanceMatrix, krumSelection, matrixTree, prefixTree, treeProof } from '../src/fl/distances.ts';
import { krumScores, lowestScores } from '../src/fl/strategies/aggregate.ts';
import { aggregatorStep, stakeAggregator } from '../src/fl/task/aggregator.ts';
import { watcherStep } from '../src/fl/task/watcher.ts';
import { flSelectionAbi } from '../src/chain/generated/FlSelection.ts';
import { BlockStore } from '../src/store/index.ts';
import { runFlCreate, runFlStatus } from '../src/cli/commands/fl.ts';
import { TrellisError } from '../src/errors.ts';
import { iidPartition } from '../src/fl/client/partition.ts';
import { epsilonBoundMicros } from '../src/fl/dp/gaussian-bound.ts';
import { deltaOf } from '../src/fl/dp/noise.ts';
import { seededRandomBytes } from '../src/fl/secagg/random-bytes.ts';
import { getWeights, putWeights } from '../src/fl/task/blob.ts';
import { flWrite, readRound, readTask, roundStatuses, selectionGame, type FlContext } from '../src/fl/task/chain.ts';
import { taskModel } from '../src/fl/task/model.ts';
import { createTask } from '../src/fl/task/owner.ts';
import { joinTask, participantStep, type Submission } from '../src/fl/task/participant.ts';
import { taskPrivacy } from '../src/fl/task/privacy.ts';
import { syncTask } from '../src/fl/task/sync.ts';
import { prepareData } from '../src/train/prepare-data.ts';
import { selectRows } from '../src/train/split.ts';

const ELEMENTS = 7;
const WINDOW = 3600n;
const STAKE = 10_000_000n;
const AGG_STAKE = 40_000_000n;
const EXAMPLES = [120n, 45n, 300n, 7n];

let anvil: Anvil;
let dir: string;
let deployment: Deployment;
let owner: SignerConnection;
let aggregator: SignerConnection;
let watcher: SignerConnection;
let people: SignerConnection[];
let fl: Address;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'trellis-fl-contract-'));
  anvil = await startAnvil({ stateDir: dir, port: 0 });
  owner = await connectDevSigner(anvil.rpcUrl, 0);
  deployment = await deployTrellis(owner, { faucetChainId: 31337n, initialSupply: 10_000_000_000n });
  fl = deployment.fl!.federatedTraining;
  aggregator = await connectDevSigner(anvil.rpcUrl, 5);
  watcher = await connectDevSigner(anvil.rpcUrl, 6);
  people = await Promise.all([1, 2, 3, 4].map((i) => connectDevSigner(anvil.rpcUrl, i)));
  for (const who of [aggregator, ...people]) {
    await send(owner, deployment.contracts.token, trellisTokenAbi, 'transfer', [who.account.address, 1_000_000_000n]);
    await send(who, deployment.contracts.token, trellisTokenAbi, 'approve', [fl, 2n ** 255n]);
  }
  await send(owner, deployment.contracts.token, trellisTokenAbi, 'approve', [fl, 2n ** 255n]);
});
after(async () => {
  await anvil?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// biome-ignore lint/suspicious/noExplicitAny: one helper for writes to contracts of different ABIs
async function send(who: SignerConnection, address: Address, abi: any, functionName: string, args: readonly unknown[]): Promise<Hex> {
  const { request } = await who.publicClient.simulateContract({ account: who.account, address, abi, functionName, args });
  const hash = await who.walletClient.writeContract(request);
  const receipt = await who.publicClient.waitForTransactionReceipt({ hash });
  assert.equal(receipt.status, 'success', `${functionName} reverted`);
  return hash;
}

async function warpTo(timestamp: bigint): Promise<void> {
  const testClient = createTestClient({ mode: 'anvil', transport: http(anvil.rpcUrl) });
  await testClient.setNextBlockTimestamp({ timestamp });
  await testClient.mine({ blocks: 1 });
}

/** Participant k's update: values across the range, negatives, and the range's ends. */
function update(k: number, strategy: string): bigint[] {
  const seed = BigInt(k * 7919 + strategy.length * 104729);
  return Array.from({ length: ELEMENTS }, (_, i) => {
    if (i === 5) return k % 2 === 0 ? FL_MAX_ABS : -FL_MAX_ABS;
    const x = ((seed * BigInt(i + 3) * 2654435761n) % 2000003n) - 1000001n;
    return x * BigInt(k + 1) * (i % 3 === 0 ? 65536n : 1n);
  });
}

/** The config of the tasks below: one round, three of eight participants, long windows, no DP. */
function taskConfig(strategy: FlStrategy, trimBetaBps: number, initialRoot: Hex, startsAt: bigint) {
  return {
    initialRoot,
    elementCount: ELEMENTS,
    strategy: flStrategyIds[strategy],
    trimBetaBps,
    krumByzantine: 0,
    krumSelect: 0,
    proximalMuMicros: 0,
    rounds: 1,
    quorum: 3,
    maxParticipants: 8,
    startsAt,
    submitWindow: Number(WINDOW),
    aggregateWindow: Number(WINDOW),
    challengeWindow: Number(WINDOW),
    rewardPool: 100_000_000n,
    joinStake: STAKE,
    aggregator: aggregator.account.address,
    aggregatorStake: AGG_STAKE,
    allowlistRoot: `0x${'0'.repeat(64)}` as Hex,
    validationCommitment: `0x${'11'.repeat(32)}` as Hex,
    royaltyBps: 500,
    dpEpsilonMicros: 0,
    dpDeltaAtto: 0n,
    dpNoiseMicros: 0,
    dpClipMicros: 0,
  } as const;
}

async function runTask(strategy: FlStrategy): Promise<void> {
  const latest = await owner.publicClient.getBlock();
  const startsAt = latest.timestamp + 1000n;
  const initial = commitWeights(Array.from({ length: ELEMENTS }, () => 0n));
  const config = taskConfig(strategy, 2500, initial.root, startsAt);
  await send(owner, fl, federatedTrainingAbi, 'createTask', [config, 'ipfs://initial']);
  const taskId = await owner.publicClient.readContract({ address: fl, abi: federatedTrainingAbi, functionName: 'taskCount' });
  await send(aggregator, fl, federatedTrainingAbi, 'stakeAggregator', [taskId]);
  for (const [k, who] of people.entries()) {
    await send(who, fl, federatedTrainingAbi, 'join', [taskId, EXAMPLES[k]!, `0x${'22'.repeat(32)}`, '0x', []]);
  }

  await warpTo(startsAt);
  const vectors = people.map((_, k) => update(k, strategy));
  const commitments: WeightCommitment[] = vectors.map(commitWeights);
  for (const [k, who] of people.entries()) {
    const hash = await send(who, fl, federatedTrainingAbi, 'submitUpdate', [taskId, commitments[k]!.root, ELEMENTS, `ipfs://update-${k}`]);
    const { gasUsed } = await who.publicClient.getTransactionReceipt({ hash });
    // One new storage word, the round's counter and an event (the first also opens the round).
    if (k > 0) assert.ok(gasUsed < 75_000n, `submitUpdate used ${gasUsed} gas`);
  }
  // The contract holds exactly the TypeScript roots.
  for (let k = 0; k < people.length; k++) {
    const onChain = await owner.publicClient.readContract({ address: fl, abi: federatedTrainingAbi, functionName: 'updateRoot', args: [taskId, 1n, k] });
    assert.equal(onChain, commitments[k]!.root);
  }

  const honest = Array.from({ length: ELEMENTS }, (_, i) =>
    aggregateElement(
      strategy,
      { trimBetaBps: 2500 },
      vectors.map((v) => v[i]!),
      EXAMPLES,
    ),
  );
  const wrongAt = 6;
  const posted = honest.map((v, i) => (i === wrongAt ? v - 1n : v));
  const aggregate = commitWeights(posted);
  await warpTo(startsAt + WINDOW);
  await send(aggregator, fl, federatedTrainingAbi, 'postAggregate', [taskId, aggregate.root, 'ipfs://aggregate', [], []]);

  const challenge = (index: number) => ({
    index,
    participants: people.map((_, k) => k),
    values: vectors.map((v) => v[index]!),
    proofs: commitments.map((c) => elementProof(c, index)),
    aggregateValue: posted[index]!,
    aggregateProof: elementProof(aggregate, index),
  });
  for (let i = 0; i < ELEMENTS; i++) {
    if (i === wrongAt) continue;
    await assert.rejects(
      watcher.publicClient.simulateContract({
        account: watcher.account,
        address: fl,
        abi: federatedTrainingAbi,
        functionName: 'challengeAggregate',
        args: [taskId, challenge(i)],
      }),
      /FlAggregateCorrect/,
      `${strategy}: element ${i} recomputes to the TypeScript value`,
    );
  }
  const lie = { ...challenge(wrongAt), values: challenge(wrongAt).values.map((v, k) => (k === 0 ? v + 1n : v)) };
  await assert.rejects(
    watcher.publicClient.simulateContract({
      account: watcher.account,
      address: fl,
      abi: federatedTrainingAbi,
      functionName: 'challengeAggregate',
      args: [taskId, lie],
    }),
    /FlProofInvalid/,
  );
  const before = await watcher.publicClient.readContract({
    address: fl,
    abi: federatedTrainingAbi,
    functionName: 'claimable',
    args: [watcher.account.address],
  });
  const hash = await send(watcher, fl, federatedTrainingAbi, 'challengeAggregate', [taskId, challenge(wrongAt)]);
  const receipt = await watcher.publicClient.getTransactionReceipt({ hash });
  const [event] = parseEventLogs({ abi: federatedTrainingAbi, logs: receipt.logs, eventName: 'AggregateChallenged' });
  assert.equal(event!.args.recomputed, honest[wrongAt], `${strategy}: the contract recomputed the TypeScript value`);
  assert.equal(event!.args.posted, posted[wrongAt]);
  const afterClaim = await watcher.publicClient.readContract({
    address: fl,
    abi: federatedTrainingAbi,
    functionName: 'claimable',
    args: [watcher.account.address],
  });
  assert.equal(afterClaim - before, AGG_STAKE / 2n, 'half the aggregator stake to the watcher');
}

describe('federated-training coordinator against src/fl', () => {
  for (const strategy of ['FedAvg', 'FedMedian', 'FedTrimmedAvg'] as const) {
    test(`${strategy}: TypeScript commitments and challenges agree with the contract`, async () => {
      await runTask(strategy);
    });
  }
});

describe('the Krum selection game through the SDK', () => {
  test('the watcher proves a wrong selection, a lied distance and a lied prefix sum; a lying challenger pays gas only', async () => {
    const store = await BlockStore.open(join(dir, 'store'));
    const ctxOf = (connection: SignerConnection): FlContext => ({ connection, deployment, store });
    const [agg, watch] = [ctxOf(aggregator), ctxOf(watcher)];
    const read = <T>(functionName: string, args: readonly unknown[]) =>
      owner.publicClient.readContract({ address: fl, abi: federatedTrainingAbi, functionName: functionName as never, args: args as never }) as Promise<T>;
    const game = await selectionGame(agg);
    assert.notEqual(await owner.publicClient.getCode({ address: game }), undefined, 'the selection game is deployed where the SDK looks');

    const initial = Array.from({ length: ELEMENTS }, () => 0n);
    const initialCid = await putWeights(store, { model: 'synthetic', elements: initial });
    const startsAt = (await owner.publicClient.getBlock()).timestamp + 1000n;
    const config = taskConfig('Krum', 0, commitWeights(initial).root, startsAt);
    await send(owner, fl, federatedTrainingAbi, 'createTask', [config, initialCid]);
    const taskId = await read<bigint>('taskCount', []);
    await send(aggregator, fl, federatedTrainingAbi, 'stakeAggregator', [taskId]);
    for (const [k, who] of people.entries()) await send(who, fl, federatedTrainingAbi, 'join', [taskId, EXAMPLES[k]!, `0x${'22'.repeat(32)}`, '0x', []]);
    await warpTo(startsAt);
    // Three honest updates near each other; participant 3 poisons (the honest step times 40).
    const vectors = people.map((_, k) => update(k, 'krum').map((v, i) => (i === 5 ? BigInt(k * 1000) : v / 1000n) * (k === 3 ? 40n : 1n)));
    for (const [k, who] of people.entries()) {
      const cid = await putWeights(store, { model: 'synthetic', elements: vectors[k]! });
      await send(who, fl, federatedTrainingAbi, 'submitUpdate', [taskId, commitWeights(vectors[k]!).root, ELEMENTS, cid]);
    }
    await warpTo(startsAt + WINDOW);

    // The TypeScript selection over the matrix is the strategy's own and the contract's.
    const honest = distanceMatrix([0, 1, 2, 3], vectors);
    const distances = honest.pairs.map((p) => p.distance);
    const truth = krumSelection([0, 1, 2, 3], distances, 0, 1);
    assert.deepEqual(
      truth,
      lowestScores(
        krumScores(
          vectors.map((v) => v.map(Number)),
          0,
        ),
        1,
      ),
    );
    assert.notDeepEqual(truth, [3], 'Krum leaves the poison out');
    const onChain = await owner.publicClient.readContract({
      address: game,
      abi: flSelectionAbi,
      functionName: 'selectionOf',
      args: [[0, 1, 2, 3], distances, 0n, 1n],
    });
    assert.deepEqual([...onChain], truth, 'FlSelection selects what TypeScript selects');

    const slashedBy = async <T>(step: () => Promise<T>): Promise<T> => {
      const before = await read<bigint>('claimable', [watcher.account.address]);
      const result = await step();
      assert.equal((await read<bigint>('claimable', [watcher.account.address])) - before, AGG_STAKE / 2n, 'half the aggregator stake to the watcher');
      assert.equal((await read<{ aggregatorStaked: boolean }>('taskState', [taskId])).aggregatorStaked, false);
      await stakeAggregator(agg, taskId, AGG_STAKE);
      return result;
    };
    const toPoison = (pairs: { a: number; b: number; distance: bigint; prefix: bigint[] }[], lie: (p: { distance: bigint; prefix: bigint[] }) => void) => {
      for (const p of pairs) if (p.b === 3) lie(p);
    };

    // 1. The poisoned update selected over an honest matrix: the selection challenge.
    assert.deepEqual((await aggregatorStep(agg, taskId, { tamperSelection: () => [3] }))?.selected, [3]);
    const selection = await slashedBy(() => watcherStep(watch, taskId));
    assert.ok(selection?.verdict === 'selection-challenged' && selection.kind === 'selection', JSON.stringify(selection));
    assert.deepEqual(selection.expected, truth, "the watcher names the matrix's selection");

    // 2. Distances to the poison shrunk so that the matrix selects it: the last prefix sum gives the lie away.
    const shrunk = await aggregatorStep(agg, taskId, {
      tamperDistances: (pairs) =>
        toPoison(pairs, (p) => {
          p.distance = 1n;
        }),
    });
    assert.deepEqual(shrunk?.selected, [3], "the lie makes the poison the matrix's choice");
    const last = await slashedBy(() => watcherStep(watch, taskId));
    assert.equal(last?.verdict === 'selection-challenged' && `${last.kind} ${last.pair} ${last.element}`, `distance 0,3 ${ELEMENTS - 1}`);

    // 3. The lie carried into the prefix sums, which jump after element 2 (the poison recorded
    //    as the selection): the step at element 3 is wrong.
    const jumped = await aggregatorStep(agg, taskId, {
      tamperSelection: () => [3],
      tamperDistances: (pairs) =>
        toPoison(pairs, (p) => {
          for (let e = 3; e < ELEMENTS; e++) p.prefix[e] = p.prefix[2]! + 1n;
          p.distance = p.prefix[ELEMENTS - 1]!;
        }),
    });
    assert.deepEqual(jumped?.selected, [3]);
    const middle = await slashedBy(() => watcherStep(watch, taskId));
    assert.equal(middle?.verdict === 'selection-challenged' && `${middle.kind} ${middle.pair} ${middle.element}`, 'distance 0,3 3');

    // 4. The honest post stands; challengers that lie are refused by name and move nothing.
    assert.deepEqual((await aggregatorStep(agg, taskId))?.selected, truth);
    assert.equal((await watcherStep(watch, taskId))?.verdict, 'correct');
    const credit = await read<bigint>('claimable', [watcher.account.address]);
    const simulate = (functionName: string, args: readonly unknown[]) =>
      watcher.publicClient.simulateContract({
        account: watcher.account,
        address: game,
        abi: flSelectionAbi,
        functionName: functionName as never,
        args: args as never,
      });
    await assert.rejects(simulate('challengeSelection', [taskId, [0, 1, 2, 3], distances, honest.pairs.map((p) => p.prefixRoot)]), /FlSelectionCorrect/);
    await assert.rejects(simulate('challengeSelection', [taskId, [0, 1, 2, 3], distances.slice(1), honest.pairs.map((p) => p.prefixRoot)]), /FlLeafCount/);
    const pair = honest.pairs[2]!;
    const prefix = prefixTree(pair.prefix);
    const at = 4;
    await assert.rejects(
      simulate('challengeDistance', [
        taskId,
        {
          position: 2,
          a: pair.a,
          b: pair.b,
          distance: pair.distance,
          prefixRoot: pair.prefixRoot,
          leafProof: treeProof(honest.tree, 2),
          element: at,
          valueA: vectors[pair.a]![at]!,
          proofA: elementProof(commitWeights(vectors[pair.a]!), at),
          valueB: vectors[pair.b]![at]!,
          proofB: elementProof(commitWeights(vectors[pair.b]!), at),
          prefixAt: pair.prefix[at]!,
          proofAt: treeProof(prefix, at),
          prefixBefore: pair.prefix[at - 1]!,
          proofBefore: treeProof(prefix, at - 1),
        },
      ]),
      /FlDistanceCorrect/,
    );
    assert.equal(
      matrixTree(
        [0, 1, 2, 3],
        distances,
        honest.pairs.map((p) => p.prefixRoot),
      ).root,
      honest.tree.root,
    );
    assert.equal(await read<bigint>('claimable', [watcher.account.address]), credit, 'a refused challenge pays nothing');
    assert.equal((await read<{ aggregatorStaked: boolean }>('taskState', [taskId])).aggregatorStaked, true, 'the honest aggregator keeps its stake');
  });
});

// Differential privacy on the same chain: the contract's epsilon against the SDK's, and
// one private task through the SDK (src/fl/task) from creation to the round the budget
// refuses. Breast-cancer updates of one local epoch keep it quick.
describe('a private task: the epsilon budget enforced by the coordinator', () => {
  const read = <T>(functionName: string, args: readonly unknown[]) =>
    owner.publicClient.readContract({ address: fl, abi: federatedTrainingAbi, functionName: functionName as never, args: args as never }) as Promise<T>;
  const refused = (code: string) => (e: unknown) => e instanceof TrellisError && e.code === code;

  test('the contract counts epsilon exactly as src/fl/dp/gaussian-bound.ts, to the last millionth', async () => {
    const grid: [bigint, bigint, number][] = [];
    // The ends of every range and typical values between: 4 x 4 x 3 points.
    for (const z of [1n, 1_100_000n, 17_300_000n, 4_294_967_295n])
      for (const d of [1n, 10n ** 13n, 5n * 10n ** 17n, 10n ** 18n - 1n]) for (const r of [1, 7, 1000]) grid.push([z, d, r]);
    const rules = await read<Address>('rules', []);
    const onChain = await Promise.all(
      grid.map(([z, d, r]) => owner.publicClient.readContract({ address: rules, abi: flTaskRulesAbi, functionName: 'epsilonAfter', args: [z, d, BigInt(r)] })),
    );
    for (const [i, [z, d, r]] of grid.entries()) assert.equal(onChain[i], epsilonBoundMicros(z, d, r), `z ${z}, delta ${d}, ${r} rounds`);
  });

  test('participants clip and noise with the committed parameters, the spend is posted, the round past the budget cannot start', async (t) => {
    const store = await BlockStore.open(join(dir, 'dp-store'));
    const ctx = (connection: SignerConnection): FlContext => ({ connection, deployment, store });
    const [ownerCtx, aggCtx, a, b] = [owner, aggregator, people[0]!, people[1]!].map(ctx) as [FlContext, FlContext, FlContext, FlContext];
    const context = { connection: owner, deployment, gatewayUrl: undefined, dataDir: dir };
    const base = {
      rounds: 3,
      quorum: 2,
      startsIn: 600,
      submitWindow: Number(WINDOW),
      aggregateWindow: Number(WINDOW),
      challengeWindow: Number(WINDOW),
      rewardPool: 60_000_000n,
      joinStake: STAKE,
      aggregator: aggregator.account.address,
      aggregatorStake: AGG_STAKE,
      royaltyBps: 500,
    };
    const cli = {
      model: 'breast-cancer-mlp',
      strategy: 'FedAvg',
      rounds: '3',
      quorum: '2',
      startsIn: '600',
      submitWindow: '60',
      aggregateWindow: '60',
      challengeWindow: '60',
      pool: '1',
      joinStake: '1',
      aggregator: aggregator.account.address,
      aggregatorStake: '1',
      royalty: '0',
      store: store.dir,
    };
    // Bad input is refused by name before any transaction.
    const tasksBefore = await read<bigint>('taskCount', []);
    for (const [dp, code] of [
      [{ dpEpsilon: '-1' }, 'INVALID_OPTION'],
      [{ dpEpsilon: 'NaN' }, 'INVALID_OPTION'],
      [{ dpEpsilon: '3', dpDelta: '1' }, 'INVALID_OPTION'],
      [{ dpNoise: '2' }, 'INVALID_OPTION'],
      [{ dpEpsilon: '0.5', dpNoise: '4' }, 'DP_BUDGET_EXCEEDED'],
    ] as const) {
      await assert.rejects(
        runFlCreate({ ...cli, ...dp }, context, () => {}),
        refused(code),
        JSON.stringify(dp),
      );
    }
    assert.equal(await read<bigint>('taskCount', []), tasksBefore, 'nothing was created');

    // Twins, one private: its budget (1.5 for delta 1e-5 at z = 4) covers round 1 of 3.
    const now = (await owner.publicClient.getBlock()).timestamp;
    const plain = await createTask(ownerCtx, { ...base, model: 'breast-cancer-mlp', now });
    const dp = await createTask(ownerCtx, { ...base, model: 'breast-cancer-mlp', now, dp: { epsilon: 1.5, delta: 1e-5, noiseMultiplier: 4, clippingNorm: 1 } });
    const createdIn = async (taskId: bigint) => {
      const [log] = await owner.publicClient.getContractEvents({
        address: fl,
        abi: federatedTrainingAbi,
        eventName: 'TaskCreated',
        args: { taskId },
        fromBlock: 0n,
      });
      return (await owner.publicClient.getTransactionReceipt({ hash: log!.transactionHash })).gasUsed;
    };
    const createExtra = (await createdIn(dp.taskId)) - (await createdIn(plain.taskId));
    const { config } = await readTask(ownerCtx, dp.taskId);
    assert.deepEqual(taskPrivacy(config), { epsilon: 1.5, delta: 1e-5, noiseMultiplier: 4, clippingNorm: 1 });

    const spec = taskModel('breast-cancer-mlp');
    const train = prepareData(spec).train;
    const data = iidPartition(train.rows, 2, 3).map((rows) => selectRows(train, rows));
    for (const [k, who] of [a, b].entries()) {
      await joinTask(who, dp.taskId, { rows: data[k]!.rows, datasetHash: `0x${'33'.repeat(32)}` });
    }
    await stakeAggregator(aggCtx, dp.taskId, AGG_STAKE);
    await warpTo(now + 600n);

    // The plain twin's round opens by the same write (advance), for the gas comparison.
    await flWrite(a, 'Advancing the plain twin', 'advance', [plain.taskId]);
    // A participant asked to add less noise than committed refuses, and sends nothing.
    await assert.rejects(participantStep(b, dp.taskId, { data: data[1]!, epochs: 1, seed: 2, dp: { noiseMultiplier: 1 } }), refused('DP_WEAKER_THAN_TASK'));
    const sent: (Submission | undefined)[] = [];
    for (const [k, who] of [a, b].entries()) {
      sent.push(await participantStep(who, dp.taskId, { data: data[k]!, epochs: 1, seed: k + 1, dp: { random: seededRandomBytes(`dp-${k}`) } }));
    }
    assert.deepEqual(
      sent.map((s) => s?.dp?.noiseStd),
      [4, 4],
      'noise of standard deviation z C on every element',
    );
    const openedIn = async (taskId: bigint) => {
      const [log] = await owner.publicClient.getContractEvents({
        address: fl,
        abi: federatedTrainingAbi,
        eventName: 'RoundOpened',
        args: { taskId, round: 1n },
        fromBlock: 0n,
      });
      return (await owner.publicClient.getTransactionReceipt({ hash: log!.transactionHash })).gasUsed;
    };
    const openExtra = (await openedIn(dp.taskId)) - (await openedIn(plain.taskId));
    // What left the machine: the delta from the global model is mostly noise of std 4.
    const global = await getWeights(store, dp.initialCid);
    const blob = await getWeights(store, sent[0]!.cid);
    const delta = deltaOf(blob.elements.map(Number), global.elements.map(Number));
    const std = Math.sqrt(delta.reduce((s, v) => s + v * v, 0) / delta.length);
    assert.ok(Math.abs(std - 4) < 0.5, `the update's delta has std ${std}`);

    await warpTo(now + 600n + WINDOW);
    assert.deepEqual((await aggregatorStep(aggCtx, dp.taskId))?.included, [0, 1]);
    await warpTo(now + 600n + 3n * WINDOW);
    const view = await syncTask(ownerCtx, dp.taskId);
    assert.ok(view.finished, 'the budget ended the task after round 1');
    assert.equal(view.state.currentRound, 1);
    assert.equal(roundStatuses[(await readRound(ownerCtx, dp.taskId, 1)).status], 'Final');
    const spends = await owner.publicClient.getContractEvents({
      address: fl,
      abi: federatedTrainingAbi,
      eventName: 'PrivacySpent',
      args: { taskId: dp.taskId },
      fromBlock: 0n,
    });
    assert.equal(spends.length, 1, 'one spend: round 2 never opened');
    const spent = spends[0];
    assert.equal(spent!.args.epsilonMicros, epsilonBoundMicros(4_000_000n, 10n ** 13n, 1));
    assert.equal(spent!.args.round, 1n);

    // The round past the budget: the SDK stops, and a direct write is refused by name.
    assert.equal(await participantStep(a, dp.taskId, { data: data[0]!, epochs: 1, seed: 1 }), undefined);
    await assert.rejects(
      flWrite(a, 'Submitting past the budget', 'submitUpdate', [dp.taskId, `0x${'44'.repeat(32)}`, config.elementCount, 'ipfs://late']),
      (e: unknown) =>
        refused('TRANSACTION_FAILED')(e) &&
        /Round 2 of task \d+ would take its epsilon to 1\.759852, past the privacy budget of 1\.5/.test((e as Error).message),
    );
    const lines: string[] = [];
    await runFlStatus(String(dp.taskId), { store: store.dir }, context, (line) => lines.push(line));
    assert.ok(
      lines.some((l) => l.includes('epsilon spent 1.230944 of 1.5 (the budget ended the task after round 1)')),
      lines.join('\n'),
    );
    t.diagnostic(`gas with differential privacy: createTask +${createExtra}, the write that opens a round (advance) +${openExtra}`);
  });
});
