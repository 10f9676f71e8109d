// Named errors of homomorphic aggregation (docs/privacy.md, "Homomorphic aggregation"):
// parameters that would let a sum carry from one packed slot into the next, a ciphertext
// that is not one of the key's, an update of the wrong shape, a decrypted sum that no
// honest set of clients could have produced. Codes are stable.
import { TrellisError } from '../../errors.ts';

export type HeErrorCode = 'HE_BAD_CONFIG' | 'HE_CIPHERTEXT_INVALID' | 'HE_UPDATE_INVALID' | 'HE_DUPLICATE_UPDATE' | 'HE_SUM_OUT_OF_RANGE';

export class HeError extends TrellisError<HeErrorCode> {
  override name = 'HeError';
}
