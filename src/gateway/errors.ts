// Errors of the gateway itself. Failures of one provider call are typed so the router
// can tell a dead node (try the next) from an answer to pass back; what reaches an
// HTTP caller is always a ProtocolError (src/protocol/errors.ts).
import { TrellisError, type TrellisErrorOptions } from '../errors.ts';

export type ProviderCallErrorCode =
  /** Connection refused or reset before an answer. */
  | 'PROVIDER_UNREACHABLE'
  /** No complete answer within the timeout. */
  | 'PROVIDER_TIMEOUT'
  /** The answer was not JSON, or too large. */
  | 'PROVIDER_GARBAGE';

export class ProviderCallError extends TrellisError<ProviderCallErrorCode> {
  override name = 'ProviderCallError';
}

export class GatewayError extends TrellisError {
  override name = 'GatewayError';

  constructor(code: 'GATEWAY_OPTIONS_INVALID', shortMessage: string, options?: TrellisErrorOptions) {
    super(code, shortMessage, options);
  }
}
