// A client's own check of the results it pays for. It holds the model (it quantized the
// input to sign the request), so it can re-execute a seeded share of its verified
// results with the fixed-point engine before paying: a wrong one is refused with nothing
// signed for it, and its receipt is handed back for a dispute, which the receipt's own
// client can always open (the game's per-provider cap never keeps it out). Sampling
// even a small share makes a provider's lie, and a puppet's squatting, a losing bet
// (docs/disputes.md, "Threat model").
import { run, type Engine } from '../engine/index.ts';
import { ProtocolError } from '../protocol/errors.ts';
import type { Receipt } from '../protocol/messages.ts';
import { toWire } from '../protocol/wire.ts';
import { sampled } from '../verify/sample.ts';

export type SelfCheck = { rate: number; seed: number };

/** Throws RESULT_WRONG when a sampled receipt's trace is not what the engine computes here. */
export function checkSampled(
  check: SelfCheck,
  engine: Engine,
  input: readonly number[],
  receipts: readonly { receipt: Receipt; signature: `0x${string}` }[],
): void {
  const chosen = receipts.filter(({ receipt }) => sampled(check.rate, check.seed, receipt.requestHash, receipt.provider));
  if (chosen.length === 0) return;
  const trace = run(engine, input, { batch: 1, trace: true }).traces![0]!;
  const outputRoot = trace.layerRoots[trace.layerRoots.length - 1]!.toLowerCase();
  // Both commitments must be the engine's: a receipt may sign an honest trace and another output.
  const wrong = chosen.filter(({ receipt }) => receipt.traceRoot.toLowerCase() !== trace.root.toLowerCase() || receipt.outputHash.toLowerCase() !== outputRoot);
  if (wrong.length === 0) return;
  throw new ProtocolError('RESULT_WRONG', 'Re-executed here, the result is wrong; nothing was paid for it.', {
    details: wrong.flatMap(({ receipt, signature }) => [
      `provider ${receipt.provider}: trace root ${receipt.traceRoot} and output hash ${receipt.outputHash}; computed here ${trace.root} and ${outputRoot}`,
      `receipt (to dispute): ${JSON.stringify(toWire(receipt))}`,
      `signature: ${signature}`,
    ]),
  });
}
