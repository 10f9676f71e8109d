// Errors of the chain layer: reaching a node, checking it is the expected chain,
// keys, and deployment manifests.
import { TrellisError } from '../errors.ts';

export type ChainErrorCode =
  | 'RPC_UNREACHABLE'
  | 'CHAIN_ID_MISMATCH'
  | 'PRIVATE_KEY_MISSING'
  | 'PRIVATE_KEY_MALFORMED'
  | 'RPC_URL_MALFORMED'
  | 'INSUFFICIENT_GAS_FUNDS'
  | 'MANIFEST_INVALID'
  | 'MANIFEST_CHAIN_MISMATCH'
  | 'MANIFEST_CODE_MISSING'
  | 'DEPLOYMENT_FAILED'
  | 'GOVERNANCE_FAILED'
  | 'ANVIL_START_FAILED'
  | 'ANVIL_ORPHANED'
  | 'ANVIL_IN_USE'
  | 'ANVIL_PORT_IN_USE';

export class ChainError extends TrellisError<ChainErrorCode> {
  override name = 'ChainError';
}
