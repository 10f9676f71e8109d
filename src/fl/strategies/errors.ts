// Errors of the federated-learning strategies and of the weight vectors they take:
// a wrong length, a value that is not finite or out of range, a bad example count,
// too few results, a strategy parameter out of its domain. Codes are stable.
import { TrellisError } from '../../errors.ts';

export type StrategyErrorCode =
  | 'FL_UPDATE_WRONG_LENGTH'
  | 'FL_VALUE_NOT_FINITE'
  | 'FL_VALUE_OUT_OF_RANGE'
  | 'FL_BAD_EXAMPLE_COUNT'
  | 'FL_DUPLICATE_CLIENT'
  | 'FL_TOO_FEW_RESULTS'
  | 'FL_NOT_ENOUGH_CLIENTS'
  | 'FL_BAD_STRATEGY_CONFIG'
  | 'FL_BAD_PARTITION';

export class StrategyError extends TrellisError<StrategyErrorCode> {
  override name = 'StrategyError';
}
