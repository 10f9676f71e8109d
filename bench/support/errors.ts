// Errors of the benchmark suites: a bad command-line option, a run that measured
// nothing worth reporting, or one interrupted. Codes are stable; details name what
// was expected and what was found.
import { TrellisError, type TrellisErrorOptions } from '../../src/errors.ts';

export type BenchErrorCode = 'BENCH_OPTION_INVALID' | 'BENCH_NOTHING_MEASURED' | 'BENCH_SETTLEMENT_INCOMPLETE' | 'BENCH_INTERRUPTED';

export class BenchError extends TrellisError {
  override name = 'BenchError';
  declare readonly code: BenchErrorCode;
  constructor(code: BenchErrorCode, shortMessage: string, options: TrellisErrorOptions = {}) {
    super(code, shortMessage, options);
  }
}
