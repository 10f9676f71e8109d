// The one base error of the project. Every area throws a subclass with a stable
// machine-readable `code`, a one-sentence `shortMessage`, and context lines
// (`details`) such as "expected: 64, got: 63", so that a CLI, an HTTP API and a test
// can all tell what went wrong without parsing prose. A domain subclasses it with its
// own union of codes: `class ChainError extends TrellisError<ChainErrorCode> {}`.
export type TrellisErrorOptions = {
  details?: string[];
  cause?: unknown;
};

export class TrellisError<Code extends string = string> extends Error {
  override name = 'TrellisError';
  readonly code: Code;
  readonly shortMessage: string;
  readonly details: readonly string[];

  constructor(code: Code, shortMessage: string, options: TrellisErrorOptions = {}) {
    const details = options.details ?? [];
    const causeText = options.cause instanceof Error ? [`cause: ${options.cause.message}`] : [];
    super([shortMessage, ...details, ...causeText].join('\n  '), { cause: options.cause });
    this.code = code;
    this.shortMessage = shortMessage;
    this.details = details;
  }
}
