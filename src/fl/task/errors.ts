// Named errors of running a federated task on the network (src/fl/task): what was
// wrong with a task, a data file or an update blob, before anything is sent.
import { TrellisError } from '../../errors.ts';

export type FlTaskErrorCode =
  | 'FL_UNKNOWN_TASK'
  | 'FL_NOT_JOINED'
  | 'FL_TASK_NOT_FINISHED'
  | 'FL_STAKE_MISSING'
  | 'FL_DATA_WIDTH'
  | 'FL_DATA_MALFORMED'
  | 'FL_BLOB_MALFORMED'
  | 'FL_BLOB_MISMATCH'
  | 'FL_BLOB_MISSING'
  | 'FL_STRATEGY_UNSUPPORTED'
  | 'FL_MODEL_UNKNOWN';

export class FlTaskError extends TrellisError<FlTaskErrorCode> {
  override name = 'FlTaskError';
}
