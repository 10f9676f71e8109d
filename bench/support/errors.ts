// Errors of the benchmark suites: a bad command-line option, or a run that measured
// nothing worth reporting. Codes are stable; details name what was expected and got.
import { TrellisError, type TrellisErrorOptions } from '../../src/errors.ts';

export type BenchErrorCode = 'BENCH_OPTION_INVALID' | 'BENCH_NOTHING_MEASURED' | 'BENCH_SETTLEMENT_INCOMPLETE';

export class BenchError extends TrellisError {
  override name = 'BenchError';
  declare readonly code: BenchErrorCode;
  constructor(code: BenchErrorCode, shortMessage: string, options: TrellisErrorOptions = {}) {
    super(code, shortMessage, options);
  }
}
