// Errors of model resolution: which on-chain publication of a model a client or a
// provider uses, whether it is the model the local artifact holds, and whether its
// declared schema fits it.
import { TrellisError } from '../errors.ts';

export type ModelErrorCode =
  | 'MODEL_PUBLISHER_UNKNOWN'
  | 'MODEL_NOT_PUBLISHED'
  | 'MODEL_CONTENT_MISMATCH'
  | 'MODEL_DEPRECATED'
  | 'MODEL_COMMITMENT_MISMATCH'
  | 'MODEL_SHAPE_MISMATCH'
  | 'MODEL_SCHEMA_INVALID'
  /** A publication whose metadata URI names no package (not ipfs://<cid>). */
  | 'MODEL_URI_UNSUPPORTED';

export class ModelError extends TrellisError<ModelErrorCode> {
  override name = 'ModelError';
}
