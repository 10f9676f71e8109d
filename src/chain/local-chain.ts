// The embedded local chain: anvil on 127.0.0.1 with the contracts deployed and the dev
// accounts funded with the payment token. Its state lives in a data folder; starting
// again resumes with the same addresses and balances, and `fresh` starts over.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { startAnvil, type Anvil } from './anvil.ts';
import { refuseRunning, runningAnvil } from './anvil-ownership.ts';
import { connectSigner } from './connect.ts';
import { deployTrellis } from './deploy.ts';
import { devAccount, devAccounts, type DevAccount } from './dev-accounts.ts';
import { checkManifestMatchesChain, readManifest, writeManifest, type Deployment } from './manifest.ts';
import { tokens } from './parameters.ts';
import { trellisTokenAbi } from './generated/TrellisToken.ts';
import { writeContract } from './write.ts';

export const LOCAL_CHAIN_ID = 31337;
/** What the local deployment gives each dev account in the payment token. */
export const DEV_ACCOUNT_FUNDS = tokens('10000');

export type LocalChainOptions = {
  dataDir: string;
  /** The RPC port (default 8545); 0 lets the system pick a free one. */
  port?: number;
  /** Delete the data folder first and deploy anew. */
  fresh?: boolean;
  /** Take over an anvil of this folder that an earlier, dead run left running (refused otherwise). */
  adoptChain?: boolean;
  onStep?: (step: string) => void;
};

export type LocalChain = {
  rpcUrl: string;
  deployment: Deployment;
  manifestPath: string;
  accounts: DevAccount[];
  /** True when this start deployed the contracts; false when it resumed. */
  deployed: boolean;
  /** True when this start took over an anvil left running by an earlier run. */
  adopted: boolean;
  stop(): Promise<void>;
};

export async function startLocalChain(options: LocalChainOptions): Promise<LocalChain> {
  const stateDir = join(options.dataDir, 'chain');
  if (options.fresh) {
    // Deleting the folder of a running anvil would leave it serving a chain no one owns.
    const running = runningAnvil(stateDir);
    if (running) throw refuseRunning(running, stateDir);
    rmSync(options.dataDir, { recursive: true, force: true });
  }
  const manifestPath = join(options.dataDir, 'deployment.json');
  options.onStep?.('starting anvil');
  const anvil = await startAnvil({ stateDir, port: options.port ?? 8545, chainId: LOCAL_CHAIN_ID, adopt: options.adoptChain });
  try {
    const deployer = devAccount(0);
    const connection = await connectSigner({
      rpcUrl: anvil.rpcUrl,
      expectedChainId: LOCAL_CHAIN_ID,
      privateKey: deployer.privateKey,
      keySource: 'dev account 0',
    });
    let deployment = readManifest(manifestPath);
    const deployed = deployment === undefined;
    if (deployment) {
      await checkManifestMatchesChain(manifestPath, deployment, connection.publicClient);
    } else {
      deployment = await deployFresh(anvil, connection, options);
      writeManifest(manifestPath, deployment);
    }
    return { rpcUrl: anvil.rpcUrl, deployment, manifestPath, accounts: devAccounts(), deployed, adopted: anvil.adopted, stop: () => anvil.stop() };
  } catch (error) {
    await anvil.stop();
    throw error;
  }
}

async function deployFresh(anvil: Anvil, connection: Awaited<ReturnType<typeof connectSigner>>, options: LocalChainOptions): Promise<Deployment> {
  try {
    const deployment = await deployTrellis(connection, { faucetChainId: BigInt(LOCAL_CHAIN_ID), initialSupply: 0n, onStep: options.onStep });
    options.onStep?.('funding dev accounts');
    for (const account of devAccounts()) {
      const hash = await writeContract(connection, {
        address: deployment.contracts.token,
        abi: trellisTokenAbi,
        functionName: 'faucet',
        args: [account.address, DEV_ACCOUNT_FUNDS],
      });
      await connection.publicClient.waitForTransactionReceipt({ hash });
    }
    return deployment;
  } catch (error) {
    // Leave nothing half deployed: drop the chain state so the next start begins clean.
    await anvil.stop();
    rmSync(join(options.dataDir, 'chain'), { recursive: true, force: true });
    throw error;
  }
}
