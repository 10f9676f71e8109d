// Errors of the automation around the dispute game: watchers, a provider answering
// disputes, and the deliberately faulty provider option.
import { TrellisError, type TrellisErrorOptions } from '../errors.ts';

export type WatchErrorCode =
  | 'WATCH_OPTIONS_INVALID'
  | 'WATCH_FAULT_OPTIONS_INVALID'
  | 'WATCH_MODEL_UNKNOWN'
  | 'WATCH_OPEN_TX_UNREADABLE'
  | 'WATCH_RECEIPT_UNKNOWN'
  | 'WATCH_TRACE_MISMATCH'
  | 'WATCH_RECORD_INVALID';

export class WatchError extends TrellisError {
  override name = 'WatchError';
  declare readonly code: WatchErrorCode;
  constructor(code: WatchErrorCode, shortMessage: string, options: TrellisErrorOptions = {}) {
    super(code, shortMessage, options);
  }
}
