// The one way the SDK, the CLI and the servers send a contract write: estimate its gas
// on the pending block (the block it is meant for), add GAS_MARGIN_PERCENT, send.
//
// A bare estimate fails now and then because the state moves between the estimate and
// the mining: a write of `block.timestamp` over the same value costs 100 gas within the
// second and 2,900 after it, a deadline extended to `now + window` only when it moves
// is a storage write the estimate may skip. Unused gas is refunded, so the margin costs
// nothing but headroom in the block.
import type { Abi, Chain, ContractFunctionArgs, ContractFunctionName, Hash, LocalAccount, WriteContractParameters } from 'viem';
import type { SignerConnection } from './connect.ts';

/** Gas sent above the estimate, in percent of it. */
export const GAS_MARGIN_PERCENT = 25n;

/** `estimate` plus the margin. */
export const withGasMargin = (estimate: bigint): bigint => estimate + (estimate * GAS_MARGIN_PERCENT) / 100n;

/** Sends `parameters` from the connection's account with the estimated gas plus the margin; returns the hash. */
export async function writeContract<
  const abi extends Abi | readonly unknown[],
  functionName extends ContractFunctionName<abi, 'nonpayable' | 'payable'>,
  args extends ContractFunctionArgs<abi, 'nonpayable' | 'payable', functionName>,
>(
  connection: Pick<SignerConnection, 'account' | 'publicClient' | 'walletClient'>,
  parameters: WriteContractParameters<abi, functionName, args, Chain, LocalAccount>,
): Promise<Hash> {
  const estimate = await connection.publicClient.estimateContractGas({ ...(parameters as object), account: connection.account, blockTag: 'pending' } as never);
  return connection.walletClient.writeContract({ ...(parameters as object), gas: withGasMargin(estimate) } as never);
}
