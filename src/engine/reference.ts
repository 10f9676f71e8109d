// The reference executor: every layer straight from the formulas of
// docs/engine-spec.md, one output at a time in doubles (exact below 2^53). It is the
// oracle the kernel executor (src/engine/wasm/) is tested against, bit for bit.
import { type Engine, quantizeInput, type RunInput, type RunOptions } from './engine.ts';
import { add } from './ops/add.ts';
import { avgpool } from './ops/avgpool.ts';
import { conv } from './ops/conv.ts';
import { dense } from './ops/dense.ts';
import { maxpool } from './ops/maxpool.ts';
import { relu } from './ops/relu.ts';

/** Every tensor of the batch (0 = quantized input), batch first, as the reference computes them. */
export function referenceTensors(engine: Engine, input: RunInput, options: RunOptions = {}): { tensors: Float64Array[]; batch: number } {
  const { data, batch } = quantizeInput(engine, input, options);
  return { tensors: referenceExecute(engine, data, batch), batch };
}

/** The layers over an already quantized input (any int16 values, batch x input size). */
export function referenceExecute(engine: Engine, quantized: Float64Array, batch: number): Float64Array[] {
  const tensors: Float64Array[] = [quantized];
  for (const p of engine.layers) {
    const l = p.layer;
    const out = new Float64Array(batch * p.size);
    switch (l.op) {
      case 'dense':
        dense({ inFeatures: l.inFeatures, outFeatures: l.outFeatures, shift: l.shift, weights: p.weights, bias: p.bias }, tensors[l.input]!, batch, out);
        break;
      case 'conv':
        conv({ ...l, weights: p.weights, bias: p.bias }, tensors[l.input]!, batch, out);
        break;
      case 'relu':
        relu(tensors[l.input]!, batch * p.size, out);
        break;
      case 'maxpool':
        maxpool(l, tensors[l.input]!, batch, out);
        break;
      case 'avgpool':
        avgpool(l, tensors[l.input]!, batch, out);
        break;
      case 'add':
        add(l, tensors[l.inputs[0]]!, tensors[l.inputs[1]]!, batch * p.size, out);
        break;
    }
    tensors.push(out);
  }
  return tensors;
}
