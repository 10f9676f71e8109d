// `npm run examples`: writes examples/byo/, the files the README's "Bring your own
// model" walkthrough imports: an MLP and a CNN trained on the shipped digits data and
// exported in the forms PyTorch's exporter writes (the MLP as MatMul + Add at opset 17,
// the CNN as Conv, Reshape and Gemm at opset 13), each in its own folder with
// calibration rows from its training split and the held-out rows with their labels, as
// CSV (each model's split has its own seed, so each is evaluated on rows it never saw).
// The same code and seeds rewrite the same bytes.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Dataset } from '../src/train/datasets.ts';
import { exportOnnx } from '../src/train/export-onnx.ts';
import { modelSpec, type ExportForm } from '../src/train/models.ts';
import { trainModel } from '../src/train/train-model.ts';

const outDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'examples', 'byo');
/** Enough rows to calibrate every layer's scale; the walkthrough's import stays quick. */
const CALIBRATION_ROWS = 300;

const csv = (data: Dataset, rows: number) =>
  `${Array.from({ length: rows }, (_, r) => Array.from(data.x.subarray(r * data.features, (r + 1) * data.features)).join(',')).join('\n')}\n`;

const exports: [folder: string, spec: string, form: ExportForm, opset: number][] = [
  ['mlp', 'digits-mlp', 'matmul-add', 17],
  ['cnn', 'digits-cnn', 'conv-reshape-gemm', 13],
];
for (const [folder, name, form, opset] of exports) {
  process.stdout.write(`${folder}: training ${name} ... `);
  const trained = trainModel(modelSpec(name));
  const dir = join(outDir, folder);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'model.onnx'), exportOnnx(trained.net, { opset, form, graphName: `byo_${folder}` }));
  writeFileSync(join(dir, 'calibration.csv'), csv(trained.train, CALIBRATION_ROWS));
  writeFileSync(join(dir, 'eval.csv'), csv(trained.heldOut, trained.heldOut.rows));
  writeFileSync(join(dir, 'labels.csv'), `${Array.from(trained.heldOut.y).join('\n')}\n`);
  writeFileSync(join(dir, 'row.csv'), csv(trained.heldOut, 1));
  console.log('done');
}
console.log(`wrote ${outDir}`);
