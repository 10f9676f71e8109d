// Errors of the training side: reading the shipped data sets, building and training
// the default models, and exporting them. Codes are stable and machine-readable.
import { TrellisError } from '../errors.ts';

export type TrainErrorCode = 'TRAIN_DATA_MALFORMED' | 'TRAIN_SHAPE_MISMATCH' | 'TRAIN_BAD_CONFIG' | 'TRAIN_UNKNOWN_MODEL';

export class TrainError extends TrellisError<TrainErrorCode> {
  override name = 'TrainError';
}
