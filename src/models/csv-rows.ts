// Rows of model inputs and their labels as people keep them in CSV files: one row per
// line, the values of one input flattened in the model's own order, an optional header
// line of names; labels one per line, as a class index or a class label. Every error
// names the file, the line (counted from 1, as editors do) and what was expected.
import { TrellisError } from '../errors.ts';

export type CsvErrorCode = 'CSV_EMPTY' | 'CSV_WIDTH' | 'CSV_VALUE' | 'CSV_LABEL' | 'CSV_RANGE';

export class CsvError extends TrellisError<CsvErrorCode> {
  override name = 'CsvError';
}

export type CsvRows = {
  /** rows x width, row-major. */
  values: Float64Array;
  rows: number;
  width: number;
  /** The header's names, when the first line is one. */
  header?: string[];
  /** The line number of each row in the file. */
  lines: number[];
};

type Line = { number: number; cells: string[] };

function linesOf(text: string): Line[] {
  return text
    .split(/\r?\n/)
    .map((line, i) => ({ number: i + 1, cells: line.split(',').map((c) => c.trim()) }))
    .filter((l) => !(l.cells.length === 1 && l.cells[0] === ''));
}

const isNumber = (cell: string) => cell !== '' && Number.isFinite(Number(cell));

/**
 * The rows of a CSV file of model inputs, each `width` values wide. A first line with
 * no number in it is a header of feature names.
 * @param shape the model's input shape, named in the width error
 */
export function parseRowsCsv(text: string, file: string, width: number, shape: readonly number[]): CsvRows {
  const lines = linesOf(text);
  const header = lines[0] && !lines[0].cells.some(isNumber) ? lines.shift()!.cells : undefined;
  if (lines.length === 0) throw new CsvError('CSV_EMPTY', `${file} has no data rows.`, { details: [`expected: rows of ${width} numbers`] });
  const expected = `${width} values per row (the model input shape [${shape.join(', ')}], flattened)`;
  if (header && header.length !== width)
    throw new CsvError('CSV_WIDTH', `${file}: the header on line 1 names ${header.length} columns, not ${width}.`, { details: [`expected: ${expected}`] });
  const values = new Float64Array(lines.length * width);
  lines.forEach((line, r) => {
    if (line.cells.length !== width) {
      throw new CsvError('CSV_WIDTH', `${file}: line ${line.number} has ${line.cells.length} values, not ${width}.`, {
        details: [`expected: ${expected}`, `got: ${line.cells.length} values`],
      });
    }
    line.cells.forEach((cell, c) => {
      if (!isNumber(cell)) {
        throw new CsvError('CSV_VALUE', `${file}: line ${line.number}, column ${c + 1} is not a number.`, {
          details: ['expected: a finite decimal number', `got: ${JSON.stringify(cell)}`],
        });
      }
      values[r * width + c] = Number(cell);
    });
  });
  return { values, rows: lines.length, width, lines: lines.map((l) => l.number), ...(header ? { header } : {}) };
}

/** Refuses the first value outside [min, max], naming its line and column. */
export function checkRowsInRange(rows: CsvRows, file: string, range: { min: number; max: number }): void {
  for (let i = 0; i < rows.values.length; i++) {
    const v = rows.values[i]!;
    if (v < range.min || v > range.max) {
      const line = rows.lines[Math.floor(i / rows.width)]!;
      throw new CsvError('CSV_RANGE', `${file}: line ${line}, column ${(i % rows.width) + 1} is outside the input range.`, {
        details: [`expected: ${range.min} <= value <= ${range.max}`, `got: ${v}`, 'widen --input-range, or preprocess the rows into it'],
      });
    }
  }
}

/**
 * One class per line: an index 0..classes-1, or one of `classLabels`. A first line
 * that is neither is taken as a header only when it is not a class label either.
 */
export function parseLabelsCsv(text: string, file: string, classes: number, classLabels?: readonly string[]): { labels: Int32Array; lines: number[] } {
  const lines = linesOf(text);
  const classOf = (cell: string): number => {
    const named = classLabels?.indexOf(cell) ?? -1;
    if (named >= 0) return named;
    const n = Number(cell);
    return cell !== '' && Number.isInteger(n) && n >= 0 && n < classes ? n : -1;
  };
  if (lines[0] && lines[0].cells.length === 1 && classOf(lines[0].cells[0]!) < 0 && !isNumber(lines[0].cells[0]!)) lines.shift();
  if (lines.length === 0) throw new CsvError('CSV_EMPTY', `${file} has no labels.`, { details: ['expected: one class per line'] });
  const labels = new Int32Array(lines.length);
  const expected = `a class index 0..${classes - 1}${classLabels ? ` or one of ${classLabels.join(', ')}` : ''}`;
  lines.forEach((line, r) => {
    if (line.cells.length !== 1)
      throw new CsvError('CSV_WIDTH', `${file}: line ${line.number} has ${line.cells.length} values, not one label.`, { details: [`expected: ${expected}`] });
    const k = classOf(line.cells[0]!);
    if (k < 0)
      throw new CsvError('CSV_LABEL', `${file}: line ${line.number} is not a class of the model.`, {
        details: [`expected: ${expected}`, `got: ${JSON.stringify(line.cells[0])}`],
      });
    labels[r] = k;
  });
  return { labels, lines: lines.map((l) => l.number) };
}
