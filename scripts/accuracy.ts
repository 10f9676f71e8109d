// `npm run accuracy`: for each committed default model, held-out accuracy of the float
// model (onnxruntime-node) and of the fixed-point artifact (engine), their difference,
// argmax agreement and the largest logit error, as a table. Exits 1 when the fixed
// point falls more than 1 percentage point away from float on any model.
import { parseArtifact } from '../src/engine/index.ts';
import { compareFloatAndFixed } from '../src/train/evaluate.ts';
import { readModelFiles } from '../src/train/model-files.ts';
import { modelSpecs } from '../src/train/models.ts';
import { prepareData } from '../src/train/prepare-data.ts';

const tolerancePp = 1;
const header = ['model', 'rows', 'float', 'fixed', 'diff (pp)', 'argmax agree', 'max |logit err|', 'within 1 pp'];
const table: string[][] = [];
let failed = false;
for (const spec of modelSpecs) {
  const files = readModelFiles(spec.name);
  const { heldOut } = prepareData(spec);
  const c = await compareFloatAndFixed(files.onnx, parseArtifact(files.artifactJson), heldOut);
  const ok = Math.abs(c.differencePp) <= tolerancePp;
  failed ||= !ok;
  table.push([
    spec.name,
    String(c.rows),
    `${(c.floatAccuracy * 100).toFixed(2)}%`,
    `${(c.fixedAccuracy * 100).toFixed(2)}%`,
    c.differencePp.toFixed(2),
    `${(c.argmaxAgreement * 100).toFixed(2)}%`,
    c.maxAbsLogitError.toFixed(4),
    ok ? 'yes' : 'NO',
  ]);
}
const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
console.log('held-out accuracy: float (onnxruntime-node) vs fixed point (engine)');
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const row of table) console.log(line(row));
if (failed) {
  console.error(`\nfixed point is more than ${tolerancePp} percentage point away from float on at least one model`);
  process.exit(1);
}
