// Errors of the content-addressed store. Each names what was wrong (the CID, the
// source, the file) in its details, so that an operator can tell a lying source from
// a missing block or a package that is simply too big.
import { TrellisError } from '../errors.ts';

export type StoreErrorCode =
  /** Not a CID, or a CID of a kind the store does not hold (only raw and dag-pb blocks hashed with sha2-256). */
  | 'STORE_CID_INVALID'
  /** A metadata URI that is not `ipfs://<cid>`. */
  | 'STORE_URI_INVALID'
  /** Bytes whose hash is not the one their CID names. */
  | 'STORE_BLOCK_MISMATCH'
  | 'STORE_BLOCK_NOT_FOUND'
  | 'STORE_BLOCK_TOO_LARGE'
  /** A block that does not decode as its codec says, or a DAG that is not a UnixFS directory of files. */
  | 'STORE_DAG_INVALID'
  /** The package holds more bytes or more blocks than the limits allow. */
  | 'STORE_PACKAGE_TOO_LARGE'
  /** A folder to add that holds something other than regular files and folders. */
  | 'STORE_DIRECTORY_INVALID'
  /** A path with `..`, `.`, an empty segment or a separator in a name. */
  | 'STORE_PATH_INVALID'
  | 'STORE_PATH_NOT_FOUND'
  /** An HTTP request for a format or dag-scope the store does not serve. */
  | 'STORE_REQUEST_INVALID'
  /** An export into a folder that already holds files. */
  | 'STORE_OUTPUT_EXISTS'
  | 'STORE_LIMITS_INVALID'
  /** A source answered with an error status, closed early, or could not be reached. */
  | 'STORE_SOURCE_FAILED'
  | 'STORE_SOURCE_TIMEOUT'
  /** A source sent more bytes than the limit for what was asked. */
  | 'STORE_BODY_TOO_LARGE'
  /** A CAR that does not parse, or whose roots are not the CID asked for. */
  | 'STORE_CAR_INVALID'
  /** A CAR that carries a block the requested DAG does not link to (yet). */
  | 'STORE_UNEXPECTED_BLOCK'
  /** No source delivered the whole DAG; details hold each source's reason. */
  | 'STORE_FETCH_FAILED';

export class StoreError extends TrellisError<StoreErrorCode> {
  override name = 'StoreError';
}
