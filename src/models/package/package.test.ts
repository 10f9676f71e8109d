import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { keccak256 } from 'viem';
import { importOnnx } from '../../engine/index.ts';
import { fixedInputs, mlpOnnx } from '../../engine/testing/fixtures.ts';
import { parseRowsCsv } from '../csv-rows.ts';
import { schemaOf } from '../schema.ts';
import { PackageError } from './errors.ts';
import { packageFileNames, type PackageManifest } from './format.ts';
import { readModelPackage } from './read.ts';
import { writeModelPackage, type PackageContents } from './write.ts';

const root = mkdtempSync(join(tmpdir(), 'trellis-package-'));
after(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const freshDir = () => join(root, `p${dirs++}`);

const range = { min: 0, max: 1 };
const csvOf = (rows: number[][]) => `${rows.map((r) => r.join(',')).join('\n')}\n`;

function contents(rows = fixedInputs(8, 6, 100)): PackageContents {
  const onnx = mlpOnnx();
  const csv = csvOf(rows);
  const artifact = importOnnx(onnx, { calibration: parseRowsCsv(csv, 'cal.csv', 6, [6]).values, inputRange: range });
  return {
    name: 'tiny-mlp',
    onnx,
    sourceFile: 'tiny.onnx',
    artifact,
    preprocess: { format: 'trellis-preprocess-1', features: 6, standardize: null, range },
    schema: schemaOf(artifact, { classLabels: ['cat', 'dog', 'bird'] }),
    calibrationCsv: new TextEncoder().encode(csv),
    calibrationRows: rows.length,
    licence: 'Apache-2.0',
    toolVersion: '0.1.0',
  };
}

function refusal(fn: () => unknown): PackageError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof PackageError, `expected a PackageError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected an error');
}

/** Replaces a file and records its new hash in the manifest, as a careless editor would. */
function replaceFile(dir: string, name: string, bytes: Uint8Array | string, edit: (m: PackageManifest) => void = () => {}): void {
  writeFileSync(join(dir, name), bytes);
  const path = join(dir, packageFileNames.manifest);
  const manifest = JSON.parse(readFileSync(path, 'utf8')) as PackageManifest;
  manifest.hashes[name] = keccak256(new Uint8Array(readFileSync(join(dir, name))));
  edit(manifest);
  writeFileSync(path, JSON.stringify(manifest, null, 2));
}

test('a written package reads back as the model it was written from', () => {
  const c = contents();
  const dir = freshDir();
  const manifest = writeModelPackage(dir, c);
  assert.deepEqual(readdirSync(dir).sort(), Object.values(packageFileNames).sort());
  const pkg = readModelPackage(dir);
  assert.equal(pkg.contentHash, keccak256(c.onnx));
  assert.equal(pkg.weightCommitment, c.artifact.weightCommitment);
  assert.deepEqual(pkg.schema.output.classLabels, ['cat', 'dog', 'bird']);
  assert.deepEqual(pkg.schema.input.shape, [6]);
  assert.equal(pkg.engine.inputSize, 6);
  assert.deepEqual(pkg.manifest, manifest);
  assert.equal(manifest.format, 'trellis-model/1');
  assert.equal(manifest.provenance.calibration.rows, 8);
  assert.equal(manifest.provenance.createdAt, undefined);
  assert.equal(manifest.hashes['model.onnx'], manifest.contentHash);
  assert.match(readFileSync(join(dir, 'MODEL_CARD.md'), 'utf8'), /Licence: Apache-2\.0/);
});

test('the same contents give the same bytes: a package carries no timestamp unless asked', () => {
  const [a, b] = [freshDir(), freshDir()];
  writeModelPackage(a, contents());
  writeModelPackage(b, contents());
  for (const name of Object.values(packageFileNames)) assert.deepEqual(readFileSync(join(a, name)), readFileSync(join(b, name)), name);
});

test('a file changed after writing is refused, naming the file', () => {
  const dir = freshDir();
  writeModelPackage(dir, contents());
  writeFileSync(join(dir, 'preprocess.json'), `${readFileSync(join(dir, 'preprocess.json'), 'utf8')} `);
  const e = refusal(() => readModelPackage(dir));
  assert.equal(e.code, 'PACKAGE_HASH_MISMATCH');
  assert.match(e.shortMessage, /preprocess\.json was changed after the package was written/);
});

test('a missing file and a manifest of another format are refused', () => {
  const dir = freshDir();
  writeModelPackage(dir, contents());
  unlinkSync(join(dir, 'calibration.csv'));
  const missing = refusal(() => readModelPackage(dir));
  assert.equal(missing.code, 'PACKAGE_FILE_MISSING');
  assert.match(missing.shortMessage, /has no calibration\.csv/);

  const other = freshDir();
  writeModelPackage(other, contents());
  replaceFile(other, 'MODEL_CARD.md', '# edited\n', (m) => {
    (m as { format: string }).format = 'trellis-model/2';
  });
  const format = refusal(() => readModelPackage(other));
  assert.equal(format.code, 'PACKAGE_MANIFEST_INVALID');
  assert.match(format.shortMessage, /format is not "trellis-model\/1"/);
  assert.equal(refusal(() => readModelPackage(freshDir())).code, 'PACKAGE_FILE_MISSING');
});

test('an artifact that does not follow from the ONNX file and the packaged rows is refused', () => {
  const dir = freshDir();
  writeModelPackage(dir, contents());
  // Other rows of the same count, with the manifest made to agree: the scales move.
  const rows = fixedInputs(8, 6, 100).map((r) => r.map((v) => v / 4));
  const csv = csvOf(rows);
  replaceFile(dir, 'calibration.csv', csv, (m) => {
    m.provenance.calibration.keccak256 = keccak256(new TextEncoder().encode(csv));
  });
  const e = refusal(() => readModelPackage(dir));
  assert.equal(e.code, 'PACKAGE_NOT_REPRODUCIBLE');
  assert.match(e.shortMessage, /model\.artifact\.json does not follow from model\.onnx and calibration\.csv/);
  assert.match(e.details[0]!, /^weight commitment: rebuilt 0x[0-9a-f]{64}, packaged 0x[0-9a-f]{64}$/);
});

test('a manifest whose hashes or schema differ from the files is refused', () => {
  const dir = freshDir();
  writeModelPackage(dir, contents());
  replaceFile(dir, 'MODEL_CARD.md', '# edited\n', (m) => {
    m.weightCommitment = `0x${'11'.repeat(32)}`;
  });
  assert.equal(refusal(() => readModelPackage(dir)).code, 'PACKAGE_CONTENT_MISMATCH');

  const preprocess = freshDir();
  writeModelPackage(preprocess, contents());
  replaceFile(preprocess, 'preprocess.json', JSON.stringify({ format: 'trellis-preprocess-1', features: 5, standardize: null, range }));
  const wide = refusal(() => readModelPackage(preprocess));
  assert.equal(wide.code, 'PACKAGE_CONTENT_MISMATCH');
  assert.match(wide.details.join('\n'), /features: expected 6 \(the model input size\), got 5/);

  const labels = freshDir();
  writeModelPackage(labels, contents());
  replaceFile(labels, 'MODEL_CARD.md', '# edited\n', (m) => {
    m.output.classLabels = ['cat', 'dog'];
  });
  const e = refusal(() => readModelPackage(labels));
  assert.equal(e.code, 'PACKAGE_MANIFEST_INVALID');
  assert.match(e.shortMessage, /3 output values, so it needs 3 class labels/);
});

test('a package is written only into a new or empty folder', () => {
  const dir = freshDir();
  writeModelPackage(dir, contents());
  assert.equal(refusal(() => writeModelPackage(dir, contents())).code, 'PACKAGE_DIR_NOT_EMPTY');
});
