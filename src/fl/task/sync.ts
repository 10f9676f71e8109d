// Where a task stands now, and a nudge when the chain has not noticed yet: the
// coordinator rolls rounds forward only inside a write, so a party that sees a
// deadline of the current round pass calls `advance` (open to anyone) and reads again.
// A posted round's challenge window is the availability game's: answers to demands
// extend it, and pending demands hold the round until their deadlines.
import type { Hex } from 'viem';
import {
  type Availability,
  chainNow,
  flWrite,
  readAvailability,
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
  /** The availability game of the posted aggregate (Posted rounds only). */
  availability: Availability | undefined;
  /** When a posted round settles (Posted rounds only): its challenge end as extended by answers, or the last deadline of pending demands. */
  settlesAt: bigint | undefined;
  status: RoundStatusName;
  submitEnd: bigint | undefined;
  finished: boolean;
};

/**
 * The moment a posted round settles: its challenge end as answers extended it, or, while
 * demands are pending, their last deadline (the round then closes final or void). The
 * game's state counts only when it belongs to the live post.
 */
export function postedRoundEnd(config: TaskConfig, rd: RoundState, av: Availability): bigint {
  const challengeEnd = rd.postedAt + BigInt(config.challengeWindow);
  if (av.post !== rd.posts) return challengeEnd;
  if (av.pending > 0) return av.lastDeadline;
  return av.challengeEnd > challengeEnd ? av.challengeEnd : challengeEnd;
}

function deadlinePassed(config: TaskConfig, state: TaskState, rd: RoundState | undefined, av: Availability | undefined, now: bigint): boolean {
  if (state.finishedAt !== 0n) return false;
  if (state.currentRound === 0) return now >= config.startsAt;
  if (!rd) return false;
  const status = roundStatuses[rd.status];
  if (status === 'Posted') return av !== undefined && now >= postedRoundEnd(config, rd, av);
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
  const posted = roundState !== undefined && roundStatuses[roundState.status] === 'Posted';
  const availability = posted ? await readAvailability(ctx, taskId, round) : undefined;
  return {
    taskId,
    config,
    state,
    now,
    round,
    roundState,
    availability,
    settlesAt: availability && roundState && postedRoundEnd(config, roundState, availability),
    status: (roundState && roundStatuses[roundState.status]) || 'None',
    submitEnd: roundState ? roundState.start + BigInt(config.submitWindow) : undefined,
    finished: state.finishedAt !== 0n,
  };
}

/** The task as of now, rolled forward on chain first when a deadline has passed. */
export async function syncTask(ctx: FlContext, taskId: bigint): Promise<TaskView> {
  const before = await view(ctx, taskId);
  if (!deadlinePassed(before.config, before.state, before.roundState, before.availability, before.now)) return before;
  await flWrite(ctx, `Advancing task ${taskId}`, 'advance', [taskId]);
  return view(ctx, taskId);
}

export const isZeroRoot = (root: Hex): boolean => /^0x0*$/.test(root);
