// Sends a contract write and waits for it to be mined, turning a revert into an error
// that names the action and the contract's custom error.
import { BaseError, ContractFunctionRevertedError, type Hash } from 'viem';
import type { SignerConnection } from '../chain/connect.ts';
import { TrellisError } from '../errors.ts';

export async function transact(connection: SignerConnection, action: string, send: () => Promise<Hash>): Promise<Hash> {
  try {
    const hash = await send();
    const receipt = await connection.publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== 'success') throw new Error(`transaction ${hash} reverted`);
    return hash;
  } catch (cause) {
    const revert = cause instanceof BaseError ? cause.walk((e) => e instanceof ContractFunctionRevertedError) : undefined;
    const reason = revert instanceof ContractFunctionRevertedError && revert.data ? `${revert.data.errorName}(${(revert.data.args ?? []).map(String).join(', ')})` : undefined;
    throw new TrellisError('TRANSACTION_FAILED', `${action} failed${reason ? `: ${reason}` : ''}.`, {
      details: reason ? [] : [cause instanceof BaseError ? cause.shortMessage : String(cause)],
    });
  }
}
