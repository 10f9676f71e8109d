// Renders any thrown value as the one block of text a CLI user sees. A TrellisError's
// message already carries its context lines and cause.
export function formatError(error: unknown): string {
  return `error: ${error instanceof Error ? error.message : String(error)}`;
}
