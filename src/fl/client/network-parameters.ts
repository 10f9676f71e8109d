// A network's trainable arrays as one flat float vector and back, in the order the
// federation fixes: layers in order, each layer's weights (row-major, as stored)
// then its biases. That is Sequential.params() order, since every layer lists its
// weight before its bias.
import type { Sequential } from '../../train/sequential.ts';
import { StrategyError } from '../strategies/errors.ts';

export function parameterCount(net: Sequential): number {
  return net.params().reduce((n, p) => n + p.value.length, 0);
}

export function getFlatParameters(net: Sequential): Float64Array {
  const out = new Float64Array(parameterCount(net));
  let offset = 0;
  for (const p of net.params()) {
    out.set(p.value, offset);
    offset += p.value.length;
  }
  return out;
}

export function setFlatParameters(net: Sequential, flat: ArrayLike<number>): void {
  const count = parameterCount(net);
  if (flat.length !== count) {
    throw new StrategyError('FL_UPDATE_WRONG_LENGTH', 'The parameters do not fit the network.', {
      details: [`network: ${count} values`, `got: ${flat.length}`],
    });
  }
  let offset = 0;
  for (const p of net.params()) {
    for (let i = 0; i < p.value.length; i++) p.value[i] = flat[offset + i]!;
    offset += p.value.length;
  }
}
