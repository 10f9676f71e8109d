// One delivered result as a watcher receives it: what the client asked, the input it
// sent, the provider's signed receipt and, when known, the output returned.
import type { Hex } from 'viem';
import type { InferenceRequest, Receipt } from '../protocol/messages.ts';

export type ObservedResult = {
  request?: InferenceRequest;
  /** The client's input (floats, in the model's input order). */
  input: readonly number[];
  receipt: Receipt;
  signature: Hex;
  output?: readonly number[];
  /** Part of a redundant request whose providers disagreed: always re-executed. */
  disagreement?: boolean;
};
