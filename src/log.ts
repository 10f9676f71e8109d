// Scoped structured logging. Components take a Logger in their options and never
// write to the console themselves; the CLI decides where lines go. Log ids, not
// payloads: a request hash, not the input.
import { formatTokens } from './chain/human-units.ts';

export type LogFields = Record<string, string | number | boolean | bigint | undefined>;

export type Logger = {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(scope: string): Logger;
};

export const silentLogger: Logger = { info() {}, warn() {}, error() {}, child: () => silentLogger };

/**
 * Fields that hold token amounts in base units; lines print them in tUSD
 * (`bond=10tUSD`), so that no one reads 10000000 as ten million of anything.
 */
const TOKEN_FIELDS = new Set(['amount', 'bond', 'fee', 'price', 'stake', 'refund', 'payout', 'total']);

/** A logger writing one line per event: `time level scope message key=value ...`. */
export function lineLogger(write: (line: string) => void, scope = 'trellis'): Logger {
  const emit =
    (level: string) =>
    (message: string, fields: LogFields = {}) => {
      const extra = Object.entries(fields)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `${k}=${typeof v === 'bigint' && TOKEN_FIELDS.has(k) ? formatTokens(v).replace(' ', '') : String(v)}`)
        .join(' ');
      write(`${new Date().toISOString()} ${level} ${scope} ${message}${extra ? ` ${extra}` : ''}`);
    };
  return { info: emit('info'), warn: emit('warn'), error: emit('error'), child: (sub) => lineLogger(write, `${scope}/${sub}`) };
}
