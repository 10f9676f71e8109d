// The parameter leaf of a layer as the contract's LayerMath.Params struct, and the window
// of input positions one output element reads (the TypeScript twin of LayerMath.window,
// used to choose which input elements a step must open).
import { LAYER_PARAM_WORDS, layerOpCodes } from '../engine/weights.ts';
import { VerifyError } from './errors.ts';

const fieldNames = [
  'layer',
  'layerCount',
  'op',
  'inputA',
  'inputB',
  'inC',
  'inH',
  'inW',
  'outC',
  'outH',
  'outW',
  'kh',
  'kw',
  'sh',
  'sw',
  'pt',
  'pl',
  'pb',
  'pr',
  'dh',
  'dw',
  'group',
  'shift',
  'alignA',
  'alignB',
  'reciprocal',
] as const;

export type LayerParams = { [K in (typeof fieldNames)[number]]: bigint };

/** The 26 words of a parameter leaf as the contract's struct (field order = word order). */
export function layerParamsStruct(words: readonly number[]): LayerParams {
  if (words.length !== LAYER_PARAM_WORDS) {
    throw new VerifyError('VERIFY_LAYER_OUT_OF_RANGE', 'A parameter leaf has the wrong number of words.', {
      details: [`expected: ${LAYER_PARAM_WORDS}`, `got: ${words.length}`],
    });
  }
  return Object.fromEntries(fieldNames.map((name, i) => [name, BigInt(words[i]!)])) as LayerParams;
}

/** Marks a window position in the zero padding. */
export const PAD = -1;

/** Input-A positions read by output element `index`, in summation order; PAD in the padding. */
export function windowPositions(words: readonly number[], index: number): number[] {
  const w = Object.fromEntries(fieldNames.map((name, i) => [name, words[i]!])) as Record<(typeof fieldNames)[number], number>;
  if (w.op === layerOpCodes.dense) return Array.from({ length: w.inC }, (_, k) => k);
  if (w.op === layerOpCodes.relu || w.op === layerOpCodes.add) return [index];
  const plane = w.outH * w.outW;
  const oc = Math.floor(index / plane);
  const conv = w.op === layerOpCodes.conv;
  const channels = conv ? w.inC / w.group : 1;
  const c0 = conv ? Math.floor(oc / (w.outC / w.group)) * channels : oc;
  const [dh, dw] = conv ? [w.dh, w.dw] : [1, 1];
  const top = Math.floor((index % plane) / w.outW) * w.sh;
  const left = (index % w.outW) * w.sw;
  const out: number[] = [];
  for (let c = 0; c < channels; c++) {
    for (let i = 0; i < w.kh; i++) {
      const h = top + i * dh - w.pt;
      for (let j = 0; j < w.kw; j++) {
        const v = left + j * dw - w.pl;
        out.push(h >= 0 && h < w.inH && v >= 0 && v < w.inW ? (c0 + c) * w.inH * w.inW + h * w.inW + v : PAD);
      }
    }
  }
  return out;
}
