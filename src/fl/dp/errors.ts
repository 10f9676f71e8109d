// Named errors of differential privacy: parameters out of their domain, a round
// that would take the task past its epsilon budget, and a participant asked to add
// less privacy than its task committed to. Codes are stable.
import { TrellisError } from '../../errors.ts';

export type DpErrorCode = 'DP_BAD_CONFIG' | 'DP_BUDGET_EXCEEDED' | 'DP_WEAKER_THAN_TASK';

export class DpError extends TrellisError<DpErrorCode> {
  override name = 'DpError';
}
