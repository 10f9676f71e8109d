// An agent's limits as its owner states them, checked before anything is signed: every
// amount positive, the per-call maximum within the period's allowance, a period and a
// lifetime of whole seconds. What passes here is what the owner's permission will say.
import { AgentError } from './errors.ts';

export type AgentLimits = {
  /** Most the agent may spend per period (base units). */
  allowance: bigint;
  /** Period length in seconds; what a period leaves unspent does not roll over. */
  period: number;
  /** Most one paid call may cost (base units). */
  perCall: bigint;
  /** How long the permission lasts, in seconds from its start. */
  lifetime: number;
};

/** Thirty days: a permission ends on its own, so a forgotten agent stops spending. */
export const DEFAULT_LIFETIME = 30 * 86_400;

export function checkLimits(limits: AgentLimits): AgentLimits {
  const bad = (what: string, details: string[] = []) => new AgentError('AGENT_LIMITS_INVALID', `The agent's limits are invalid: ${what}.`, { details });
  if (limits.allowance <= 0n) throw bad(`the allowance per period must be positive, got ${limits.allowance}`);
  if (limits.perCall <= 0n) throw bad(`the per-call maximum must be positive, got ${limits.perCall}`);
  if (limits.perCall > limits.allowance) {
    throw bad('the per-call maximum is above the allowance per period', [`per call: ${limits.perCall}`, `allowance: ${limits.allowance}`]);
  }
  if (!Number.isSafeInteger(limits.period) || limits.period <= 0) throw bad(`the period must be a positive number of seconds, got ${limits.period}`);
  if (!Number.isSafeInteger(limits.lifetime) || limits.lifetime <= 0) throw bad(`the lifetime must be a positive number of seconds, got ${limits.lifetime}`);
  return limits;
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3_600, d: 86_400, w: 604_800 };

/** "90s", "30m", "12h", "1d", "2w" (or a bare number of seconds) -> seconds. */
export function parseDuration(name: string, value: string): number {
  const match = /^(\d+)([smhdw]?)$/.exec(value.trim());
  const seconds = match ? Number(match[1]) * UNIT_SECONDS[match[2] || 's']! : Number.NaN;
  if (!Number.isSafeInteger(seconds) || seconds <= 0) {
    throw new AgentError('AGENT_LIMITS_INVALID', `${name} must be a positive duration such as 90s, 30m, 12h, 1d or 2w, got "${value}".`);
  }
  return seconds;
}
