// `trellis fl demo`: one whole task on the running local network. The parent process is
// the task owner; every data owner, the aggregator and the watcher is a child process
// running `trellis fl run`, all sharing the task's block store on this machine. Windows
// are seconds long, so three rounds take about a minute (longer on a loaded machine, where
// the windows stretch with the time the processes took to load). At the end the final model is
// published through the task's royalty account, one more provider is started to serve
// it (running providers choose their models at start), and one paid call through the
// gateway pays the contributors royalties. With --dp-epsilon the task is private: every
// participant clips and noises its updates, and the coordinator ends the task when the
// next round would pass the budget.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connectSigner } from '../../chain/connect.ts';
import { repoPath } from '../../repo-root.ts';
import { devAccount } from '../../chain/dev-accounts.ts';
import { formatTokens } from '../../chain/human-units.ts';
import { tokens } from '../../chain/parameters.ts';
import type { NetworkOptions, SignerContext } from '../../cli/context.ts';
import { flDemoRoles, localRoles } from '../../network/roles.ts';
import { TrellisClient } from '../../sdk/client.ts';
import { BlockStore } from '../../store/index.ts';
import { loadDataset } from '../../train/models.ts';
import { prepareData } from '../../train/prepare-data.ts';
import { selectRows } from '../../train/split.ts';
import { dirichletPartition, iidPartition } from '../client/partition.ts';
import { fundLocalAccount } from './accounts.ts';
import { committedUpdates, privacySpentOf, readTask, type FlContext } from './chain.ts';
import { dataFileText, taskModel } from './model.ts';
import { createTask } from './owner.ts';
import { roundsAllowed, taskPrivacy, type PrivacyOptions } from './privacy.ts';
import { taskEarnings } from './rewards.ts';
import { runRole } from './run.ts';
import { serveTaskModel } from './serve.ts';

export type DemoOptions = {
  context: SignerContext;
  networkOptions: NetworkOptions;
  data: 'breast-cancer' | 'digits';
  clients: number;
  alpha: number;
  rounds: number;
  /** Differential privacy: every participant clips and noises its updates; the budget ends the task. */
  dp?: PrivacyOptions;
};

const binPath = repoPath('bin', 'trellis.js');

const signer = (context: SignerContext, index: number) =>
  connectSigner({
    rpcUrl: context.connection.rpcUrl,
    expectedChainId: context.deployment.chainId,
    privateKey: devAccount(index).privateKey,
    keySource: `dev account ${index}`,
  });

export async function runFlDemo(o: DemoOptions): Promise<void> {
  const { context } = o;
  const print = (line: string) => console.log(line);
  const spec = taskModel(o.data === 'digits' ? 'digits-mlp' : 'breast-cancer-mlp');
  const runDir = join(context.dataDir, 'fl', `demo-${Date.now()}`);
  mkdirSync(runDir, { recursive: true });
  const store = await BlockStore.open(join(runDir, 'store'));
  const owner: FlContext = { connection: context.connection, deployment: context.deployment, store };

  // The rows of each data owner: the model's training rows split IID (hospitals) or by a Dirichlet draw over labels.
  const train = prepareData(spec).train;
  const parts =
    o.data === 'digits' ? dirichletPartition(train.y, train.classes, o.clients, { alpha: o.alpha, seed: 5 }) : iidPartition(train.rows, o.clients, 5);
  const who = o.data === 'digits' ? 'client' : 'hospital';
  const files = parts.map((rows, k) => {
    const file = join(runDir, `${who}-${k + 1}.csv`);
    writeFileSync(file, dataFileText(selectRows(train, rows)));
    return file;
  });
  print(
    `${spec.name}: ${train.rows} training rows split across ${o.clients} ${who}s (${parts.map((p) => p.length).join(', ')} rows${o.data === 'digits' ? `, Dirichlet alpha ${o.alpha}` : ''})`,
  );

  const deployer = await signer(context, localRoles.deployer);
  const participantIndex = (k: number) => flDemoRoles.firstParticipant + k;
  for (const index of [flDemoRoles.aggregator, flDemoRoles.watcher, flDemoRoles.modelProvider, ...parts.map((_, k) => participantIndex(k))]) {
    await fundLocalAccount(deployer, context.deployment, devAccount(index).address, tokens('1000'));
  }
  const net = [
    ...(o.networkOptions.dataDir ? ['--data-dir', o.networkOptions.dataDir] : []),
    ...(o.networkOptions.rpcUrl ? ['--rpc-url', o.networkOptions.rpcUrl] : []),
    ...(o.networkOptions.manifest ? ['--manifest', o.networkOptions.manifest] : []),
  ];
  const children: ChildProcess[] = [];
  const spawnedAt = Date.now();
  const ready: Promise<void>[] = [];
  const start = (label: string, args: string[]) => {
    const child = spawn(process.execPath, [binPath, 'fl', 'run', '-', '--store', store.dir, ...net, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    ready.push(
      new Promise<void>((resolve, reject) => {
        child.stdout!.once('data', () => resolve());
        child.once('exit', (code) => reject(new Error(`the ${label} process exited with code ${code} before it was ready`)));
      }),
    );
    const prefix = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n'))
        if (line.trim() !== '' && line !== 'ready' && !line.startsWith('trellis: no')) print(`  [${label}] ${line}`);
    };
    child.stdout!.on('data', prefix);
    child.stderr!.on('data', prefix);
    child.on('exit', (code) => {
      if (code !== 0 && code !== null) print(`  [${label}] exited with code ${code}`);
    });
    children.push(child);
  };
  files.forEach((file, k) => {
    start(`${who} ${k + 1}`, [
      '--participant',
      '--data',
      file,
      '--epochs',
      '5',
      '--account',
      String(participantIndex(k)),
      '--seed',
      String(k + 1),
      '--poll-ms',
      '300',
    ]);
  });
  start('aggregator', ['--aggregator', '--account', String(flDemoRoles.aggregator), '--poll-ms', '300']);
  start('watcher', ['--watcher', '--account', String(flDemoRoles.watcher), '--poll-ms', '300']);
  print(
    `started ${children.length} processes: ${o.clients} ${who}s, the aggregator and the watcher (pids ${children.map((c) => c.pid).join(', ')}); waiting until they are loaded`,
  );
  try {
    await Promise.all(ready);
    // On a loaded machine the processes that took long to load take long to join, train
    // and aggregate too: the join window grows with the time they took, and the windows
    // stretch by the same measure (1 on an idle machine, where loading takes seconds).
    const loadSeconds = Math.ceil((Date.now() - spawnedAt) / 1000);
    const pace = Math.max(1, Math.round(loadSeconds / 10));
    if (pace > 1) print(`the processes took ${loadSeconds} s to load: windows ${pace} times their usual length`);

    const submitWindow = (o.data === 'digits' ? 12 : 8) * pace;
    const { taskId, initialCid } = await createTask(owner, {
      model: spec.name,
      rounds: o.rounds,
      quorum: Math.max(2, Math.ceil(o.clients / 2)),
      startsIn: 20 + 2 * o.clients + 2 * loadSeconds,
      submitWindow,
      aggregateWindow: 8 * pace,
      challengeWindow: 4 * pace,
      rewardPool: tokens('90'),
      joinStake: tokens('5'),
      aggregator: devAccount(flDemoRoles.aggregator).address,
      aggregatorStake: tokens('20'),
      royaltyBps: 1000,
      ...(o.dp ? { dp: o.dp } : {}),
    });
    print(
      `task ${taskId} created by ${context.connection.account.address}: ${o.rounds} rounds of FedAvg, initial model ${initialCid}, pool ${formatTokens(tokens('90'))}`,
    );
    const { config } = await readTask(owner, taskId);
    const privacy = taskPrivacy(config);
    if (privacy) {
      print(
        `differential privacy: epsilon budget ${privacy.epsilon} (delta ${privacy.delta}) covers ${roundsAllowed(config)} of ${o.rounds} rounds; each update clipped to norm ${privacy.clippingNorm} and noised with standard deviation ${privacy.noiseMultiplier * privacy.clippingNorm} (noise multiplier ${privacy.noiseMultiplier})`,
      );
    }

    for (const child of children) child.stdin!.write(`${taskId}\n`);
    const published = await runRole(owner, {
      role: 'owner',
      taskId,
      workDir: join(runDir, 'packages'),
      pollMs: 300,
      print: (line) => print(`[owner] ${line}`),
    });
    for (let r = 1; r <= o.rounds; r++) {
      const updates = await committedUpdates(owner, taskId, r);
      print(`round ${r} submitted by ${updates.map((u) => `#${u.index}`).join(', ') || 'nobody'}`);
    }
    if (privacy) {
      const spent = await privacySpentOf(owner, taskId);
      print(`epsilon spent ${Number(spent.epsilonMicros) / 1e6} of the budget ${Number(spent.budgetMicros) / 1e6}, as the coordinator counts it`);
    }
    if (!published) return;
    print(`final model: fixed-point accuracy ${(published.accuracy * 100).toFixed(1)} % on the owner's validation rows`);

    // Running providers chose their models at start; one more provider serves this one.
    const served = await serveTaskModel({
      connection: await signer(context, flDemoRoles.modelProvider),
      deployment: context.deployment,
      store,
      modelId: published.modelId,
      price: tokens('0.5'),
      stake: tokens('500'),
      dataDir: join(runDir, 'model-provider'),
    });
    print(`started a provider for it (dev account ${flDemoRoles.modelProvider}) at ${served.provider.url}`);
    try {
      const client = new TrellisClient({
        connection: await signer(context, localRoles.client),
        deployment: context.deployment,
        gatewayUrl: context.gatewayUrl,
        dataDir: join(runDir, 'client'),
        storeSources: [{ kind: 'gateway', url: served.storeUrl }],
      });
      const raw = loadDataset(spec.dataset);
      const row = Array.from(raw.x.subarray(0, raw.features));
      const result = await inferWhenRouted(client, published.modelId, row, served.provider.url, print);
      print(
        `paid inference on row 1 of the data set: ${result.labelName} (true class ${spec.classLabels[raw.y[0]!]}), receipt from ${result.receipts[0]!.receipt.provider}`,
      );
      await served.provider.redeemNow();
      for (const e of await taskEarnings(owner, taskId)) {
        print(`  #${e.index} ${e.account}: round rewards ${formatTokens(e.roundRewards)}, royalties claimable ${formatTokens(e.royaltiesClaimable)}`);
      }
      print(
        `claim with: trellis fl rewards ${taskId} --claim --account <index> (data owner k is dev account ${flDemoRoles.firstParticipant} + k); the demo's provider stops with the demo`,
      );
    } finally {
      await served.stop();
    }
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill();
  }
}

/** Through the gateway once it has discovered the new provider (it polls the chain); straight to the provider if it has not within 15 s. */
async function inferWhenRouted(client: TrellisClient, modelId: `0x${string}`, row: number[], providerUrl: string, print: (line: string) => void) {
  const until = Date.now() + 15_000;
  for (;;) {
    try {
      return await client.infer({ model: modelId, input: row });
    } catch (error) {
      if (Date.now() > until) {
        print(`the gateway does not route the new model yet (${(error as Error).message}); calling the provider directly`);
        return client.infer({ model: modelId, input: row, providerUrl });
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}
