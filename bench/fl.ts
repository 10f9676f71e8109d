// `npm run bench -- fl [--rounds R] [--byzantine-rounds B]`: federated learning on the
// default models' own data, in one process (src/fl/experiment.ts). FedAvg against
// centralized training of the same network on the same rows (digits-mlp: 10 clients,
// IID and Dirichlet alpha 0.5; breast-cancer-mlp: 5 hospitals, IID), the strategies
// with 2 of 10 digits clients Byzantine under each attack, and the time of one
// aggregation as the number of clients grows, and the gas of a participant's
// submission (and of a demand to open an element, and its answer) in a real task on
// anvil. Seeded: the accuracy figures are the same on every run of the same code.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestClient, http, type Hex } from 'viem';
import { startAnvil } from '../src/chain/anvil.ts';
import { connectDevSigner } from '../src/chain/connect.ts';
import { deployTrellis } from '../src/chain/deploy.ts';
import { tokens } from '../src/chain/parameters.ts';
import type { Attack } from '../src/fl/byzantine.ts';
import { iidPartition } from '../src/fl/client/partition.ts';
import { fundLocalAccount } from '../src/fl/task/accounts.ts';
import { aggregatorStep, stakeAggregator } from '../src/fl/task/aggregator.ts';
import { approveCoordinator, availabilityGame, demandBondOf, gameWrite } from '../src/fl/task/chain.ts';
import { answerDemands } from '../src/fl/task/openings.ts';
import { taskModel } from '../src/fl/task/model.ts';
import { createTask } from '../src/fl/task/owner.ts';
import { joinTask, participantStep } from '../src/fl/task/participant.ts';
import { BlockStore } from '../src/store/index.ts';
import { prepareData } from '../src/train/prepare-data.ts';
import { selectRows } from '../src/train/split.ts';
import { centralAccuracy, experimentData, type PartitionRule, runExperiment } from '../src/fl/experiment.ts';
import type { FedAvgOptions } from '../src/fl/strategies/create-strategy.ts';
import { fedAvg } from '../src/fl/strategies/fedavg.ts';
import { fedProx } from '../src/fl/strategies/fedprox.ts';
import { fedMedian } from '../src/fl/strategies/fedmedian.ts';
import { fedTrimmedAvg } from '../src/fl/strategies/fedtrimmedavg.ts';
import { krum } from '../src/fl/strategies/krum.ts';
import type { FitRes, Strategy } from '../src/fl/strategies/strategy.ts';
import { modelSpec } from '../src/train/models.ts';
import { Xoshiro128 } from '../src/train/prng.ts';
import { report, type Figure } from './report.ts';
import { numberOption } from './support/options.ts';

const LOCAL_EPOCHS = 3;
const BYZANTINE_LOCAL_EPOCHS = 2;
const BYZANTINE_CLIENTS = [3, 8];
const PROXIMAL_MU = 0.1;

const strategies: Record<string, (base: FedAvgOptions) => Strategy> = {
  fedavg: fedAvg,
  fedmedian: fedMedian,
  fedtrimmedavg: (base) => fedTrimmedAvg({ ...base, beta: 0.2 }),
  krum: (base) => krum({ ...base, numMaliciousClients: BYZANTINE_CLIENTS.length }),
};

const attacks: Record<string, Attack> = {
  sign_flip: { kind: 'sign-flip', factor: 10 },
  scale: { kind: 'scale', factor: 10 },
  gaussian: { kind: 'gaussian', sigma: 3 },
};

export async function main(args: string[]): Promise<void> {
  const rounds = numberOption(args, { name: 'rounds', fallback: 40, min: 1, max: 1000, integer: true });
  const byzantineRounds = numberOption(args, { name: 'byzantine-rounds', fallback: 10, min: 1, max: 1000, integer: true });
  const figures: Figure[] = [];

  const digits = modelSpec('digits-mlp');
  const digitsData = experimentData(digits);
  const central = centralAccuracy(digits, digitsData);
  figures.push({ figure: 'fl_central_accuracy', value: central * 100, unit: '%', label: 'digits-mlp trained centrally (npm run models)' });
  for (const [suffix, partition] of [
    ['iid', { kind: 'iid' }],
    ['noniid', { kind: 'dirichlet', alpha: 0.5 }],
  ] as [string, PartitionRule][]) {
    const started = performance.now();
    const run = runExperiment({ spec: digits, clients: 10, partition, rounds, localEpochs: LOCAL_EPOCHS, strategy: fedAvg }, digitsData);
    const final = run.accuracy.at(-1)!;
    console.error(
      `fl: digits ${suffix} FedAvg ${rounds} rounds ${(final * 100).toFixed(2)}% (${secondsSince(started)} s; sizes ${run.partitionSizes.join(',')})`,
    );
    figures.push(
      { figure: `fl_fedavg_accuracy_${suffix}`, value: final * 100, unit: '%' },
      { figure: `fl_fedavg_vs_central_accuracy_pp_${suffix}`, value: (final - central) * 100, unit: 'pp' },
      { figure: `fl_rounds_to_95pct_central_${suffix}`, value: roundsTo(run.accuracy, 0.95 * central), unit: 'rounds' },
    );
  }

  // FedProx on the non-IID split: the proximal term keeps each client near the global model.
  const prox = runExperiment(
    {
      spec: digits,
      clients: 10,
      partition: { kind: 'dirichlet', alpha: 0.5 },
      rounds,
      localEpochs: LOCAL_EPOCHS,
      strategy: (base) => fedProx({ ...base, proximalMu: PROXIMAL_MU }),
    },
    digitsData,
  );
  figures.push({ figure: 'fl_fedprox_vs_central_accuracy_pp_noniid', value: (prox.accuracy.at(-1)! - central) * 100, unit: 'pp' });

  const breast = modelSpec('breast-cancer-mlp');
  const breastData = experimentData(breast);
  const breastCentral = centralAccuracy(breast, breastData);
  const hospitals = runExperiment(
    { spec: breast, clients: 5, partition: { kind: 'iid' }, rounds: 20, localEpochs: LOCAL_EPOCHS, strategy: fedAvg },
    breastData,
  );
  figures.push(
    { figure: 'fl_breast_cancer_central_accuracy', value: breastCentral * 100, unit: '%' },
    { figure: 'fl_breast_cancer_fedavg_vs_central_accuracy_pp_iid', value: (hospitals.accuracy.at(-1)! - breastCentral) * 100, unit: 'pp' },
  );

  for (const [name, strategy] of Object.entries(strategies)) {
    const started = performance.now();
    const run = (attack?: Attack) =>
      runExperiment(
        {
          spec: digits,
          clients: 10,
          partition: { kind: 'iid' },
          rounds: byzantineRounds,
          localEpochs: BYZANTINE_LOCAL_EPOCHS,
          strategy,
          ...(attack ? { byzantine: { clients: BYZANTINE_CLIENTS, attack } } : {}),
        },
        digitsData,
      ).accuracy.at(-1)!;
    figures.push({ figure: `fl_clean_accuracy_${name}`, value: run() * 100, unit: '%' });
    let worst = 1;
    for (const [attackName, attack] of Object.entries(attacks)) {
      const accuracy = run(attack);
      worst = Math.min(worst, accuracy);
      figures.push({ figure: `fl_byzantine_accuracy_${name}_${attackName}`, value: accuracy * 100, unit: '%' });
    }
    figures.push({ figure: `fl_byzantine_accuracy_${name}`, value: worst * 100, unit: '%', label: `fl_byzantine_accuracy_${name} (worst attack)` });
    console.error(`fl: ${name} clean and under ${Object.keys(attacks).length} attacks (${secondsSince(started)} s)`);
  }

  const length = digitsData.initial.length;
  const perClient: number[] = [];
  for (const n of [5, 10, 50]) {
    const results = randomResults(n, length);
    for (const [name, strategy] of Object.entries(strategies)) {
      const ms = timeAggregation(strategy({ initialParameters: digitsData.initial, minFitClients: 1 }), results);
      const suffix = name === 'fedavg' ? '' : `_${name}`;
      figures.push({ figure: `fl_aggregate_ms${suffix}_${n}clients`, value: ms, unit: 'ms' });
      if (name === 'fedavg') perClient.push(ms / n);
    }
  }
  figures.push({ figure: 'fl_aggregate_per_client_50_vs_5_ratio', value: perClient[2]! / perClient[0]!, unit: 'x' });
  const gas = await taskGas();
  figures.push(
    { figure: 'fl_gas_per_participant_round', value: gas.submit, unit: 'gas' },
    { figure: 'fl_gas_demand_opening', value: gas.demand, unit: 'gas' },
    { figure: 'fl_gas_answer_demand', value: gas.answer, unit: 'gas' },
  );
  report('fl', figures);
}

/**
 * Gas of one participant's submitUpdate, the mean over a real task on anvil: 5 data
 * owners of breast-cancer-mlp, 2 rounds through the SDK (src/fl/task), read from the
 * receipts. The first submission of a round also opens it and costs more; the mean
 * covers both. In round 1 a watcher also demands one element of an update and its
 * participant answers: the gas of each side of the availability game.
 */
export async function taskGas(): Promise<{ submit: number; demand: number; answer: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'trellis-bench-fl-'));
  const anvil = await startAnvil({ stateDir: dir, port: 0 });
  try {
    const deployer = await connectDevSigner(anvil.rpcUrl, 0);
    const deployment = await deployTrellis(deployer, { faucetChainId: 31337n, initialSupply: 10_000_000_000n });
    const store = await BlockStore.open(join(dir, 'store'));
    const ctx = async (i: number) => ({ connection: await connectDevSigner(anvil.rpcUrl, i), deployment, store });
    const owner = await ctx(0);
    const aggregator = await ctx(6);
    const people = await Promise.all([1, 2, 3, 4, 5].map(ctx));
    const watcher = await ctx(7);
    for (const who of [aggregator, watcher, ...people]) await fundLocalAccount(deployer, deployment, who.connection.account.address, tokens('100'));
    const window = 600;
    const spec = taskModel('breast-cancer-mlp');
    const { taskId } = await createTask(owner, {
      model: spec.name,
      rounds: 2,
      quorum: 3,
      startsIn: window,
      submitWindow: window,
      aggregateWindow: window,
      challengeWindow: window,
      rewardPool: tokens('10'),
      joinStake: tokens('1'),
      aggregator: aggregator.connection.account.address,
      aggregatorStake: tokens('1'),
      royaltyBps: 0,
    });
    await stakeAggregator(aggregator, taskId, tokens('1'));
    const train = prepareData(spec).train;
    const data = iidPartition(train.rows, people.length, 1).map((rows) => selectRows(train, rows));
    for (const [k, who] of people.entries()) await joinTask(who, taskId, { rows: data[k]!.rows, datasetHash: `0x${'ab'.repeat(32)}` });
    const testClient = createTestClient({ mode: 'anvil', transport: http(anvil.rpcUrl) });
    const warp = async () => {
      await testClient.increaseTime({ seconds: window });
      await testClient.mine({ blocks: 1 });
    };
    await warp();
    const gas: bigint[] = [];
    const gasOf = async (hash: Hex) => (await owner.connection.publicClient.getTransactionReceipt({ hash })).gasUsed;
    let demand = 0n;
    let answer = 0n;
    for (let round = 1; round <= 2; round++) {
      for (const [k, who] of people.entries()) {
        const sent = await participantStep(who, taskId, { data: data[k]!, epochs: 1, seed: k });
        if (sent) gas.push(sent.gasUsed);
      }
      await warp();
      await aggregatorStep(aggregator, taskId);
      if (round === 1) {
        await approveCoordinator(watcher, await demandBondOf(watcher, taskId), await availabilityGame(watcher));
        demand = await gasOf(await gameWrite(watcher, 'Demanding an opening', 'demandOpening', [taskId, 0, 0]));
        const [opened] = await answerDemands(people[0]!, taskId);
        answer = await gasOf(opened!.transactionHash);
      }
      await warp();
    }
    console.error(`fl: ${gas.length} submissions on anvil, gas ${gas.join(', ')}; demand ${demand}, answer ${answer}`);
    return { submit: Number(gas.reduce((a, b) => a + b, 0n)) / gas.length, demand: Number(demand), answer: Number(answer) };
  } finally {
    await anvil.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The first round (1-based) whose accuracy reaches `target`; -1 when none does. */
function roundsTo(accuracy: readonly number[], target: number): number {
  const index = accuracy.findIndex((a) => a >= target);
  return index < 0 ? -1 : index + 1;
}

/** n updates of digits-mlp's size with weights of the size training gives (|w| < 1). */
function randomResults(n: number, length: number): FitRes[] {
  const rng = new Xoshiro128(42);
  return Array.from({ length: n }, (_, client) => ({
    client,
    parameters: Array.from({ length }, () => Math.floor(rng.uniform(65536))),
    numExamples: 100 + rng.nextInt(100),
  }));
}

/** Mean wall time of one aggregateFit (checks included), over at least 0.3 s and 3 calls. */
function timeAggregation(strategy: Strategy, results: readonly FitRes[]): number {
  strategy.aggregateFit(1, results, []);
  let calls = 0;
  const started = performance.now();
  while (calls < 3 || performance.now() - started < 300) {
    strategy.aggregateFit(1, results, []);
    calls++;
  }
  return (performance.now() - started) / calls;
}

function secondsSince(started: number): string {
  return ((performance.now() - started) / 1000).toFixed(1);
}
