// `trellis model import` end to end through its command function: models exported by
// the project's own ONNX exporter in each supported spelling are imported from CSV
// files, the figures are printed, and the package reads back under the same hashes.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { keccak256 } from 'viem';
import { buildOnnx, importOnnx } from '../../engine/index.ts';
import { TrellisError } from '../../errors.ts';
import { exportOnnx } from '../../train/export-onnx.ts';
import { argmaxRows } from '../../train/fit.ts';
import { modelSpec, type ExportForm } from '../../train/models.ts';
import { Xoshiro128 } from '../../train/prng.ts';
import { readModelFiles, modelFilePaths } from '../../train/model-files.ts';
import { prepareData } from '../../train/prepare-data.ts';
import { parseArtifact } from '../../engine/index.ts';
import { readModelPackage } from '../../models/package/read.ts';
import { runModelImport } from './model-import.ts';

const root = mkdtempSync(join(tmpdir(), 'trellis-model-import-'));
after(() => rmSync(root, { recursive: true, force: true }));

const csvOf = (values: ArrayLike<number>, width: number) => {
  const lines: string[] = [];
  for (let r = 0; r < values.length / width; r++) lines.push(Array.from({ length: width }, (_, c) => values[r * width + c]).join(','));
  return `${lines.join('\n')}\n`;
};

/** Rows of 64 pixel counts in 0..16, the digits models' input, drawn from a fixed seed. */
function pixelRows(rows: number, seed: number): Float64Array {
  const rng = new Xoshiro128(seed);
  return new Float64Array(rows * 64).map(() => Math.round(rng.nextFloat() * 16));
}

async function importCase(spec: 'digits-mlp' | 'digits-cnn', form: ExportForm, opset: number) {
  const dir = mkdtempSync(join(root, `${spec}-${form}-${opset}-`));
  const net = modelSpec(spec).build(new Xoshiro128(opset));
  const onnx = exportOnnx(net, { opset, form, graphName: 'g' });
  const calibration = pixelRows(64, 1);
  const evalRows = pixelRows(40, 2);
  // Labels are the network's own float answers, so the float model should score about 100 %.
  const labels = argmaxRows(net.forwardRows(evalRows, 40).data, 40, 10);
  const files = { onnx: join(dir, 'model.onnx'), cal: join(dir, 'cal.csv'), eval: join(dir, 'eval.csv'), labels: join(dir, 'labels.csv') };
  writeFileSync(files.onnx, onnx);
  writeFileSync(files.cal, csvOf(calibration, 64));
  writeFileSync(files.eval, csvOf(evalRows, 64));
  writeFileSync(files.labels, `${Array.from(labels).join('\n')}\n`);
  const lines: string[] = [];
  const out = join(dir, 'package');
  const result = await runModelImport(
    files.onnx,
    {
      calibration: files.cal,
      eval: files.eval,
      labels: files.labels,
      inputRange: '0:16',
      name: `${spec}-${opset}`,
      classLabels: 'zero,one,two,three,four,five,six,seven,eight,nine',
      licence: 'MIT',
      out,
    },
    (line) => lines.push(line),
  );
  return { onnx, calibration, lines, out, result };
}

const cases: [spec: 'digits-mlp' | 'digits-cnn', form: ExportForm, opset: number][] = [
  ['digits-mlp', 'gemm', 13],
  ['digits-mlp', 'gemm', 17],
  ['digits-mlp', 'matmul-add', 13],
  ['digits-mlp', 'matmul-add', 17],
  ['digits-cnn', 'conv-reshape-gemm', 13],
  ['digits-cnn', 'conv-reshape-gemm', 17],
];

for (const [spec, form, opset] of cases) {
  test(`${spec} exported as ${form} at opset ${opset} imports, prints its figures and reads back`, async () => {
    const { onnx, calibration, lines, out, result } = await importCase(spec, form, opset);
    const text = lines.join('\n');
    const accuracy =
      /on 40 evaluation rows the float model is (\d+\.\d\d) % accurate and the fixed-point model (\d+\.\d\d) %; they pick the same class on (\d+\.\d\d) % of the rows/.exec(
        text,
      );
    assert.ok(accuracy, text);
    assert.ok(Number(accuracy[1]) >= 95, `float accuracy ${accuracy[1]}`);
    assert.ok(Number(accuracy[3]) >= 90, `argmax agreement ${accuracy[3]}`);
    assert.match(text, /the largest dispute step is layer \d+ \("[^"]+"\): \d+ calldata words of the 3072 the ModelRegistry allows, about \d+\.\d\d M gas/);
    assert.match(text, /imported digits-.*: input \[(64|1, 8, 8)\] in 0\.\.16 \(from the option\), output \[10\] \(zero, one, .*nine\)/);
    assert.match(text, new RegExp(`wrote the package ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: content hash 0x[0-9a-f]{64}`));

    const pkg = readModelPackage(out);
    assert.equal(pkg.contentHash, keccak256(onnx));
    assert.equal(pkg.weightCommitment, importOnnx(onnx, { calibration, inputRange: { min: 0, max: 16 } }).weightCommitment);
    assert.equal(pkg.contentHash, result.package.contentHash);
    assert.equal(pkg.manifest.licence, 'MIT');
    assert.equal(pkg.manifest.evaluation?.rows, 40);
    assert.equal(pkg.schema.output.classLabels?.[3], 'three');
  });
}

test('a default model imported with its preprocessing and training rows gets its committed weight commitment', async () => {
  const dir = mkdtempSync(join(root, 'breast-cancer-'));
  const spec = modelSpec('breast-cancer-mlp');
  const { train, heldOut } = prepareData(spec);
  const paths = modelFilePaths(spec.name);
  const file = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const lines: string[] = [];
  await runModelImport(
    paths.onnx,
    {
      calibration: file('train.csv', csvOf(train.x, 30)),
      eval: file('held-out.csv', csvOf(heldOut.x, 30)),
      // Labels by class name, with a header line.
      labels: file('labels.csv', `diagnosis\n${Array.from(heldOut.y, (y) => (y === 0 ? 'malignant' : 'benign')).join('\n')}\n`),
      preprocess: paths.preprocess,
      classLabels: 'malignant,benign',
      out: join(dir, 'package'),
    },
    (line) => lines.push(line),
  );
  const pkg = readModelPackage(join(dir, 'package'));
  const committed = parseArtifact(readModelFiles(spec.name).artifactJson);
  assert.equal(pkg.weightCommitment, committed.weightCommitment);
  assert.deepEqual(pkg.preprocess, readModelFiles(spec.name).preprocess);
  assert.equal(pkg.manifest.name, 'breast-cancer-mlp');
  assert.match(lines.join('\n'), /in -5\.\.13 \(from the preprocess\)/);
  assert.match(lines.join('\n'), /on 113 evaluation rows the float model is 96\.46 % accurate and the fixed-point model 96\.46 %/);
  assert.equal(pkg.manifest.licence, 'NOASSERTION');

  const e = await importRefusal(paths.onnx, { calibration: join(dir, 'train.csv'), preprocess: paths.preprocess, inputRange: '0:1', out: join(dir, 'other') });
  assert.equal(e.code, 'IMPORT_INPUT_RANGE');
});

async function importRefusal(onnxFile: string, options: Parameters<typeof runModelImport>[1]): Promise<TrellisError> {
  try {
    await runModelImport(onnxFile, options, () => {});
  } catch (e) {
    assert.ok(e instanceof TrellisError, `expected a TrellisError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected an error');
}

test('a graph with several unsupported operators is refused naming every one', async () => {
  const dir = mkdtempSync(join(root, 'unsupported-'));
  const onnxFile = join(dir, 'rnn.onnx');
  writeFileSync(
    onnxFile,
    buildOnnx({
      opset: 13,
      inputs: [{ name: 'x', shape: ['N', 2, 2] }],
      outputs: [{ name: 'y', shape: ['N', 2] }],
      nodes: [
        { opType: 'Transpose', name: '/rnn/Transpose', inputs: ['x'], outputs: ['t'] },
        { opType: 'LSTM', name: '/rnn/LSTM', inputs: ['t'], outputs: ['h'] },
        { opType: 'Relu', name: '/rnn/Relu', inputs: ['h'], outputs: ['r'] },
        { opType: 'Softmax', name: '/head/Softmax', inputs: ['r'], outputs: ['y'] },
      ],
    }),
  );
  const calibration = join(dir, 'cal.csv');
  writeFileSync(calibration, '0,1,0,1\n1,0,1,0\n');
  const e = await importRefusal(onnxFile, { calibration, out: join(dir, 'package') });
  assert.equal(e.code, 'ENGINE_ONNX_UNSUPPORTED_OP');
  assert.equal(e.shortMessage, '3 nodes use operators or forms the engine does not support (Transpose, LSTM, Softmax).');
  assert.deepEqual(e.details, ['node "/rnn/Transpose": Transpose', 'node "/rnn/LSTM": LSTM', 'node "/head/Softmax": Softmax']);
});

test('wrong rows, files and options are refused before anything is written', async () => {
  const dir = mkdtempSync(join(root, 'refusals-'));
  const onnxFile = join(dir, 'cnn.onnx');
  const onnx = exportOnnx(modelSpec('digits-cnn').build(new Xoshiro128(5)), { opset: 13, form: 'conv-reshape-gemm', graphName: 'g' });
  writeFileSync(onnxFile, onnx);
  const file = (name: string, text: string | Uint8Array) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const good = file('good.csv', csvOf(pixelRows(4, 3), 64));
  const out = join(dir, 'package');

  const narrow = await importRefusal(onnxFile, { calibration: file('narrow.csv', `${'1,'.repeat(63)}1\n${'1,'.repeat(62)}1\n`), out });
  assert.equal(narrow.code, 'CSV_WIDTH');
  assert.match(narrow.shortMessage, /line 2 has 63 values, not 64/);
  assert.match(narrow.details[0]!, /the model input shape \[1, 8, 8\]/);

  const cell = await importRefusal(onnxFile, { calibration: file('cell.csv', `${'1,'.repeat(10)}ink,${'1,'.repeat(52)}1\n`), out });
  assert.equal(cell.code, 'CSV_VALUE');
  assert.match(cell.shortMessage, /line 1, column 11 is not a number/);

  const truncated = await importRefusal(file('truncated.onnx', onnx.subarray(0, 100)), { calibration: good, out });
  assert.equal(truncated.code, 'ENGINE_ONNX_DECODE');
  assert.match(truncated.details[0]!, /truncated\.onnx/);
  assert.equal((await importRefusal(good, { calibration: good, out })).code, 'ENGINE_ONNX_DECODE');

  assert.equal((await importRefusal(onnxFile, { calibration: good, eval: good, out })).code, 'IMPORT_EVAL_INCOMPLETE');
  const count = await importRefusal(onnxFile, { calibration: good, eval: good, labels: file('labels.csv', '1\n2\n3\n'), out });
  assert.equal(count.code, 'IMPORT_LABELS_COUNT');
  assert.match(count.shortMessage, /has 3 labels for the 4 rows/);
  for (const range of ['1', '0:x', '2:1', ':1', '0:1:2']) {
    const e = await importRefusal(onnxFile, { calibration: good, inputRange: range, out });
    assert.equal(e.code, 'IMPORT_INPUT_RANGE', range);
  }
  assert.equal((await importRefusal(onnxFile, { calibration: good, inputRange: '0:1', out })).code, 'CSV_RANGE');
  assert.equal((await importRefusal(onnxFile, { calibration: good, classLabels: 'a,b', out })).code, 'MODEL_SCHEMA_INVALID');
  assert.ok(!existsSync(out), 'a refused import wrote a package');
});
