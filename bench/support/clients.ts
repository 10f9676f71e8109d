// Fresh client accounts for a load test: new keys, ether for gas from a dev account,
// payment tokens from the local token's faucet, and a deposit into escrow.
import { parseEther } from 'viem';
import { generatePrivateKey } from 'viem/accounts';
import { connectSigner, type SignerConnection } from '../../src/chain/connect.ts';
import type { Deployment } from '../../src/chain/manifest.ts';
import { trellisTokenAbi } from '../../src/chain/generated/TrellisToken.ts';
import { deposit } from '../../src/sdk/accounts.ts';
import { transact } from '../../src/sdk/transact.ts';

export type FundClientsParameters = {
  /** Pays the gas money; its transfers go one after the other (one nonce sequence). */
  funder: SignerConnection;
  deployment: Deployment;
  count: number;
  /** Token base units minted to each client and deposited into escrow. */
  escrow: bigint;
};

const GAS_MONEY = parseEther('1');

export async function fundClients({ funder, deployment, count, escrow }: FundClientsParameters): Promise<SignerConnection[]> {
  const clients: SignerConnection[] = [];
  for (let i = 0; i < count; i++) {
    clients.push(
      await connectSigner({ rpcUrl: funder.rpcUrl, expectedChainId: deployment.chainId, privateKey: generatePrivateKey(), keySource: `generated client ${i}` }),
    );
  }
  for (const client of clients) {
    await transact(funder, 'send gas money', () => funder.walletClient.sendTransaction({ to: client.account.address, value: GAS_MONEY }));
  }
  // Each client has its own nonce sequence, so the clients fund themselves in parallel.
  await Promise.all(
    clients.map(async (client) => {
      await transact(client, 'token faucet', () =>
        client.walletClient.writeContract({
          address: deployment.contracts.token,
          abi: trellisTokenAbi,
          functionName: 'faucet',
          args: [client.account.address, escrow],
        }),
      );
      await deposit(client, deployment, escrow);
    }),
  );
  return clients;
}
