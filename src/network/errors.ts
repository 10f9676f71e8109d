// Errors of the local network's role processes: which role, and what happened to it.
import { TrellisError } from '../errors.ts';

export type NetworkErrorCode =
  /** A role process exited on its own, before or after it was ready. */
  | 'ROLE_DIED'
  /** A role process started but could not bring its part up (its own error is in the details). */
  | 'ROLE_START_FAILED'
  /** A call to a role process (redeem now, refresh) failed or found it gone. */
  | 'ROLE_CALL_FAILED'
  /** A role's stats endpoint did not answer. */
  | 'ROLE_STATS_UNAVAILABLE'
  /** `trellis role` was run by hand, not by the process of `trellis up`. */
  | 'ROLE_WITHOUT_PARENT';

export class NetworkError extends TrellisError<NetworkErrorCode> {
  override name = 'NetworkError';
}
