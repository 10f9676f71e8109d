// `trellis fl ...`: federated training on the network (docs/fl.md, docs/fl-training.md).
// `create` opens a task, `join` stakes a data owner in with a commitment to its rows,
// `run` plays one role until the task is over, `status` and `rewards` read what
// happened, `demo` runs a whole task on the local network with one process per data
// owner. The SDK (src/fl/task) loads only when a command runs.
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { TrellisError } from '../../errors.ts';
import { flDemoRoles } from '../../network/roles.ts';
import { addNetworkOptions, readContext, signerContext, type NetworkOptions, type ReadContext, type SignerContext } from '../context.ts';

type StoreOption = { store?: string };

/** The store a task's blobs travel through: --store, else <data-dir>/fl/store (shared by the parties on one machine). */
const storeDirOf = (options: StoreOption, dataDir: string) => resolve(options.store ?? join(dataDir, 'fl', 'store'));

/**
 * The signer's own copies of what it committed, to answer demands that an element be
 * opened: <data-dir>/fl/kept/<address>, on disk, so a restarted client still has them.
 */
const keptDirOf = (dataDir: string, account: string) => resolve(join(dataDir, 'fl', 'kept', account.toLowerCase()));

async function flContext(context: SignerContext, options: StoreOption) {
  const { BlockStore } = await import('../../store/index.ts');
  return {
    connection: context.connection,
    deployment: context.deployment,
    store: await BlockStore.open(storeDirOf(options, context.dataDir)),
    kept: await BlockStore.open(keptDirOf(context.dataDir, context.connection.account.address)),
  };
}

export function parseTaskId(value: string): bigint {
  if (!/^[1-9]\d{0,17}$/.test(value.trim())) throw new TrellisError('INVALID_OPTION', `The task id must be a positive integer, got "${value}".`);
  return BigInt(value.trim());
}

/** `trellis fl join`: checks the task, the data file and the stake before anything is sent. */
export async function runFlJoin(task: string, options: StoreOption & { data: string }, context: SignerContext, print: (line: string) => void = console.log) {
  const { formatTokens } = await import('../../chain/human-units.ts');
  const taskId = parseTaskId(task);
  const ctx = await flContext(context, options);
  const { readTask, initialModelCid } = await import('../../fl/task/chain.ts');
  const { getWeights } = await import('../../fl/task/blob.ts');
  const { readDataFile, taskModel } = await import('../../fl/task/model.ts');
  const { joinTask } = await import('../../fl/task/participant.ts');
  const { config } = await readTask(ctx, taskId);
  const initial = await getWeights(ctx.store, await initialModelCid(ctx, taskId), { root: config.initialRoot, elementCount: config.elementCount });
  const { data, datasetHash } = readDataFile(options.data, taskModel(initial.model));
  const { index } = await joinTask(ctx, taskId, { rows: data.rows, datasetHash });
  print(`joined task ${taskId} as participant ${index} with ${data.rows} rows (dataset hash ${datasetHash}), staking ${formatTokens(config.joinStake)}`);
  return { index };
}

/** The --dp-* options: all absent for a task without differential privacy. */
type PrivacyCliOptions = { dpEpsilon?: string; dpDelta?: string; dpNoise?: string; dpClip?: string };

function positiveNumber(name: string, value: string): number {
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed) || parsed <= 0) {
    throw new TrellisError('INVALID_OPTION', `${name} must be a positive number, got "${value}".`);
  }
  return parsed;
}

/** The DP options as the SDK takes them, refused by name when malformed (before anything is sent). */
export function parsePrivacyOptions(options: PrivacyCliOptions): import('../../fl/task/privacy.ts').PrivacyOptions | undefined {
  if (options.dpEpsilon === undefined) {
    const stray = (['dpDelta', 'dpNoise', 'dpClip'] as const).find((k) => options[k] !== undefined);
    if (stray) throw new TrellisError('INVALID_OPTION', `--${stray.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} needs --dp-epsilon (the budget).`);
    return undefined;
  }
  const delta = options.dpDelta === undefined ? undefined : positiveNumber('--dp-delta', options.dpDelta);
  if (delta !== undefined && delta >= 1) throw new TrellisError('INVALID_OPTION', `--dp-delta must lie strictly between 0 and 1, got "${options.dpDelta}".`);
  return {
    epsilon: positiveNumber('--dp-epsilon', options.dpEpsilon),
    ...(delta === undefined ? {} : { delta }),
    ...(options.dpNoise === undefined ? {} : { noiseMultiplier: positiveNumber('--dp-noise', options.dpNoise) }),
    ...(options.dpClip === undefined ? {} : { clippingNorm: positiveNumber('--dp-clip', options.dpClip) }),
  };
}

/** One line on a task's differential privacy, from its committed fields. */
function describePrivacy(config: import('../../fl/task/chain.ts').TaskConfig, privacy: import('../../fl/task/privacy.ts').TaskPrivacy, rounds: number): string {
  return `differential privacy: epsilon budget ${privacy.epsilon} for delta ${privacy.delta}, noise multiplier ${privacy.noiseMultiplier}, clipping norm ${privacy.clippingNorm}; the budget covers ${rounds} of ${config.rounds} rounds`;
}

type CreateOptions = NetworkOptions &
  PrivacyCliOptions &
  StoreOption & {
    model: string;
    strategy: string;
    rounds: string;
    quorum: string;
    startsIn: string;
    submitWindow: string;
    aggregateWindow: string;
    challengeWindow: string;
    pool: string;
    joinStake: string;
    aggregator: string;
    aggregatorStake: string;
    royalty: string;
  };

export async function runFlCreate(options: CreateOptions, context: SignerContext, print: (line: string) => void = console.log): Promise<bigint> {
  const { parseIntegerOption, parseAddressOption } = await import('../options.ts');
  const { parseTokens } = await import('../amounts.ts');
  const { formatTokens } = await import('../../chain/human-units.ts');
  const strategies = ['FedAvg', 'FedProx', 'FedMedian', 'FedTrimmedAvg'] as const;
  const strategy = strategies.find((s) => s.toLowerCase() === options.strategy.toLowerCase());
  if (!strategy) throw new TrellisError('INVALID_OPTION', `--strategy must be one of ${strategies.join(', ')}, got "${options.strategy}".`);
  const rounds = parseIntegerOption('--rounds', options.rounds, 1, 1000);
  // Differential privacy checked in full (the budget against round 1) before anything is sent.
  const dp = parsePrivacyOptions(options);
  const { privacyFields } = await import('../../fl/task/privacy.ts');
  privacyFields(dp, rounds);
  const ctx = await flContext(context, options);
  const { createTask } = await import('../../fl/task/owner.ts');
  const { taskId, initialCid } = await createTask(ctx, {
    model: options.model,
    strategy,
    rounds,
    quorum: parseIntegerOption('--quorum', options.quorum, 1, 256),
    startsIn: parseIntegerOption('--starts-in', options.startsIn, 1, 30 * 86_400),
    submitWindow: parseIntegerOption('--submit-window', options.submitWindow, 1, 30 * 86_400),
    aggregateWindow: parseIntegerOption('--aggregate-window', options.aggregateWindow, 1, 30 * 86_400),
    challengeWindow: parseIntegerOption('--challenge-window', options.challengeWindow, 1, 30 * 86_400),
    rewardPool: parseTokens('--pool', options.pool),
    joinStake: parseTokens('--join-stake', options.joinStake),
    aggregator: parseAddressOption('--aggregator', options.aggregator),
    aggregatorStake: parseTokens('--aggregator-stake', options.aggregatorStake),
    royaltyBps: parseIntegerOption('--royalty', options.royalty, 0, 10_000),
    ...(dp ? { dp } : {}),
  });
  print(`created task ${taskId}: ${options.model}, ${strategy}, initial model ${initialCid}, pool ${formatTokens(parseTokens('--pool', options.pool))}`);
  if (dp) {
    const { readTask } = await import('../../fl/task/chain.ts');
    const { roundsAllowed, taskPrivacy } = await import('../../fl/task/privacy.ts');
    const { config } = await readTask(ctx, taskId);
    print(`  ${describePrivacy(config, taskPrivacy(config)!, roundsAllowed(config))}`);
  }
  return taskId;
}

/** `trellis fl status`: per round, who submitted, the aggregate, its validation figures and the rewards. */
export async function runFlStatus(task: string, options: StoreOption, context: ReadContext, print: (line: string) => void = console.log): Promise<void> {
  const { formatTokens } = await import('../../chain/human-units.ts');
  const taskId = parseTaskId(task);
  const { BlockStore } = await import('../../store/index.ts');
  const store = await BlockStore.open(storeDirOf(options, context.dataDir));
  const ctx = { connection: context.connection, deployment: context.deployment, store } as never as import('../../fl/task/chain.ts').FlContext;
  const chain = await import('../../fl/task/chain.ts');
  const { evaluateModel } = await import('../../fl/task/owner.ts');
  const { taskEarnings } = await import('../../fl/task/rewards.ts');
  const { config, state } = await chain.readTask(ctx, taskId);
  print(
    `task ${taskId}: round ${state.currentRound} of ${config.rounds}${state.finishedAt !== 0n ? ' (finished)' : ''}, ${state.participantCount} participants, quorum ${config.quorum}, pool left ${formatTokens(state.poolLeft)}`,
  );
  const { roundsAllowed, taskPrivacy } = await import('../../fl/task/privacy.ts');
  const privacy = taskPrivacy(config);
  if (privacy) {
    // The spend as the contract counts it (the same function as the SDK's).
    const spent = await chain.privacySpentOf(ctx, taskId);
    const allowed = roundsAllowed(config);
    print(
      `  epsilon spent ${Number(spent.epsilonMicros) / 1e6} of ${Number(spent.budgetMicros) / 1e6}${state.finishedAt !== 0n && allowed < config.rounds ? ` (the budget ended the task after round ${allowed})` : ''}`,
    );
    print(`  ${describePrivacy(config, privacy, allowed)}`);
  }
  const posted = await chain.postedAggregates(ctx, taskId);
  const earnings = await taskEarnings(ctx, taskId);
  const demands = await chain.taskDemands(ctx, taskId);
  for (let r = 1; r <= state.currentRound; r++) {
    const rd = await chain.readRound(ctx, taskId, r);
    const updates = await chain.committedUpdates(ctx, taskId, r);
    const post = posted.filter((p) => p.round === r).at(-1);
    let figures = '';
    if (post && rd.aggregateRoot === post.root) {
      try {
        const e = await evaluateModel(ctx, post.cid, post.root, config.elementCount);
        figures = `, accuracy ${(e.accuracy * 100).toFixed(1)} %, loss ${e.loss.toFixed(4)}`;
      } catch {
        figures = ', aggregate not in the local store';
      }
    }
    const rewards = earnings.flatMap((c) => c.rounds.filter((x) => x.round === r).map((x) => `#${c.index} ${formatTokens(x.reward)}`)).join(', ');
    print(
      `  round ${r} ${chain.roundStatuses[rd.status]}: submitted ${updates.map((u) => `#${u.index}`).join(', ') || 'nobody'}; aggregate ${post?.cid ?? 'none'}${post && post.excluded.length > 0 ? ` (excluded ${post.excluded.map((i) => `#${i}`).join(', ')})` : ''}${figures}; rewards ${rewards || 'none yet'}`,
    );
    for (const d of demands.filter((x) => x.round === r && x.status === 'Pending')) {
      const target = d.target === chain.AGGREGATE_TARGET ? 'the aggregate' : `#${d.target}`;
      print(
        `    open demand ${d.demandId}: element ${d.index} of ${target}, bond ${formatTokens(d.bond)}, to be answered by ${new Date(Number(d.deadline) * 1000).toISOString()}`,
      );
    }
  }
  if (state.published) print(`final model ${state.modelId}, royalties to ${state.royalties}`);
}

/** `trellis fl rewards`: what each contributor earned; with `claim`, claims the signer's. */
export async function runFlRewards(
  task: string,
  claim: SignerContext | undefined,
  context: ReadContext,
  print: (line: string) => void = console.log,
): Promise<void> {
  const { formatTokens } = await import('../../chain/human-units.ts');
  const taskId = parseTaskId(task);
  const { taskEarnings, claimEarnings } = await import('../../fl/task/rewards.ts');
  const reader = { connection: context.connection, deployment: context.deployment } as never as import('../../fl/task/chain.ts').FlContext;
  for (const e of await taskEarnings(reader, taskId)) {
    print(
      `#${e.index} ${e.account}: round rewards ${formatTokens(e.roundRewards)} (${e.rounds.map((r) => `round ${r.round}: ${formatTokens(r.reward)}`).join(', ') || 'none'}), royalty shares ${e.shares}, royalties claimable ${formatTokens(e.royaltiesClaimable)}, coordinator credit ${formatTokens(e.coordinatorClaimable)}`,
    );
  }
  if (claim) {
    const { BlockStore } = await import('../../store/index.ts');
    const store = await BlockStore.open(storeDirOf({}, claim.dataDir));
    const got = await claimEarnings({ connection: claim.connection, deployment: claim.deployment, store }, taskId);
    print(
      `claimed ${formatTokens(got.coordinator)} from the coordinator and ${formatTokens(got.royalties)} of royalties for ${claim.connection.account.address}`,
    );
  }
}

type RunCliOptions = NetworkOptions &
  StoreOption & {
    participant?: boolean;
    aggregator?: boolean;
    watcher?: boolean;
    owner?: boolean;
    data?: string;
    epochs: string;
    seed: string;
    account?: string;
    pollMs: string;
  };

/** The first line of stdin: `trellis fl demo` starts its processes before the task exists and sends its id once they are loaded. */
async function taskIdFromStdin(): Promise<string> {
  const { createInterface } = await import('node:readline');
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    lines.close();
    return line.trim();
  }
  throw new TrellisError('INVALID_OPTION', 'The task id "-" means the first line of stdin, and stdin closed without one.');
}

async function runFlRun(task: string, options: RunCliOptions): Promise<void> {
  const { parseIntegerOption } = await import('../options.ts');
  if (task === '-') {
    // Load the SDK first, so that the task's short join window is not spent starting up.
    await Promise.all([import('../../fl/task/run.ts'), import('../../fl/task/model.ts'), import('../../store/index.ts')]);
    console.log('ready');
    task = await taskIdFromStdin();
  }
  const taskId = parseTaskId(task);
  const roles = (['participant', 'aggregator', 'watcher', 'owner'] as const).filter((r) => options[r]);
  if (roles.length !== 1) throw new TrellisError('INVALID_OPTION', 'Give exactly one of --participant, --aggregator, --watcher, --owner.');
  const role = roles[0]!;
  const devIndex =
    options.account !== undefined
      ? parseIntegerOption('--account', options.account, 0, 1000)
      : { participant: flDemoRoles.firstParticipant, aggregator: flDemoRoles.aggregator, watcher: flDemoRoles.watcher, owner: flDemoRoles.taskOwner }[role];
  const context = await signerContext(options, devIndex);
  const ctx = await flContext(context, options);
  const print = (line: string) => console.log(line);
  let data: import('../../train/datasets.ts').Dataset | undefined;
  if (role === 'participant') {
    if (!options.data) throw new TrellisError('INVALID_OPTION', '--participant needs --data <rows.csv>.');
    const { participantOf, readTask } = await import('../../fl/task/chain.ts');
    await readTask(ctx, taskId);
    if ((await participantOf(ctx, taskId, context.connection.account.address)).status === 0) {
      await runFlJoin(task, { data: options.data, store: options.store }, context, print);
    }
    const { readDataFile, taskModel } = await import('../../fl/task/model.ts');
    const { initialModelCid } = await import('../../fl/task/chain.ts');
    const { getWeights } = await import('../../fl/task/blob.ts');
    const initial = await getWeights(ctx.store, await initialModelCid(ctx, taskId));
    data = readDataFile(options.data, taskModel(initial.model)).data;
  }
  const { runRole } = await import('../../fl/task/run.ts');
  await runRole(ctx, {
    role,
    taskId,
    data,
    epochs: parseIntegerOption('--epochs', options.epochs, 1, 1000),
    seed: parseIntegerOption('--seed', options.seed, 0, 2 ** 31),
    workDir: join(context.dataDir, 'fl', 'packages'),
    pollMs: parseIntegerOption('--poll-ms', options.pollMs, 50, 600_000),
    print,
  });
}

export function registerFlCommands(program: Command): void {
  const fl = program.command('fl').description('federated training: data owners train a model together, keep their rows, and earn from its use');
  const store = (c: Command) => c.option('--store <dir>', "the block store the task's blobs travel through (default: <data-dir>/fl/store)");

  store(
    addNetworkOptions(
      fl
        .command('create')
        .description('create a training task (you are its owner; the reward pool is escrowed)')
        .option('--model <name>', 'the network to train: breast-cancer-mlp, digits-mlp or digits-cnn', 'breast-cancer-mlp')
        .option('--strategy <name>', 'FedAvg, FedProx, FedMedian or FedTrimmedAvg', 'FedAvg')
        .option('--rounds <n>', 'rounds', '3')
        .option('--quorum <n>', 'least updates a round needs', '2')
        .option('--starts-in <seconds>', 'seconds until round 1 (joins close then)', '30')
        .option('--submit-window <seconds>', 'seconds each round accepts updates', '20')
        .option('--aggregate-window <seconds>', 'seconds the aggregator has to post', '20')
        .option('--challenge-window <seconds>', 'seconds anyone may challenge the aggregate', '10')
        .option('--pool <tUSD>', 'reward pool', '90')
        .option('--join-stake <tUSD>', 'stake of each participant', '5')
        .requiredOption('--aggregator <address>', "the aggregator's address")
        .option('--aggregator-stake <tUSD>', "the aggregator's stake", '20')
        .option('--royalty <bps>', "the final model's royalty in basis points", '1000')
        .option('--dp-epsilon <e>', 'differential privacy: the epsilon budget of the whole task; a round that would pass it does not start')
        .option('--dp-delta <d>', 'the delta the budget is for (default 1e-5)')
        .option('--dp-noise <z>', "the noise multiplier each participant's update carries (default: the least whose rounds fit the budget)")
        .option('--dp-clip <c>', "the L2 norm each participant's update is clipped to (default 1)"),
    ),
  ).action(async (options: CreateOptions) => {
    await runFlCreate(options, await signerContext(options, flDemoRoles.taskOwner));
  });

  store(
    addNetworkOptions(
      fl
        .command('join <task>')
        .description('join a task before it starts: stake, and commit to the size and hash of your rows')
        .requiredOption('--data <rows.csv>', 'your rows: features then the label on each line, preprocessed as the model expects'),
    ),
  ).action(async (task: string, options: NetworkOptions & StoreOption & { data: string }) => {
    await runFlJoin(task, options, await signerContext(options, flDemoRoles.firstParticipant));
  });

  store(
    addNetworkOptions(
      fl
        .command('run <task>')
        .description('play one role of a task until it is over (task "-": read its id from the first line of stdin)')
        .option('--participant', 'train on --data each round and commit the update (joins first if needed)')
        .option('--aggregator', 'aggregate each round after its submit window')
        .option('--watcher', 'recompute every aggregate and challenge a wrong one')
        .option('--owner', 'score each round and publish the final model')
        .option('--data <rows.csv>', "the participant's rows")
        .option('--epochs <n>', 'local epochs per round', '1')
        .option('--seed <n>', 'seed of the local batch order', '1')
        .option('--account <index>', "local chain only: the dev account to sign with (default: the role's account in src/network/roles.ts)")
        .option('--poll-ms <ms>', 'milliseconds between looks at the task', '500'),
    ),
  ).action(async (task: string, options: RunCliOptions) => {
    await runFlRun(task, options);
  });

  store(
    addNetworkOptions(fl.command('status <task>').description('per round: who submitted, the aggregate, its validation accuracy and loss, the rewards')),
  ).action(async (task: string, options: NetworkOptions & StoreOption) => {
    await runFlStatus(task, options, await readContext(options));
  });

  addNetworkOptions(
    fl
      .command('rewards <task>')
      .description('what each contributor earned: round rewards and royalties of the final model')
      .option('--claim', "claim the signer's coordinator credit and royalties")
      .option('--account <index>', 'local chain only: the dev account to claim for'),
  ).action(async (task: string, options: NetworkOptions & { claim?: boolean; account?: string }) => {
    const { parseIntegerOption } = await import('../options.ts');
    const context = await readContext(options);
    const claimer = options.claim
      ? await signerContext(options, options.account === undefined ? flDemoRoles.firstParticipant : parseIntegerOption('--account', options.account, 0, 1000))
      : undefined;
    await runFlRewards(task, claimer, context);
  });

  addNetworkOptions(
    fl
      .command('demo')
      .description('run a whole task on the local network (npm start): one process per data owner, the model published, served and paid for')
      .option('--data <set>', 'breast-cancer (IID across hospitals) or digits (non-IID, Dirichlet)', 'breast-cancer')
      .option('--clients <n>', 'data owners, each its own process (default 5, digits 10)')
      .option('--alpha <a>', 'Dirichlet concentration for digits', '0.5')
      .option('--rounds <n>', 'rounds of FedAvg', '3')
      .option('--dp-epsilon <e>', 'run the task with differential privacy under this epsilon budget (delta 1e-5)'),
  ).action(async (options: NetworkOptions & { data: string; clients?: string; alpha: string; rounds: string; dpEpsilon?: string }) => {
    const { parseIntegerOption } = await import('../options.ts');
    const { runFlDemo } = await import('../../fl/task/demo.ts');
    if (options.data !== 'breast-cancer' && options.data !== 'digits')
      throw new TrellisError('INVALID_OPTION', `--data must be breast-cancer or digits, got "${options.data}".`);
    const alpha = Number(options.alpha);
    if (!(Number.isFinite(alpha) && alpha > 0)) throw new TrellisError('INVALID_OPTION', `--alpha must be a positive number, got "${options.alpha}".`);
    const rounds = parseIntegerOption('--rounds', options.rounds, 1, 20);
    const dp = parsePrivacyOptions({ dpEpsilon: options.dpEpsilon });
    const { privacyFields } = await import('../../fl/task/privacy.ts');
    privacyFields(dp, rounds);
    await runFlDemo({
      context: await signerContext(options, flDemoRoles.taskOwner),
      networkOptions: options,
      data: options.data,
      clients: parseIntegerOption('--clients', options.clients ?? (options.data === 'digits' ? '10' : '5'), 2, 30),
      alpha,
      rounds,
      ...(dp ? { dp } : {}),
    });
  });
}
