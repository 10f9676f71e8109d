// `npm run bench -- engine [--seconds S]`: inferences per second of the fixed-point
// engine and of onnxruntime-node (one thread) on the same default model and the same
// held-out rows, at batch 1 and batch 64, the cost of producing the execution trace,
// and the kernels' speed over the reference executor. The loops that a ratio compares
// run in alternating slices (S seconds in all for each, default 1), so that a change of
// load on a shared machine weighs on both sides of the ratio alike.
import { createEngine, type Engine, parseArtifact, run } from '../src/engine/index.ts';
import { FloatModel } from '../src/engine/float.ts';
import { referenceTensors } from '../src/engine/reference.ts';
import { readModelFiles } from '../src/train/model-files.ts';
import { modelSpec } from '../src/train/models.ts';
import { prepareData } from '../src/train/prepare-data.ts';
import { report, type Figure } from './report.ts';

const maxIterations = 1_000_000;
const slices = 10;

type Loop = (i: number) => unknown;

type Rate = { wall: number; cpu: number };

/**
 * Runs every loop in turn, `slices` times, each slice S / slices seconds (and at most
 * maxIterations / slices calls); returns each loop's calls per second over its slices,
 * per second of wall time and per second of this process's CPU time (every thread,
 * onnxruntime's included), which a loaded machine distorts much less.
 */
async function rates(seconds: number, loops: readonly Loop[]): Promise<Rate[]> {
  // A short warm-up so that the JIT and onnxruntime's first-run setup are not timed.
  for (const step of loops) for (let i = 0; i < 5; i++) await step(i);
  const calls = loops.map(() => 0);
  const wallMs = loops.map(() => 0);
  const cpuUs = loops.map(() => 0);
  const sliceMs = (seconds * 1000) / slices;
  for (let s = 0; s < slices; s++) {
    for (const [l, step] of loops.entries()) {
      const start = performance.now();
      const cpu = process.cpuUsage();
      let n = 0;
      let time = 0;
      while (time < sliceMs && n < maxIterations / slices) {
        await step(calls[l]! + n);
        n++;
        time = performance.now() - start;
      }
      const used = process.cpuUsage(cpu);
      calls[l]! += n;
      wallMs[l]! += time;
      cpuUs[l]! += used.user + used.system;
    }
  }
  return calls.map((n, l) => ({ wall: (n * 1000) / wallMs[l]!, cpu: (n * 1e6) / cpuUs[l]! }));
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
      const [fixedB1, tracedB1, ortB1] = (await rates(seconds, [
        (i) => run(engine, row(i)),
        (i) => run(engine, row(i), { trace: true }),
        (i) => ort.run(row(i), 1),
      ])) as [Rate, Rate, Rate];
      const [fixedB64, tracedB64, ortB64, referenceB64] = (
        await rates(seconds, [
          () => run(engine, batch64, { batch: 64 }),
          () => run(engine, batch64, { batch: 64, trace: true }),
          () => ort.run(batch64, 64),
          () => referenceTensors(engine, batch64, { batch: 64 }),
        ])
      ).map((r) => ({ wall: 64 * r.wall, cpu: 64 * r.cpu })) as [Rate, Rate, Rate, Rate];
      const label = (text: string) => `${name}: ${text}`;
      figures.push(
        { figure: `${prefix}fixed_inf_per_s_b1`, value: fixedB1.wall, unit: 'inf/s', label: label('fixed point, batch 1') },
        { figure: `${prefix}ort_inf_per_s_b1`, value: ortB1.wall, unit: 'inf/s', label: label('onnxruntime, batch 1') },
        { figure: `${prefix}fixed_vs_ort_ratio_b1`, value: fixedB1.wall / ortB1.wall, unit: 'x', label: label('fixed / onnxruntime speed, batch 1') },
        { figure: `${prefix}fixed_inf_per_s_b64`, value: fixedB64.wall, unit: 'inf/s', label: label('fixed point, batch 64') },
        { figure: `${prefix}ort_inf_per_s_b64`, value: ortB64.wall, unit: 'inf/s', label: label('onnxruntime, batch 64') },
        { figure: `${prefix}fixed_vs_ort_ratio_b64`, value: fixedB64.wall / ortB64.wall, unit: 'x', label: label('fixed / onnxruntime speed, batch 64') },
        {
          figure: `${prefix}fixed_vs_ort_cpu_ratio_b64`,
          value: fixedB64.cpu / ortB64.cpu,
          unit: 'x',
          label: label('fixed / onnxruntime inferences per CPU second, batch 64'),
        },
        {
          figure: `${prefix}fixed_vs_reference_ratio_b64`,
          value: fixedB64.wall / referenceB64.wall,
          unit: 'x',
          label: label('kernels / reference executor speed, batch 64'),
        },
        { figure: `${prefix}trace_cost_ratio_b1`, value: fixedB1.wall / tracedB1.wall, unit: 'x', label: label('traced / plain time, batch 1') },
        { figure: `${prefix}trace_cost_ratio_b64`, value: fixedB64.wall / tracedB64.wall, unit: 'x', label: label('traced / plain time, batch 64') },
      );
    } finally {
      await ort.close();
    }
  }
  report('engine', figures);
}
