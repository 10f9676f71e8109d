// Errors of the benchmark suites: a bad command-line option, a run that measured
// nothing worth reporting, or one interrupted. Codes are stable; details name what
// was expected and what was found.
import { TrellisError } from '../../src/errors.ts';

export type BenchErrorCode = 'BENCH_OPTION_INVALID' | 'BENCH_NOTHING_MEASURED' | 'BENCH_SETTLEMENT_INCOMPLETE' | 'BENCH_INTERRUPTED';

export class BenchError extends TrellisError<BenchErrorCode> {
  override name = 'BenchError';
}
