// Sends a contract write and waits for it to be mined, turning a revert into an error
// that names the action and says in words what the contract refused (amounts in
// tUSD, times as dates); the raw custom error follows as a detail.
import { BaseError, type Hash } from 'viem';
import type { SignerConnection } from '../chain/connect.ts';
import { explainRevert } from '../chain/revert-reason.ts';
import { TrellisError } from '../errors.ts';

export async function transact(connection: SignerConnection, action: string, send: () => Promise<Hash>): Promise<Hash> {
  try {
    const hash = await send();
    const receipt = await connection.publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== 'success') throw new Error(`transaction ${hash} reverted`);
    return hash;
  } catch (cause) {
    const revert = explainRevert(cause);
    if (revert)
      throw new TrellisError('TRANSACTION_FAILED', `${action} failed: ${revert.sentence}`, {
        details: revert.sentence === revert.raw ? [] : [`contract error: ${revert.raw}`],
      });
    throw new TrellisError('TRANSACTION_FAILED', `${action} failed.`, { details: [cause instanceof BaseError ? cause.shortMessage : String(cause)] });
  }
}
