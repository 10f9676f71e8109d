import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkRowsInRange, CsvError, parseLabelsCsv, parseRowsCsv } from './csv-rows.ts';

function refusal(fn: () => unknown): CsvError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof CsvError, `expected a CsvError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected an error');
}

test('rows are read in file order, blank lines and a header of names aside', () => {
  const rows = parseRowsCsv('a,b,c\n1,2,3\n\n4, 5 ,6e-1\r\n', 'x.csv', 3, [3]);
  assert.deepEqual(Array.from(rows.values), [1, 2, 3, 4, 5, 0.6]);
  assert.equal(rows.rows, 2);
  assert.deepEqual(rows.header, ['a', 'b', 'c']);
  assert.deepEqual(rows.lines, [2, 4]);
  assert.equal(parseRowsCsv('1,2\n', 'x.csv', 2, [2]).header, undefined);
});

test('a row of the wrong width names its line and the width the model input shape takes', () => {
  const e = refusal(() => parseRowsCsv('1,2,3,4\n1,2,3\n', 'cal.csv', 4, [1, 2, 2]));
  assert.equal(e.code, 'CSV_WIDTH');
  assert.equal(e.shortMessage, 'cal.csv: line 2 has 3 values, not 4.');
  assert.deepEqual(e.details, ['expected: 4 values per row (the model input shape [1, 2, 2], flattened)', 'got: 3 values']);
  assert.equal(refusal(() => parseRowsCsv('a,b\n1,2\n', 'h.csv', 3, [3])).code, 'CSV_WIDTH');
});

test('a cell that is not a finite number names its line and column', () => {
  for (const cell of ['x', '', 'NaN', 'Infinity', '1..2']) {
    const e = refusal(() => parseRowsCsv(`1,2\n3,${cell}\n`, 'cal.csv', 2, [2]));
    assert.equal(e.code, 'CSV_VALUE');
    assert.equal(e.shortMessage, 'cal.csv: line 2, column 2 is not a number.');
    assert.deepEqual(e.details, ['expected: a finite decimal number', `got: ${JSON.stringify(cell)}`]);
  }
});

test('a file with no rows is refused', () => {
  assert.equal(refusal(() => parseRowsCsv('', 'e.csv', 2, [2])).code, 'CSV_EMPTY');
  assert.equal(refusal(() => parseRowsCsv('a,b\n\n', 'e.csv', 2, [2])).code, 'CSV_EMPTY');
});

test('a value outside the input range names its line and column', () => {
  const rows = parseRowsCsv('f,g\n0,1\n0.5,1.5\n', 'cal.csv', 2, [2]);
  checkRowsInRange(rows, 'cal.csv', { min: 0, max: 2 });
  const e = refusal(() => checkRowsInRange(rows, 'cal.csv', { min: 0, max: 1 }));
  assert.equal(e.code, 'CSV_RANGE');
  assert.equal(e.shortMessage, 'cal.csv: line 3, column 2 is outside the input range.');
});

test('labels are class indices or class labels, one per line', () => {
  assert.deepEqual(Array.from(parseLabelsCsv('0\n2\n1\n', 'l.csv', 3).labels), [0, 2, 1]);
  assert.deepEqual(Array.from(parseLabelsCsv('label\nbenign\nmalignant\n1\n', 'l.csv', 2, ['malignant', 'benign']).labels), [1, 0, 1]);
  const outOfRange = refusal(() => parseLabelsCsv('0\n3\n', 'l.csv', 3));
  assert.equal(outOfRange.code, 'CSV_LABEL');
  assert.equal(outOfRange.shortMessage, 'l.csv: line 2 is not a class of the model.');
  assert.deepEqual(outOfRange.details, ['expected: a class index 0..2', 'got: "3"']);
  assert.equal(refusal(() => parseLabelsCsv('0\n1.5\n', 'l.csv', 3)).code, 'CSV_LABEL');
  assert.equal(refusal(() => parseLabelsCsv('0,1\n', 'l.csv', 3)).code, 'CSV_WIDTH');
  assert.equal(refusal(() => parseLabelsCsv('\n', 'l.csv', 3)).code, 'CSV_EMPTY');
});
