// Readers for the data sets shipped in data/ (see data/README.md for their formats
// and attribution). Each returns the rows as one row-major Float64Array of features
// and one Int32Array of class labels.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { repoPath } from '../repo-root.ts';
import { TrainError } from './errors.ts';

export type Dataset = {
  name: string;
  rows: number;
  /** Features per row. */
  features: number;
  classes: number;
  /** rows x features, row-major. */
  x: Float64Array;
  y: Int32Array;
};

/** The repository's data/ folder, so that it works from any cwd. */
export const defaultDataDir = repoPath('data');

export function loadDigits(dataDir: string = defaultDataDir): Dataset {
  const path = join(dataDir, 'digits.csv.gz');
  const text = gunzipSync(readFileSync(path)).toString('utf8');
  return parseLabelledCsv('digits', path, splitLines(text), 64, 10);
}

export function loadBreastCancer(dataDir: string = defaultDataDir): Dataset {
  const path = join(dataDir, 'breast_cancer.csv');
  const lines = splitLines(readFileSync(path, 'utf8'));
  // The header states the row and feature counts; check them rather than trust them.
  const header = (lines.shift() ?? '').split(',');
  const declaredRows = Number(header[0]);
  const declaredFeatures = Number(header[1]);
  if (declaredFeatures !== 30 || declaredRows !== lines.length) {
    throw new TrainError('TRAIN_DATA_MALFORMED', 'The breast cancer header does not match its rows.', {
      details: [`file: ${path}`, `expected: ${lines.length} rows of 30 features`, `got header: ${header.join(',')}`],
    });
  }
  return parseLabelledCsv('breast_cancer', path, lines, 30, 2);
}

function splitLines(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
}

/** Lines of `features` numbers followed by an integer label in [0, classes). */
export function parseLabelledCsv(name: string, source: string, lines: readonly string[], features: number, classes: number): Dataset {
  const x = new Float64Array(lines.length * features);
  const y = new Int32Array(lines.length);
  lines.forEach((line, row) => {
    const cells = line.split(',');
    if (cells.length !== features + 1) {
      throw new TrainError('TRAIN_DATA_MALFORMED', `A row of ${name} has the wrong number of columns.`, {
        details: [`file: ${source}`, `row: ${row + 1}`, `expected: ${features + 1} columns`, `got: ${cells.length}`],
      });
    }
    for (let j = 0; j < features; j++) {
      const value = Number(cells[j]);
      if (!Number.isFinite(value) || cells[j]!.trim() === '') {
        throw new TrainError('TRAIN_DATA_MALFORMED', `A feature of ${name} is not a number.`, {
          details: [`file: ${source}`, `row: ${row + 1}`, `column: ${j + 1}`, `got: ${JSON.stringify(cells[j])}`],
        });
      }
      x[row * features + j] = value;
    }
    const label = Number(cells[features]);
    if (!Number.isInteger(label) || label < 0 || label >= classes) {
      throw new TrainError('TRAIN_DATA_MALFORMED', `A label of ${name} is out of range.`, {
        details: [`file: ${source}`, `row: ${row + 1}`, `expected: an integer in [0, ${classes})`, `got: ${JSON.stringify(cells[features])}`],
      });
    }
    y[row] = label;
  });
  return { name, rows: lines.length, features, classes, x, y };
}
