// What a contract call's revert says, decoded from its custom error: e.g.
// `EscrowInvalidSignature(client: 0x…, digest: 0x…)`. Undefined when the failure is
// not a revert the contract reported (a node that does not answer, a timeout), which
// callers must treat as "try again", never as a refusal.
import { BaseError, ContractFunctionRevertedError } from 'viem';

export function decodedRevert(error: unknown): string | undefined {
  if (!(error instanceof BaseError)) return undefined;
  const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError);
  if (!(reverted instanceof ContractFunctionRevertedError)) return undefined;
  const data = reverted.data;
  if (data) {
    const inputs = 'inputs' in data.abiItem ? data.abiItem.inputs : [];
    const args = (data.args ?? []).map((value, i) => `${inputs[i]?.name || `arg${i}`}: ${String(value)}`);
    return `${data.errorName}(${args.join(', ')})`;
  }
  return reverted.reason ?? (reverted.signature ? `unknown error ${reverted.signature}` : undefined);
}
