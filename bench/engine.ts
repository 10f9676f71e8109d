// `npm run bench -- engine [--seconds S]`: inferences per second of the fixed-point
// engine and of onnxruntime-node (one thread) on the same default model and the same
// held-out rows, at batch 1 and batch 64, and the cost of producing the execution
// trace. Every loop is time-boxed (S seconds, default 1) and bounded in iterations.
import { createEngine, parseArtifact, run, type Engine } from '../src/engine/index.ts';
import { FloatModel } from '../src/engine/float.ts';
import { readModelFiles } from '../src/train/model-files.ts';
import { modelSpec } from '../src/train/models.ts';
import { prepareData } from '../src/train/prepare-data.ts';
import { report, type Figure } from './report.ts';

const maxIterations = 1_000_000;

/** Calls `step` until `seconds` have passed (or the iteration bound); returns calls per second. */
async function rate(seconds: number, step: (i: number) => unknown): Promise<number> {
  // A short warm-up so that the JIT and onnxruntime's first-run setup are not timed.
  for (let i = 0; i < 5; i++) await step(i);
  const budgetMs = seconds * 1000;
  const start = performance.now();
  let calls = 0;
  let elapsed = 0;
  while (elapsed < budgetMs && calls < maxIterations) {
    await step(calls);
    calls++;
    elapsed = performance.now() - start;
  }
  return (calls * 1000) / elapsed;
}

// Unprefixed names are digits-mlp (the figure the self-assessment reads); digits-cnn's
// carry a `digits_cnn_` prefix.
const benchModels = [
  { name: 'digits-mlp', prefix: '' },
  { name: 'digits-cnn', prefix: 'digits_cnn_' },
] as const;

export async function main(args: string[]): Promise<void> {
  const secondsIndex = args.indexOf('--seconds');
  const seconds = secondsIndex >= 0 ? Number(args[secondsIndex + 1]) : 1;
  if (!(seconds > 0 && seconds <= 30)) throw new RangeError(`--seconds must be in (0, 30], got ${args[secondsIndex + 1]}`);
  const figures: Figure[] = [];
  for (const { name, prefix } of benchModels) {
    const files = readModelFiles(name);
    const engine: Engine = createEngine(parseArtifact(files.artifactJson));
    const ort = await FloatModel.load(files.onnx);
    const { heldOut } = prepareData(modelSpec(name));
    const size = heldOut.features;
    const rows = heldOut.rows;
    const row = (i: number) => heldOut.x.subarray((i % rows) * size, ((i % rows) + 1) * size);
    const batch64 = heldOut.x.subarray(0, 64 * size);
    try {
      const fixedB1 = await rate(seconds, (i) => run(engine, row(i)));
      const tracedB1 = await rate(seconds, (i) => run(engine, row(i), { trace: true }));
      const ortB1 = await rate(seconds, (i) => ort.run(row(i), 1));
      const fixedB64 = 64 * (await rate(seconds, () => run(engine, batch64, { batch: 64 })));
      const tracedB64 = 64 * (await rate(seconds, () => run(engine, batch64, { batch: 64, trace: true })));
      const ortB64 = 64 * (await rate(seconds, () => ort.run(batch64, 64)));
      const label = (text: string) => `${name}: ${text}`;
      figures.push(
        { figure: `${prefix}fixed_inf_per_s_b1`, value: fixedB1, unit: 'inf/s', label: label('fixed point, batch 1') },
        { figure: `${prefix}ort_inf_per_s_b1`, value: ortB1, unit: 'inf/s', label: label('onnxruntime, batch 1') },
        { figure: `${prefix}fixed_vs_ort_ratio_b1`, value: fixedB1 / ortB1, unit: 'x', label: label('fixed / onnxruntime speed, batch 1') },
        { figure: `${prefix}fixed_inf_per_s_b64`, value: fixedB64, unit: 'inf/s', label: label('fixed point, batch 64') },
        { figure: `${prefix}ort_inf_per_s_b64`, value: ortB64, unit: 'inf/s', label: label('onnxruntime, batch 64') },
        { figure: `${prefix}fixed_vs_ort_ratio_b64`, value: fixedB64 / ortB64, unit: 'x', label: label('fixed / onnxruntime speed, batch 64') },
        { figure: `${prefix}trace_cost_ratio_b1`, value: fixedB1 / tracedB1, unit: 'x', label: label('traced / plain time, batch 1') },
        { figure: `${prefix}trace_cost_ratio_b64`, value: fixedB64 / tracedB64, unit: 'x', label: label('traced / plain time, batch 64') },
      );
    } finally {
      await ort.close();
    }
  }
  report('engine', figures);
}
