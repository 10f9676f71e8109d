// How long one provider call may take. The whole retry budget of a request must fit
// inside its deadline, which is also how long the client waits (src/sdk/client.ts):
// the time left before the deadline, less a margin for the answer's way back, is
// split over the attempts still allowed, with a floor below which an attempt is not
// worth starting. A provider whose measured latency exceeds its share may take longer,
// as long as every later attempt keeps its floor. A pure function, tested alone.

export type AttemptBudget = {
  /** The request's deadline, milliseconds since the epoch. */
  deadlineMs: number;
  nowMs: number;
  /** This attempt and the ones that may follow it. */
  attemptsLeft: number;
  /** The provider's latency EMA; undefined when never measured. */
  latencyMs: number | undefined;
  /** The longest any one call may take (the gateway's requestTimeoutMs). */
  capMs: number;
};

/** Kept back before the deadline for the answer to reach the client and be checked. */
export const ANSWER_MARGIN_MS = 500;
/** The shortest call worth making. */
export const ATTEMPT_FLOOR_MS = 500;
/** How many of its usual round trips a measured provider may take. */
export const LATENCY_HEADROOM = 4;

/** Milliseconds this attempt may take; undefined when too little time is left to try. */
export function attemptTimeoutMs(budget: AttemptBudget): number | undefined {
  const left = budget.deadlineMs - budget.nowMs - ANSWER_MARGIN_MS;
  if (left < ATTEMPT_FLOOR_MS) return undefined;
  const attempts = Math.max(1, budget.attemptsLeft);
  const share = left / attempts;
  const wanted = budget.latencyMs === undefined ? share : Math.max(share, budget.latencyMs * LATENCY_HEADROOM);
  const room = left - ATTEMPT_FLOOR_MS * (attempts - 1);
  return Math.floor(Math.min(budget.capMs, Math.max(ATTEMPT_FLOOR_MS, Math.min(wanted, room))));
}
