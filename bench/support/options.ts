// Numeric command-line options of a benchmark suite (`--seconds 3`), each checked
// against a range so that a typo stops the run before anything is started.
import { BenchError } from './errors.ts';

export type NumberOption = { name: string; fallback: number; min: number; max: number; integer?: boolean };

/** Reads `--<name> <value>` from `args`; absent means `fallback`. */
export function numberOption(args: readonly string[], option: NumberOption): number {
  const flag = `--${option.name}`;
  const index = args.indexOf(flag);
  if (index < 0) return option.fallback;
  const text = args[index + 1];
  const value = text === undefined || text.trim() === '' ? Number.NaN : Number(text);
  const kind = option.integer ? 'an integer' : 'a number';
  if (!Number.isFinite(value) || value < option.min || value > option.max || (option.integer && !Number.isInteger(value))) {
    throw new BenchError('BENCH_OPTION_INVALID', `${flag} must be ${kind} from ${option.min} to ${option.max}.`, {
      details: [`expected: ${kind} in [${option.min}, ${option.max}]`, `got: ${text === undefined ? 'nothing' : JSON.stringify(text)}`],
    });
  }
  return value;
}
