// Why the agent SDK refused to act. Every check runs against chain state before a
// transaction is sent, so a refusal costs no gas and moves nothing; the contract runs
// the same checks again, so a caller that skips the SDK gets the same answer on chain.
import { TrellisError, type TrellisErrorOptions } from '../errors.ts';

export type AgentErrorCode =
  | 'AGENTS_NOT_DEPLOYED'
  | 'SPEND_LIMIT_EXCEEDED'
  | 'SPEND_ABOVE_MAX_PER_CALL'
  | 'SPEND_PAYEE_NOT_ALLOWED'
  | 'SPEND_PERMISSION_NOT_APPROVED'
  | 'SPEND_PERMISSION_REVOKED'
  | 'SPEND_PERMISSION_KILLED'
  | 'SPEND_NOT_STARTED'
  | 'SPEND_ENDED'
  | 'SPEND_ZERO_VALUE'
  | 'SPEND_WRONG_SPENDER'
  | 'SPEND_OWNER_FUNDS_SHORT'
  | 'SPEND_PERMISSION_INVALID'
  | 'SPEND_SIGNATURE_INVALID'
  | 'AGENT_UNKNOWN'
  | 'AGENT_EXISTS'
  | 'AGENT_FILE_INVALID'
  | 'AGENT_LIMITS_INVALID'
  | 'AGENT_PAYMENT_UNSUPPORTED'
  | 'AGENT_PAYMENT_FAILED';

export class AgentError extends TrellisError<AgentErrorCode> {
  override name = 'AgentError';
}

/** A spend above what the permission's current period has left; `remaining` says how much that is. */
export class SpendLimitExceededError extends AgentError {
  override name = 'SpendLimitExceededError';
  readonly requested: bigint;
  readonly remaining: bigint;
  /** When the current period ends and the allowance is whole again (unix seconds). */
  readonly periodEnd: bigint;

  constructor(requested: bigint, remaining: bigint, periodEnd: bigint, message: string, options: TrellisErrorOptions = {}) {
    super('SPEND_LIMIT_EXCEEDED', message, options);
    this.requested = requested;
    this.remaining = remaining;
    this.periodEnd = periodEnd;
  }
}
