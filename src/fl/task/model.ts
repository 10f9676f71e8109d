// What a task trains and on which rows: a default model's network (src/train/models.ts,
// named in the initial model blob), a data owner's rows read from a CSV file (features
// then the label, already preprocessed as the model expects), and the task owner's
// validation rows with the commitment recorded on chain.
import { readFileSync } from 'node:fs';
import { keccak256, type Hex } from 'viem';
import type { Dataset } from '../../train/datasets.ts';
import { modelSpecs, type ModelSpec } from '../../train/models.ts';
import { prepareData } from '../../train/prepare-data.ts';
import { Xoshiro128 } from '../../train/prng.ts';
import { parameterCount } from '../client/network-parameters.ts';
import { FlTaskError } from './errors.ts';

/** The network of a task's model; a name that is no default model is refused by name. */
export function taskModel(name: string): ModelSpec {
  const spec = modelSpecs.find((s) => s.name === name);
  if (!spec) {
    throw new FlTaskError('FL_MODEL_UNKNOWN', `There is no model named "${name}" to train.`, {
      details: [`known: ${modelSpecs.map((s) => s.name).join(', ')}`],
    });
  }
  return spec;
}

export const elementCountOf = (spec: ModelSpec): number => parameterCount(spec.build(new Xoshiro128(0)));

/** A data owner's rows: each line `features..., label`; the width must be the model's input width plus one. */
export function readDataFile(file: string, spec: ModelSpec): { data: Dataset; datasetHash: Hex } {
  const net = spec.build(new Xoshiro128(0));
  const features = net.inputSize;
  const classes = net.outputShape.reduce((a, b) => a * b, 1);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(file));
  } catch (cause) {
    throw new FlTaskError('FL_DATA_MALFORMED', `The data file ${file} cannot be read.`, { cause });
  }
  const lines = new TextDecoder()
    .decode(bytes)
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  if (lines.length === 0) throw new FlTaskError('FL_DATA_MALFORMED', `The data file ${file} has no rows.`);
  const x = new Float64Array(lines.length * features);
  const y = new Int32Array(lines.length);
  lines.forEach((line, row) => {
    const cells = line.split(',');
    if (cells.length !== features + 1) {
      throw new FlTaskError('FL_DATA_WIDTH', `Row ${row + 1} of ${file} has ${cells.length} columns; ${spec.name} takes ${features} features and a label.`, {
        details: [`expected: ${features + 1} columns`, `got: ${cells.length}`],
      });
    }
    for (let j = 0; j < features; j++) {
      const v = Number(cells[j]);
      if (cells[j]!.trim() === '' || !Number.isFinite(v)) {
        throw new FlTaskError('FL_DATA_MALFORMED', `Row ${row + 1}, column ${j + 1} of ${file} is not a number.`, {
          details: [`got: ${JSON.stringify(cells[j])}`],
        });
      }
      x[row * features + j] = v;
    }
    const label = Number(cells[features]);
    if (!Number.isInteger(label) || label < 0 || label >= classes) {
      throw new FlTaskError('FL_DATA_MALFORMED', `The label of row ${row + 1} of ${file} is not a class of ${spec.name}.`, {
        details: [`expected: an integer in [0, ${classes})`, `got: ${JSON.stringify(cells[features])}`],
      });
    }
    y[row] = label;
  });
  return { data: { name: file, rows: lines.length, features, classes, x, y }, datasetHash: keccak256(bytes) };
}

/** Rows as the data file format writes them. */
export function dataFileText(data: Dataset): string {
  const lines: string[] = [];
  for (let r = 0; r < data.rows; r++) lines.push([...data.x.subarray(r * data.features, (r + 1) * data.features), data.y[r]].join(','));
  return `${lines.join('\n')}\n`;
}

/** The owner's validation rows (the model's held-out rows) and their commitment. */
export function validationSet(spec: ModelSpec): { data: Dataset; commitment: Hex } {
  const { heldOut } = prepareData(spec);
  return { data: heldOut, commitment: keccak256(new TextEncoder().encode(dataFileText(heldOut))) };
}
