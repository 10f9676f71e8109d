// The one way a long-running command waits: until Ctrl-C (SIGINT) or a service manager's
// SIGTERM, after which it stops its parts in order and exits.
export function untilStopSignal(): Promise<void> {
  return new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
}
