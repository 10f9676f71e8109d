// Errors of the synergy matrix. Each names what was wrong in the terms a profile
// author or CLI user sees: the field path, what was expected, what was found.
import { TrellisError } from '../errors.ts';

export class MatrixError extends TrellisError {
  override name = 'MatrixError';
}

/** A profile field has the wrong type, an unknown value, or is missing. */
export class ProfileInvalidError extends MatrixError {
  override name = 'ProfileInvalidError';
  readonly path: string;
  readonly expected: string;
  readonly got: string;
  readonly file: string | undefined;
  readonly line: number | undefined;

  constructor(args: { path: string; expected: string; got: string; file?: string; line?: number }) {
    const where = args.file ? ` in ${args.file}${args.line ? ` (line ${args.line})` : ''}` : '';
    super('MATRIX_PROFILE_INVALID', `profile field "${args.path}" is invalid${where}`, {
      details: [`expected: ${args.expected}`, `got: ${args.got}`],
    });
    this.path = args.path;
    this.expected = args.expected;
    this.got = args.got;
    this.file = args.file;
    this.line = args.line;
  }

  /** The same error, told where in which file it happened. */
  at(file: string, line: number | undefined): ProfileInvalidError {
    return new ProfileInvalidError({ path: this.path, expected: this.expected, got: this.got, file, ...(line ? { line } : {}) });
  }
}

/** The profile file is not well-formed YAML. */
export class ProfileYamlError extends MatrixError {
  override name = 'ProfileYamlError';
  readonly line: number;

  constructor(args: { file: string; line: number; column: number; reason: string }) {
    super('MATRIX_PROFILE_YAML', `profile ${args.file} is not valid YAML at line ${args.line}, column ${args.column}`, {
      details: [`reason: ${args.reason}`],
    });
    this.line = args.line;
  }
}

/** A profile file could not be read. */
export class ProfileUnreadableError extends MatrixError {
  override name = 'ProfileUnreadableError';

  constructor(file: string, cause: unknown) {
    super('MATRIX_PROFILE_UNREADABLE', `profile ${file} cannot be read`, { cause });
  }
}

/** A project name matches nothing in the catalog. */
export class UnknownProjectError extends MatrixError {
  override name = 'UnknownProjectError';
  readonly suggestion: string | undefined;

  constructor(name: string, suggestion: string | undefined, known: readonly string[]) {
    super('MATRIX_UNKNOWN_PROJECT', `no project named "${name}" in the catalog`, {
      details: suggestion ? [`did you mean: ${suggestion}?`] : [`known projects: ${known.join(', ')}`],
    });
    this.suggestion = suggestion;
  }
}

/** An output format other than table, json, md or html was asked for. */
export class UnknownFormatError extends MatrixError {
  override name = 'UnknownFormatError';

  constructor(format: string, known: readonly string[]) {
    super('MATRIX_UNKNOWN_FORMAT', `unknown output format "${format}"`, { details: [`expected: one of ${known.join(', ')}`] });
  }
}
