// Accounts for the parties of a local task. anvil funds dev accounts 0..9 with ether,
// and the network's roles use most of them (src/network/roles.ts), so participants,
// the aggregator, the watcher and the provider of the trained model are further keys
// of the same public mnemonic, funded here with ether and faucet tokens by the deployer.
// Local chain only: the keys are public.
import { parseEther, type Address } from 'viem';
import type { SignerConnection } from '../../chain/connect.ts';
import { trellisTokenAbi } from '../../chain/generated/TrellisToken.ts';
import type { Deployment } from '../../chain/manifest.ts';
import { transact } from '../../sdk/transact.ts';
import { writeContract } from '../../chain/write.ts';

/** Gives `to` ether for gas and `amount` tokens from the local faucet, if it has less. */
export async function fundLocalAccount(deployer: SignerConnection, deployment: Deployment, to: Address, amount: bigint): Promise<void> {
  const { publicClient, walletClient, account } = deployer;
  if ((await publicClient.getBalance({ address: to })) < parseEther('1')) {
    await transact(deployer, `Sending ether to ${to}`, () => walletClient.sendTransaction({ account, to, value: parseEther('10'), chain: walletClient.chain }));
  }
  const balance = await publicClient.readContract({ address: deployment.contracts.token, abi: trellisTokenAbi, functionName: 'balanceOf', args: [to] });
  if (balance >= amount) return;
  await transact(deployer, `Funding ${to} from the faucet`, () =>
    writeContract(deployer, {
      address: deployment.contracts.token,
      abi: trellisTokenAbi,
      functionName: 'faucet',
      args: [to, amount - balance],
      account,
      chain: walletClient.chain,
    }),
  );
}
