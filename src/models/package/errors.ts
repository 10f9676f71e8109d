// Errors of model packages: a missing or altered file, a manifest that does not say
// what the files hold, or an artifact that does not follow from its ONNX file.
import { TrellisError } from '../../errors.ts';

export type PackageErrorCode =
  | 'PACKAGE_FILE_MISSING'
  | 'PACKAGE_MANIFEST_INVALID'
  | 'PACKAGE_HASH_MISMATCH'
  | 'PACKAGE_CONTENT_MISMATCH'
  | 'PACKAGE_NOT_REPRODUCIBLE'
  | 'PACKAGE_DIR_NOT_EMPTY';

export class PackageError extends TrellisError<PackageErrorCode> {
  override name = 'PackageError';
}
