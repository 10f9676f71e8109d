// Helpers for indexer tests: a fresh local chain in a temporary folder, signers for its
// dev accounts, and a little of every kind of activity the index projects.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestClient, http, type Hex } from 'viem';
import { connectDevSigner, type SignerConnection } from '../../src/chain/connect.ts';
import { escrowAbi } from '../../src/chain/generated/Escrow.ts';
import { startLocalChain, type LocalChain } from '../../src/chain/local-chain.ts';
import { defaultParameters, tokens } from '../../src/chain/parameters.ts';
import { openDatabase, type Database } from '../../src/indexer/db/database.ts';
import { migrate } from '../../src/indexer/db/migrate.ts';
import { loadModel } from '../../src/models/catalog.ts';
import { signVoucher } from '../../src/payments/voucher.ts';
import { deposit, publishModel, registerProvider } from '../../src/sdk/accounts.ts';
import { transact } from '../../src/sdk/transact.ts';

export const roles = { client: 1, provider: 2, modelOwner: 9 } as const;

export type TestChain = LocalChain & {
  dataDir: string;
  signer(index: number): Promise<SignerConnection>;
  /** anvil's own methods: snapshots, reverts, mining. */
  anvil: ReturnType<typeof createTestClient>;
  dispose(): Promise<void>;
};

export async function startTestChain(): Promise<TestChain> {
  const dataDir = mkdtempSync(join(tmpdir(), 'trellis-indexer-'));
  const chain = await startLocalChain({ dataDir, port: 0, fresh: true });
  return {
    ...chain,
    dataDir,
    signer: (index) => connectDevSigner(chain.rpcUrl, index, chain.deployment.chainId),
    anvil: createTestClient({ mode: 'anvil', transport: http(chain.rpcUrl) }),
    async dispose() {
      await chain.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function migratedDatabase(dataDir?: string): Promise<Database> {
  const db = await openDatabase({ dataDir });
  await migrate(db);
  return db;
}

export type Activity = { modelId: Hex; deposited: bigint; stake: bigint; paid: bigint };

/** A model published, a client's deposit, a provider's stake and one redeemed voucher. */
export async function someActivity(chain: TestChain): Promise<Activity> {
  const { deployment } = chain;
  const model = loadModel('digits-mlp');
  const owner = await chain.signer(roles.modelOwner);
  const modelId = await publishModel(owner, deployment, {
    contentHash: model.contentHash,
    weightCommitment: model.weightCommitment,
    shape: model.shape,
    metadataURI: model.metadataURI,
    royaltyBps: 500,
  });
  const client = await chain.signer(roles.client);
  const deposited = tokens('25');
  await deposit(client, deployment, deposited);
  const provider = await chain.signer(roles.provider);
  const stake = defaultParameters.minStake;
  await registerProvider(provider, deployment, 'http://127.0.0.1:1', stake);
  const paid = tokens('2');
  const signed = await signVoucher(
    client.account,
    { chainId: deployment.chainId, escrow: deployment.contracts.escrow },
    { client: client.account.address, provider: provider.account.address, modelId, cumulativeAmount: paid },
  );
  await transact(provider, 'redeem', () =>
    provider.walletClient.writeContract({
      address: deployment.contracts.escrow,
      abi: escrowAbi,
      functionName: 'redeem',
      args: [signed.voucher, signed.signature],
    }),
  );
  return { modelId, deposited, stake, paid };
}
