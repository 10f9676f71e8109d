// Progress lines for work that takes more than a moment. They go to stderr, so that
// stdout stays clean for results a script may read.
export type Progress = (step: string) => void;

export function progress(prefix = 'trellis'): Progress {
  return (step) => process.stderr.write(`${prefix}: ${step}...\n`);
}
