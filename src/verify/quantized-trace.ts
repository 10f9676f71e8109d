// The honest trace of an input given as the quantized integers of tensor 0 (what a
// dispute reveals on chain), rather than as the client's floats. The engine quantizes
// floats itself, so the integers are handed to it as exact multiples of 2^-frac; the
// declared input range is widened for this run only, because an integer rounded at the
// range's edge may lie a half step outside it and must still reproduce the same trace.
import { createEngine, run, type Engine } from '../engine/index.ts';
import type { Trace } from '../engine/trace.ts';

/** An engine over the same artifact that accepts any quantized input. */
export function quantizedEngine(engine: Engine): Engine {
  const { artifact } = engine;
  return createEngine({ ...artifact, input: { ...artifact.input, range: { min: -Infinity, max: Infinity } } });
}

/** The trace of one sample from its quantized input (scale 2^frac, exact). */
export function traceOfQuantized(engine: Engine, quantized: ArrayLike<number>): Trace {
  const scale = 2 ** -engine.artifact.input.frac;
  const input = Array.from(quantized, (q) => q * scale);
  return run(engine, input, { batch: 1, trace: true }).traces![0]!;
}
