// Errors of the dispute tooling: building moves from a trace and playing them on chain.
import { TrellisError } from '../errors.ts';

export type VerifyErrorCode =
  | 'VERIFY_NO_DISAGREEMENT'
  | 'VERIFY_ROOTS_MISMATCH'
  | 'VERIFY_TENSOR_MISMATCH'
  | 'VERIFY_LAYER_OUT_OF_RANGE'
  | 'VERIFY_NO_DISPUTE'
  | 'VERIFY_NOT_YOUR_TURN'
  | 'VERIFY_EVENT_MISSING'
  | 'VERIFY_TX_REVERTED';

export class VerifyError extends TrellisError<VerifyErrorCode> {
  override name = 'VerifyError';
}
