// Errors of the indexer and its HTTP API, each with a stable code; the API answers
// with the status `indexerErrorStatus` names and the body { error: { code, message, details } }.
import { TrellisError } from '../errors.ts';

export const indexerErrorStatus = {
  /** A query parameter is not one the route takes, or has the wrong form. */
  INVALID_QUERY: 400,
  INVALID_ADDRESS: 400,
  INVALID_ID: 400,
  INVALID_LIMIT: 400,
  INVALID_CURSOR: 400,
  ROUTE_NOT_FOUND: 404,
  PROVIDER_NOT_FOUND: 404,
  MODEL_NOT_FOUND: 404,
  DISPUTE_NOT_FOUND: 404,
  AGENT_NOT_FOUND: 404,
  PERMISSION_NOT_FOUND: 404,
  TASK_NOT_FOUND: 404,
  /** GET /v1/search: no transaction, receipt, dispute or model has the hash. */
  HASH_NOT_FOUND: 404,
  /** The index is not ready to answer (the database is closing). */
  INDEX_UNAVAILABLE: 503,
  INTERNAL: 500,
  /** Not answered over HTTP: raised when starting. */
  DATABASE_TOO_NEW: 500,
  DATABASE_UNREACHABLE: 500,
  INDEXER_OPTIONS_INVALID: 500,
} as const;

export type IndexerErrorCode = keyof typeof indexerErrorStatus;

export class IndexerError extends TrellisError<IndexerErrorCode> {
  override name = 'IndexerError';

  get status(): number {
    return indexerErrorStatus[this.code];
  }

  toJSON(): { error: { code: string; message: string; details: string[] } } {
    return { error: { code: this.code, message: this.shortMessage, details: [...this.details] } };
  }
}
