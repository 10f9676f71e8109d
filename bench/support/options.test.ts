import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BenchError } from './errors.ts';
import { numberOption } from './options.ts';

const seconds = { name: 'seconds', fallback: 3, min: 0.2, max: 30 };
const cap = { name: 'max-requests', fallback: 5000, min: 10, max: 100_000, integer: true };

describe('numeric bench options', () => {
  test('absent means the fallback; present is parsed', () => {
    assert.equal(numberOption([], seconds), 3);
    assert.equal(numberOption(['--seconds', '0.5'], seconds), 0.5);
    assert.equal(numberOption(['--other', '1', '--max-requests', '200'], cap), 200);
  });

  test('out of range, not a number, missing or fractional where an integer is due: a named error', () => {
    const cases: [string[], typeof seconds, RegExp][] = [
      [['--seconds', '0'], seconds, /got: "0"/],
      [['--seconds', '31'], seconds, /got: "31"/],
      [['--seconds', 'abc'], seconds, /got: "abc"/],
      [['--seconds'], seconds, /got: nothing/],
      [['--max-requests', '12.5'], cap, /expected: an integer in \[10, 100000\]/],
    ];
    for (const [args, option, detail] of cases) {
      assert.throws(
        () => numberOption(args, option),
        (error: unknown) => {
          assert.ok(error instanceof BenchError);
          assert.equal(error.code, 'BENCH_OPTION_INVALID');
          assert.match(error.shortMessage, new RegExp(`^--${option.name} must be`));
          assert.match(error.details.join('\n'), detail);
          return true;
        },
      );
    }
  });
});
