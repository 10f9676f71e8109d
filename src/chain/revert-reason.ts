// What a contract call's revert says, decoded from its custom error: e.g.
// `EscrowInvalidSignature(client: 0x…, digest: 0x…)`, and the sentence a person reads
// (src/chain/error-sentences.ts). Undefined when the failure is not a revert the
// contract reported (a node that does not answer, a timeout), which callers must
// treat as "try again", never as a refusal.
import { BaseError, ContractFunctionRevertedError } from 'viem';
import { errorSentence, type ErrorArgs } from './error-sentences.ts';

export type ExplainedRevert = {
  /** The custom error's name, e.g. EscrowWithdrawalNotReady. */
  name: string | undefined;
  /** The error with its named arguments, as the contract reported it. */
  raw: string;
  /** One sentence in words, tUSD and dates; the raw form when no sentence is known. */
  sentence: string;
};

export function explainRevert(error: unknown): ExplainedRevert | undefined {
  if (!(error instanceof BaseError)) return undefined;
  const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError);
  if (!(reverted instanceof ContractFunctionRevertedError)) return undefined;
  const data = reverted.data;
  if (data) {
    const inputs = 'inputs' in data.abiItem ? data.abiItem.inputs : [];
    const values = data.args ?? [];
    const named: ErrorArgs = Object.fromEntries(values.map((value, i) => [inputs[i]?.name || `arg${i}`, value]));
    const raw = `${data.errorName}(${Object.entries(named)
      .map(([k, v]) => `${k}: ${String(v)}`)
      .join(', ')})`;
    return { name: data.errorName, raw, sentence: errorSentence(data.errorName, named) ?? raw };
  }
  const raw = reverted.reason ?? (reverted.signature ? `unknown error ${reverted.signature}` : undefined);
  return raw === undefined ? undefined : { name: undefined, raw, sentence: raw };
}

export function decodedRevert(error: unknown): string | undefined {
  return explainRevert(error)?.raw;
}
