// Named errors of differential privacy: parameters out of their domain, and a round
// that would take the task past its epsilon budget. Codes are stable.
import { TrellisError } from '../../errors.ts';

export type DpErrorCode = 'DP_BAD_CONFIG' | 'DP_BUDGET_EXCEEDED';

export class DpError extends TrellisError<DpErrorCode> {
  override name = 'DpError';
}
