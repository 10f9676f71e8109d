// The one base error of the project. Every area throws a subclass with a stable
// machine-readable `code`, a one-sentence `shortMessage`, and context lines
// (`details`) such as "expected: 64, got: 63", so that a CLI, an HTTP API and a test
// can all tell what went wrong without parsing prose.
export type TrellisErrorOptions = {
  details?: string[];
  cause?: unknown;
};

export class TrellisError extends Error {
  override name = 'TrellisError';
  readonly code: string;
  readonly shortMessage: string;
  readonly details: readonly string[];

  constructor(code: string, shortMessage: string, options: TrellisErrorOptions = {}) {
    const details = options.details ?? [];
    const causeText = options.cause instanceof Error ? [`cause: ${options.cause.message}`] : [];
    super([shortMessage, ...details, ...causeText].join('\n  '), { cause: options.cause });
    this.code = code;
    this.shortMessage = shortMessage;
    this.details = details;
  }
}
