// Errors of the automation around the dispute game: watchers, a provider answering
// disputes, and the deliberately faulty provider option.
import { TrellisError } from '../errors.ts';

export type WatchErrorCode =
  | 'WATCH_OPTIONS_INVALID'
  | 'WATCH_FAULT_OPTIONS_INVALID'
  | 'WATCH_MODEL_UNKNOWN'
  | 'WATCH_OPEN_TX_UNREADABLE'
  | 'WATCH_RECEIPT_UNKNOWN'
  | 'WATCH_TRACE_MISMATCH'
  | 'WATCH_RECORD_INVALID';

export class WatchError extends TrellisError<WatchErrorCode> {
  override name = 'WatchError';
}
