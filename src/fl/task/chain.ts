// The coordinator as the SDK sees it (contracts/src/fl/FederatedTraining.sol, docs/fl.md):
// one context per party (its signer, the deployment, the store blobs travel through),
// writes that explain a revert in words, and the reads every loop needs: a task's
// config and state, the current round, the updates committed in it, and the CID of the
// model a round starts from.
import { getContractAddress, type Address, type Hex } from 'viem';
import type { SignerConnection } from '../../chain/connect.ts';
import { flTaskRulesAbi } from '../../chain/generated/FlTaskRules.ts';
import { federatedTrainingAbi } from '../../chain/generated/FederatedTraining.ts';
import { flAvailabilityAbi } from '../../chain/generated/FlAvailability.ts';
import { flSelectionAbi } from '../../chain/generated/FlSelection.ts';
import { trellisTokenAbi } from '../../chain/generated/TrellisToken.ts';
import type { Deployment } from '../../chain/manifest.ts';
import { transact } from '../../sdk/transact.ts';
import type { BlockStore } from '../../store/index.ts';
import { FlTaskError } from './errors.ts';
import { writeContract } from '../../chain/write.ts';

export type FlContext = {
  connection: SignerConnection;
  deployment: Deployment;
  /** Where update and model blobs are put and fetched (shared by the parties of a task). */
  store: BlockStore;
  /**
   * The party's own copies of the blobs it committed (a participant's updates, the
   * aggregator's aggregates and the updates it included), on disk so that they survive a
   * restart: a demand on one of them must be answered from somewhere (src/fl/task/openings.ts).
   */
  kept?: BlockStore;
};

export const roundStatuses = ['None', 'Open', 'Posted', 'Final', 'Empty'] as const;
export type RoundStatusName = (typeof roundStatuses)[number];

export function coordinator(deployment: Deployment): Address {
  const fl = deployment.fl?.federatedTraining;
  if (!fl) {
    throw new FlTaskError('FL_UNKNOWN_TASK', 'This deployment has no federated-training coordinator.', {
      details: ['redeploy the local network (npm start -- --fresh) with a version that deploys contracts/src/fl'],
    });
  }
  return fl;
}

/**
 * The game's ABI with the coordinator's errors: a demand rolls the task forward through
 * the coordinator, whose refusals (an unknown task, say) then come back through the game.
 */
const gameAbi = [...flAvailabilityAbi, ...federatedTrainingAbi.filter((item) => item.type === 'error')];
const selectionAbi = [...flSelectionAbi, ...federatedTrainingAbi.filter((item) => item.type === 'error')];

/** Sends one coordinator write (simulated first, so a revert is explained by name) and waits for it. */
export async function flWrite(ctx: FlContext, action: string, functionName: string, args: readonly unknown[]): Promise<Hex> {
  return send(ctx, action, coordinator(ctx.deployment), federatedTrainingAbi, functionName, args);
}

/** Sends one write to the availability game (FlAvailability): demands, answers, settlements. */
export async function gameWrite(ctx: FlContext, action: string, functionName: string, args: readonly unknown[]): Promise<Hex> {
  return send(ctx, action, await availabilityGame(ctx), gameAbi, functionName, args);
}

/** Sends one write to the Krum selection game (FlSelection): challenges of a distance or of the selection. */
export async function selectionWrite(ctx: FlContext, action: string, functionName: string, args: readonly unknown[]): Promise<Hex> {
  return send(ctx, action, await selectionGame(ctx), selectionAbi, functionName, args);
}

async function send(ctx: FlContext, action: string, address: Address, abi: readonly unknown[], functionName: string, args: readonly unknown[]): Promise<Hex> {
  const { connection } = ctx;
  return transact(connection, action, async () => {
    // Simulated on the pending block: the latest block's time can be long past on a chain
    // that mines on demand, and a deadline check there would refuse a write that lands fine.
    const call = {
      blockTag: 'pending',
      account: connection.account,
      address,
      abi: abi as typeof federatedTrainingAbi,
      functionName: functionName as never,
      args: args as never,
    } as const;
    const { request } = await connection.publicClient.simulateContract(call);
    // The margin of every write (src/chain/write.ts) covers a deadline extended to
    // `now + window` only when it moves: a write mined a second later costs more.
    return writeContract(connection, request as never);
  });
}

/** Approves the coordinator (or `spender`, the availability game for bonds) to pull `amount` of the payment token (stakes, the pool, bonds). */
export async function approveCoordinator(ctx: FlContext, amount: bigint, spender: Address = coordinator(ctx.deployment)): Promise<void> {
  const { connection, deployment } = ctx;
  const current = await connection.publicClient.readContract({
    address: deployment.contracts.token,
    abi: trellisTokenAbi,
    functionName: 'allowance',
    args: [connection.account.address, spender],
  });
  if (current >= amount) return;
  await transact(connection, 'Approving the coordinator', async () =>
    writeContract(connection, {
      address: deployment.contracts.token,
      abi: trellisTokenAbi,
      functionName: 'approve',
      args: [spender, amount],
      account: connection.account,
      chain: connection.walletClient.chain,
    }),
  );
}

type Reader = Pick<FlContext, 'deployment'> & { connection: Pick<SignerConnection, 'publicClient'> };

const read = <T>(ctx: Reader, functionName: string, args: readonly unknown[]): Promise<T> =>
  ctx.connection.publicClient.readContract({
    address: coordinator(ctx.deployment),
    abi: federatedTrainingAbi,
    functionName: functionName as never,
    args: args as never,
  }) as Promise<T>;

export type TaskConfig = {
  initialRoot: Hex;
  elementCount: number;
  strategy: number;
  trimBetaBps: number;
  krumByzantine: number;
  krumSelect: number;
  proximalMuMicros: number;
  rounds: number;
  quorum: number;
  maxParticipants: number;
  startsAt: bigint;
  submitWindow: number;
  aggregateWindow: number;
  challengeWindow: number;
  rewardPool: bigint;
  joinStake: bigint;
  aggregator: Address;
  aggregatorStake: bigint;
  allowlistRoot: Hex;
  validationCommitment: Hex;
  royaltyBps: number;
  /** Differential privacy (src/fl/task/privacy.ts): all zero for none. */
  dpEpsilonMicros: number;
  dpDeltaAtto: bigint;
  dpNoiseMicros: number;
  dpClipMicros: number;
};

export type TaskState = {
  owner: Address;
  currentRound: number;
  participantCount: number;
  aggregatorStaked: boolean;
  closed: boolean;
  published: boolean;
  finishedAt: bigint;
  poolLeft: bigint;
  bonus: bigint;
  modelRoot: Hex;
  totalShares: bigint;
  royalties: Address;
  modelId: Hex;
};

export type RoundState = {
  status: number;
  scored: boolean;
  posts: number;
  submissions: number;
  included: number;
  start: bigint;
  aggregateDeadline: bigint;
  postedAt: bigint;
  aggregateRoot: Hex;
  selectionHash: Hex;
};

/** A task's config and state; an id no task has is refused by name. */
export async function readTask(ctx: Reader, taskId: bigint): Promise<{ config: TaskConfig; state: TaskState }> {
  const count = await read<bigint>(ctx, 'taskCount', []);
  if (taskId < 1n || taskId > count) {
    throw new FlTaskError('FL_UNKNOWN_TASK', `There is no federated task ${taskId}.`, {
      details: [count === 0n ? 'no task was created yet (trellis fl create)' : `task ids run from 1 to ${count}`],
    });
  }
  const [config, state] = await Promise.all([read<TaskConfig>(ctx, 'taskConfig', [taskId]), read<TaskState>(ctx, 'taskState', [taskId])]);
  return { config, state };
}

export const readRound = (ctx: Reader, taskId: bigint, round: number): Promise<RoundState> => read<RoundState>(ctx, 'round', [taskId, BigInt(round)]);

export async function participantOf(ctx: Reader, taskId: bigint, account: Address): Promise<{ status: number; index: number; examples: bigint }> {
  const [status, index, examples] = await read<[number, number, bigint]>(ctx, 'participant', [taskId, account]);
  return { status, index, examples };
}

export const participantAt = (ctx: Reader, taskId: bigint, index: number): Promise<Address> => read<Address>(ctx, 'participantAt', [taskId, index]);
export const claimableOf = (ctx: Reader, account: Address): Promise<bigint> => read<bigint>(ctx, 'claimable', [account]);
export const shareOf = (ctx: Reader, taskId: bigint, account: Address): Promise<bigint> => read<bigint>(ctx, 'shareOf', [taskId, account]);

/**
 * The epsilon a task has spent by its current round and its budget, in millionths, as
 * the coordinator counts them: its rules contract (contracts/src/fl/FlTaskRules.sol) asked
 * about the committed parameters. Zero and zero for a task without DP.
 */
export async function privacySpentOf(ctx: Reader, taskId: bigint): Promise<{ epsilonMicros: bigint; budgetMicros: bigint }> {
  const { config, state } = await readTask(ctx, taskId);
  if (config.dpEpsilonMicros === 0) return { epsilonMicros: 0n, budgetMicros: 0n };
  const epsilonMicros = await ctx.connection.publicClient.readContract({
    address: await read<Address>(ctx, 'rules', []),
    abi: flTaskRulesAbi,
    functionName: 'epsilonAfter',
    args: [BigInt(config.dpNoiseMicros), config.dpDeltaAtto, BigInt(state.currentRound)],
  });
  return { epsilonMicros, budgetMicros: BigInt(config.dpEpsilonMicros) };
}

/** The coordinator's availability game, which the coordinator created (its address never changes). */
export async function availabilityGame(ctx: Reader): Promise<Address> {
  return read<Address>(ctx, 'availability', []);
}

/**
 * The coordinator's Krum selection game: the coordinator's constructor creates it second
 * (after the availability game), so it lives at the CREATE address of the coordinator's
 * nonce 2; the coordinator has no getter for it (its code is at the size limit).
 */
export async function selectionGame(ctx: Pick<FlContext, 'deployment'>): Promise<Address> {
  return getContractAddress({ from: coordinator(ctx.deployment), nonce: 2n });
}

export type CommittedDistances = { root: Hex; participants: number[]; distances: bigint[]; prefixRoots: Hex[]; cid: string };

/** The distance matrix committed with post `post` of a round (Krum and MultiKrum), from `DistancesCommitted`. */
export async function committedDistances(ctx: Reader, taskId: bigint, round: number, post: number): Promise<CommittedDistances | undefined> {
  const logs = (await ctx.connection.publicClient.getContractEvents({
    address: await selectionGame(ctx),
    abi: flSelectionAbi,
    eventName: 'DistancesCommitted',
    args: { taskId, round: BigInt(round) },
    fromBlock: 0n,
    strict: true,
  })) as unknown as { args: Record<string, unknown> }[];
  // A later commitment for the same post replaces an earlier one (the post freezes the last).
  const hit = logs.filter((l) => Number(l.args.post) === post).at(-1);
  if (!hit) return undefined;
  return {
    root: hit.args.root as Hex,
    participants: (hit.args.participants as readonly number[]).map(Number),
    distances: [...(hit.args.distances as readonly bigint[])],
    prefixRoots: [...(hit.args.prefixRoots as readonly Hex[])],
    cid: hit.args.cid as string,
  };
}

const readGame = async <T>(ctx: Reader, functionName: string, args: readonly unknown[]): Promise<T> =>
  ctx.connection.publicClient.readContract({
    address: await availabilityGame(ctx),
    abi: flAvailabilityAbi,
    functionName: functionName as never,
    args: args as never,
  }) as Promise<T>;

const gameEvents = async (ctx: Reader, eventName: string, args: Record<string, unknown>) =>
  ctx.connection.publicClient.getContractEvents({
    address: await availabilityGame(ctx),
    abi: flAvailabilityAbi,
    eventName: eventName as never,
    args: args as never,
    fromBlock: 0n,
    strict: true,
  }) as unknown as Promise<{ args: Record<string, unknown>; transactionHash: Hex }[]>;

const events = async (ctx: Reader, eventName: string, args: Record<string, unknown>) =>
  ctx.connection.publicClient.getContractEvents({
    address: coordinator(ctx.deployment),
    abi: federatedTrainingAbi,
    eventName: eventName as never,
    args: args as never,
    fromBlock: 0n,
    strict: true,
  }) as unknown as Promise<{ args: Record<string, unknown>; transactionHash: Hex }[]>;

export async function initialModelCid(ctx: Reader, taskId: bigint): Promise<string> {
  const [created] = await events(ctx, 'TaskCreated', { taskId });
  if (!created) throw new FlTaskError('FL_UNKNOWN_TASK', `There is no federated task ${taskId}.`);
  return created.args.initialModelCid as string;
}

export type CommittedUpdate = { index: number; account: Address; root: Hex; cid: string; transactionHash: Hex };

/** The updates committed in `round`, by participant index. */
export async function committedUpdates(ctx: Reader, taskId: bigint, round: number): Promise<CommittedUpdate[]> {
  const logs = await events(ctx, 'UpdateCommitted', { taskId, round: BigInt(round) });
  return logs
    .map((l) => ({
      index: Number(l.args.index),
      account: l.args.account as Address,
      root: l.args.root as Hex,
      cid: l.args.cid as string,
      transactionHash: l.transactionHash,
    }))
    .sort((a, b) => a.index - b.index);
}

export type PostedAggregate = { round: number; root: Hex; cid: string; excluded: number[]; selected: number[] };

/** Every aggregate posted in the task, in order (a round challenged and reposted appears twice). */
export async function postedAggregates(ctx: Reader, taskId: bigint): Promise<PostedAggregate[]> {
  const logs = await events(ctx, 'AggregatePosted', { taskId });
  return logs.map((l) => ({
    round: Number(l.args.round),
    root: l.args.root as Hex,
    cid: l.args.cid as string,
    excluded: (l.args.excluded as readonly number[]).map(Number),
    selected: (l.args.selected as readonly number[]).map(Number),
  }));
}

/** The CID of the model round `round` starts from: the last final aggregate before it, else the initial model. */
export async function modelCidBefore(ctx: Reader, taskId: bigint, round: number): Promise<{ cid: string; root: Hex }> {
  const { config } = await readTask(ctx, taskId);
  const posted = await postedAggregates(ctx, taskId);
  for (let r = round - 1; r >= 1; r--) {
    const state = await readRound(ctx, taskId, r);
    if (roundStatuses[state.status] !== 'Final') continue;
    const last = posted.filter((p) => p.round === r).at(-1);
    if (last && last.root === state.aggregateRoot) return { cid: last.cid, root: last.root };
  }
  return { cid: await initialModelCid(ctx, taskId), root: config.initialRoot };
}

/**
 * The chain's clock: the time the next block would get (the pending block's), never
 * before the latest block. Not the wall clock: a local chain's clock can run behind it,
 * and a write decided by the wall clock would land before the deadline it waited for.
 */
export async function chainNow(ctx: Reader): Promise<bigint> {
  const [latest, pending] = await Promise.all([ctx.connection.publicClient.getBlock(), ctx.connection.publicClient.getBlock({ blockTag: 'pending' })]);
  return pending.timestamp > latest.timestamp ? pending.timestamp : latest.timestamp;
}

/** The rounds `account` committed an update in. */
export async function roundsSubmittedBy(ctx: Reader, taskId: bigint, account: Address): Promise<number[]> {
  const logs = await events(ctx, 'UpdateCommitted', { taskId, account });
  return logs.map((l) => Number(l.args.round));
}

/** The target of a demand on the aggregate itself (the contract's AGGREGATE). */
export const AGGREGATE_TARGET = 2 ** 32 - 1;
export const demandStatuses = ['None', 'Pending', 'Answered', 'Unanswered'] as const;
export type DemandStatusName = (typeof demandStatuses)[number];

/** The availability game of one post of a round: pending demands, their latest deadline, the challenge end as answers extended it. */
export type Availability = { post: number; pending: number; lastDeadline: bigint; challengeEnd: bigint };

export const readAvailability = (ctx: Reader, taskId: bigint, round: number): Promise<Availability> =>
  readGame<Availability>(ctx, 'availability', [taskId, BigInt(round)]);

export type DemandView = {
  demandId: bigint;
  round: number;
  post: number;
  demander: Address;
  /** A participant index, or AGGREGATE_TARGET. */
  target: number;
  index: number;
  bond: bigint;
  deadline: bigint;
  status: DemandStatusName;
  /** The opened value, once answered. */
  value?: bigint;
  answerer?: Address;
};

/** Every demand of the task, with its status now and, for answered ones, the value opened (from `DemandAnswered`). */
export async function taskDemands(ctx: Reader, taskId: bigint): Promise<DemandView[]> {
  const [made, answered] = await Promise.all([gameEvents(ctx, 'OpeningDemanded', { taskId }), gameEvents(ctx, 'DemandAnswered', { taskId })]);
  const answers = new Map(answered.map((l) => [String(l.args.demandId), l.args]));
  return Promise.all(
    made.map(async (l) => {
      const demandId = l.args.demandId as bigint;
      const d = await readGame<{ status: number; post: number }>(ctx, 'demandOf', [demandId]);
      const answer = answers.get(String(demandId));
      return {
        demandId,
        round: Number(l.args.round),
        post: Number(d.post),
        demander: l.args.demander as Address,
        target: Number(l.args.target),
        index: Number(l.args.index),
        bond: l.args.bond as bigint,
        deadline: l.args.deadline as bigint,
        status: demandStatuses[d.status] ?? 'None',
        ...(answer ? { value: answer.value as bigint, answerer: answer.answerer as Address } : {}),
      };
    }),
  );
}

export const demandBondOf = (ctx: Reader, taskId: bigint): Promise<bigint> => readGame<bigint>(ctx, 'demandBond', [taskId]);
