// Named errors of secure aggregation (docs/privacy.md): a message that is forged,
// replayed or out of place, a share that does not verify, a masked vector of the wrong
// shape, an unmask request a client must refuse, too few survivors. Codes are stable.
import { TrellisError } from '../../errors.ts';

export type SecAggErrorCode =
  | 'SECAGG_BAD_CONFIG'
  | 'SECAGG_BAD_MESSAGE'
  | 'SECAGG_BAD_SIGNATURE'
  | 'SECAGG_WRONG_ROUND'
  | 'SECAGG_NOT_PARTICIPANT'
  | 'SECAGG_DUPLICATE_MESSAGE'
  | 'SECAGG_OUT_OF_ORDER'
  | 'SECAGG_SHARE_INVALID'
  | 'SECAGG_MASKED_INPUT_INVALID'
  | 'SECAGG_DOUBLE_REVEAL'
  | 'SECAGG_TOO_FEW_SURVIVORS';

export class SecAggError extends TrellisError<SecAggErrorCode> {
  override name = 'SecAggError';
}
