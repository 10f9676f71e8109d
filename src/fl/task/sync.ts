// Where a task stands now, and a nudge when the chain has not noticed yet: the
// coordinator rolls rounds forward only inside a write, so a party that sees a
// deadline of the current round pass calls `advance` (open to anyone) and reads again.
import type { Hex } from 'viem';
import {
  chainNow,
  flWrite,
  readRound,
  readTask,
  roundStatuses,
  type FlContext,
  type RoundState,
  type RoundStatusName,
  type TaskConfig,
  type TaskState,
} from './chain.ts';

export type TaskView = {
  taskId: bigint;
  config: TaskConfig;
  state: TaskState;
  now: bigint;
  /** 0 before the start. */
  round: number;
  roundState: RoundState | undefined;
  status: RoundStatusName;
  submitEnd: bigint | undefined;
  finished: boolean;
};

function deadlinePassed(config: TaskConfig, state: TaskState, rd: RoundState | undefined, now: bigint): boolean {
  if (state.finishedAt !== 0n) return false;
  if (state.currentRound === 0) return now >= config.startsAt;
  if (!rd) return false;
  const status = roundStatuses[rd.status];
  if (status === 'Posted') return now >= rd.postedAt + BigInt(config.challengeWindow);
  if (status !== 'Open') return false;
  const submitEnd = rd.start + BigInt(config.submitWindow);
  if (now < submitEnd) return false;
  return rd.submissions < config.quorum || now >= rd.aggregateDeadline;
}

async function view(ctx: FlContext, taskId: bigint): Promise<TaskView> {
  const { config, state } = await readTask(ctx, taskId);
  const now = await chainNow(ctx);
  const round = state.currentRound;
  const roundState = round === 0 ? undefined : await readRound(ctx, taskId, round);
  return {
    taskId,
    config,
    state,
    now,
    round,
    roundState,
    status: (roundState && roundStatuses[roundState.status]) || 'None',
    submitEnd: roundState ? roundState.start + BigInt(config.submitWindow) : undefined,
    finished: state.finishedAt !== 0n,
  };
}

/** The task as of now, rolled forward on chain first when a deadline has passed. */
export async function syncTask(ctx: FlContext, taskId: bigint): Promise<TaskView> {
  const before = await view(ctx, taskId);
  if (!deadlinePassed(before.config, before.state, before.roundState, before.now)) return before;
  await flWrite(ctx, `Advancing task ${taskId}`, 'advance', [taskId]);
  return view(ctx, taskId);
}

export const isZeroRoot = (root: Hex): boolean => /^0x0*$/.test(root);
