// Named errors of weight-vector commitments and the per-element aggregation rule
// (docs/fl.md, "Formats"): what was wrong, with the offending index and value.
import { TrellisError } from '../errors.ts';

export type FlCommitmentErrorCode =
  | 'FL_VALUE_NOT_INTEGER'
  | 'FL_VALUE_OUT_OF_RANGE'
  | 'FL_VALUE_NOT_FINITE'
  | 'FL_EMPTY_VECTOR'
  | 'FL_INDEX_OUT_OF_RANGE'
  | 'FL_AGGREGATE_INPUT_INVALID';

export class FlCommitmentError extends TrellisError<FlCommitmentErrorCode> {
  override name = 'FlCommitmentError';
}
