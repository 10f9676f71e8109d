// Errors that cross the network. Each code has one HTTP status; the body of every
// error response is { "error": { "code", "message", "details" } }, the same from a
// provider and from a gateway, so clients handle one shape.
import { TrellisError } from '../errors.ts';

export const protocolErrorStatus = {
  MALFORMED_JSON: 400,
  INVALID_BODY: 400,
  INVALID_INPUT: 422,
  UNKNOWN_MODEL: 404,
  UNKNOWN_RECEIPT: 404,
  BAD_SIGNATURE: 401,
  WRONG_CLIENT: 401,
  /** The request names another router than this provider and carries no assignment. */
  ROUTE_MISMATCH: 403,
  /** The assignment is not the request router's word that it sent this request to this provider. */
  ASSIGNMENT_INVALID: 403,
  REPLAYED: 409,
  DEADLINE_EXPIRED: 410,
  DEADLINE_TOO_FAR: 400,
  FEE_TOO_LOW: 402,
  INSUFFICIENT_ESCROW: 402,
  CREDIT_EXHAUSTED: 402,
  VOUCHER_INVALID: 400,
  VOUCHER_AMOUNT_WRONG: 409,
  BODY_TOO_LARGE: 413,
  NOT_FOUND: 404,
  SHUTTING_DOWN: 503,
  NO_PROVIDER: 503,
  /** verification zk for a model this provider holds no proving key of. */
  ZK_NOT_SERVED: 422,
  /** A zk result whose proof does not verify, or does not match the receipt: refused, nothing paid. */
  ZK_PROOF_INVALID: 502,
  PROVIDER_FAILED: 502,
  PROVIDER_BAD_RESPONSE: 502,
  /** A receipt's channelTotal is not what the client paid so far plus the fee: refused, nothing paid. */
  CHANNEL_TOTAL_WRONG: 502,
  /** The client re-executed a sampled result and it is wrong: refused, nothing paid, receipt kept to dispute. */
  RESULT_WRONG: 502,
  /** A sealed input or output that does not open: wrong key, another request's, or altered. */
  SEALED_INPUT_INVALID: 400,
  /** The input was sealed to a key this provider no longer holds: read its current key and seal again. */
  SEALING_KEY_UNKNOWN: 409,
  CHAIN_UNREACHABLE: 503,
  INTERNAL: 500,
} as const;

export type ProtocolErrorCode = keyof typeof protocolErrorStatus;

export class ProtocolError extends TrellisError<ProtocolErrorCode> {
  override name = 'ProtocolError';

  get status(): number {
    return protocolErrorStatus[this.code];
  }

  toJSON(): ErrorBody {
    return { error: { code: this.code, message: this.shortMessage, details: [...this.details] } };
  }
}

export type ErrorBody = { error: { code: string; message: string; details: string[] } };

/** Turns an error body received over HTTP back into a ProtocolError. */
export function errorFromBody(body: unknown, fallback: string): ProtocolError {
  const error = (body as Partial<ErrorBody> | undefined)?.error;
  if (error && typeof error.code === 'string' && error.code in protocolErrorStatus && typeof error.message === 'string') {
    return new ProtocolError(error.code as ProtocolErrorCode, error.message, { details: Array.isArray(error.details) ? error.details.map(String) : [] });
  }
  return new ProtocolError('PROVIDER_BAD_RESPONSE', fallback);
}
