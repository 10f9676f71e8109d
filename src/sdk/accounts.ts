// Client, provider and model-owner actions on the contracts: plain functions taking
// a signer connection and the deployment, so each is usable and testable alone.
import type { Address, Hash, Hex } from 'viem';
import type { Connection, SignerConnection } from '../chain/connect.ts';
import type { Deployment } from '../chain/manifest.ts';
import { disputeGameAbi } from '../chain/generated/DisputeGame.ts';
import { escrowAbi } from '../chain/generated/Escrow.ts';
import { modelRegistryAbi } from '../chain/generated/ModelRegistry.ts';
import { providerRegistryAbi } from '../chain/generated/ProviderRegistry.ts';
import { trellisTokenAbi } from '../chain/generated/TrellisToken.ts';
import type { CommitmentShape } from '../engine/weights.ts';
import { transact } from './transact.ts';
import { writeContract } from '../chain/write.ts';

/** Approves the escrow and deposits `amount` (token base units). */
export async function deposit(c: SignerConnection, d: Deployment, amount: bigint): Promise<Hash> {
  await transact(c, 'approve escrow', () =>
    writeContract(c, { address: d.contracts.token, abi: trellisTokenAbi, functionName: 'approve', args: [d.contracts.escrow, amount] }),
  );
  return transact(c, 'deposit', () => writeContract(c, { address: d.contracts.escrow, abi: escrowAbi, functionName: 'deposit', args: [amount] }));
}

/** Starts the withdrawal notice for `amount`; vouchers already signed stay redeemable meanwhile. */
export const requestWithdrawal = (c: SignerConnection, d: Deployment, amount: bigint): Promise<Hash> =>
  transact(c, 'request withdrawal', () => writeContract(c, { address: d.contracts.escrow, abi: escrowAbi, functionName: 'requestWithdrawal', args: [amount] }));

export const withdraw = (c: SignerConnection, d: Deployment): Promise<Hash> =>
  transact(c, 'withdraw', () => writeContract(c, { address: d.contracts.escrow, abi: escrowAbi, functionName: 'withdraw' }));

/** Moves earnings (provider share, royalties or fees) from the escrow to the wallet. */
export const claimEarnings = (c: SignerConnection, d: Deployment): Promise<Hash> =>
  transact(c, 'claim earnings', () => writeContract(c, { address: d.contracts.escrow, abi: escrowAbi, functionName: 'claim' }));

export type Balances = { wallet: bigint; escrow: bigint; pendingWithdrawal: bigint; earnings: bigint; stake: bigint };

export async function balances(c: Connection, d: Deployment, account: Address): Promise<Balances> {
  const read = c.publicClient.readContract.bind(c.publicClient);
  const [wallet, escrow, pending, earnings, provider] = await Promise.all([
    read({ address: d.contracts.token, abi: trellisTokenAbi, functionName: 'balanceOf', args: [account] }),
    read({ address: d.contracts.escrow, abi: escrowAbi, functionName: 'balanceOf', args: [account] }),
    read({ address: d.contracts.escrow, abi: escrowAbi, functionName: 'pendingWithdrawal', args: [account] }),
    read({ address: d.contracts.escrow, abi: escrowAbi, functionName: 'earnings', args: [account] }),
    read({ address: d.contracts.providerRegistry, abi: providerRegistryAbi, functionName: 'getProvider', args: [account] }),
  ]);
  return { wallet, escrow, pendingWithdrawal: pending.amount, earnings, stake: provider.activeStake };
}

export async function registerProvider(c: SignerConnection, d: Deployment, endpoint: string, stake: bigint): Promise<Hash> {
  await transact(c, 'approve stake', () =>
    writeContract(c, { address: d.contracts.token, abi: trellisTokenAbi, functionName: 'approve', args: [d.contracts.providerRegistry, stake] }),
  );
  return transact(c, 'register provider', () =>
    writeContract(c, {
      address: d.contracts.providerRegistry,
      abi: providerRegistryAbi,
      functionName: 'register',
      args: [endpoint, c.account.publicKey, stake],
    }),
  );
}

export async function addStake(c: SignerConnection, d: Deployment, amount: bigint): Promise<Hash> {
  await transact(c, 'approve stake', () =>
    writeContract(c, { address: d.contracts.token, abi: trellisTokenAbi, functionName: 'approve', args: [d.contracts.providerRegistry, amount] }),
  );
  return transact(c, 'add stake', () =>
    writeContract(c, { address: d.contracts.providerRegistry, abi: providerRegistryAbi, functionName: 'addStake', args: [amount] }),
  );
}

export const startUnbonding = (c: SignerConnection, d: Deployment, amount: bigint): Promise<Hash> =>
  transact(c, 'start unbonding', () =>
    writeContract(c, { address: d.contracts.providerRegistry, abi: providerRegistryAbi, functionName: 'startUnbonding', args: [amount] }),
  );

export const withdrawStake = (c: SignerConnection, d: Deployment): Promise<Hash> =>
  transact(c, 'withdraw stake', () => writeContract(c, { address: d.contracts.providerRegistry, abi: providerRegistryAbi, functionName: 'withdraw' }));

export type PublishModel = { contentHash: Hex; weightCommitment: Hex; shape: CommitmentShape; metadataURI: string; royaltyBps: number };

/** Publishes a model and returns its id (keccak256 of publisher and content hash). */
export async function publishModel(c: SignerConnection, d: Deployment, model: PublishModel): Promise<Hex> {
  await transact(c, 'publish model', () =>
    writeContract(c, {
      address: d.contracts.modelRegistry,
      abi: modelRegistryAbi,
      functionName: 'publish',
      args: [model.contentHash, model.weightCommitment, model.shape, model.metadataURI, model.royaltyBps],
    }),
  );
  return c.publicClient.readContract({
    address: d.contracts.modelRegistry,
    abi: modelRegistryAbi,
    functionName: 'modelIdOf',
    args: [c.account.address, model.contentHash],
  });
}

export const setRoyalty = (c: SignerConnection, d: Deployment, modelId: Hex, royaltyBps: number): Promise<Hash> =>
  transact(c, 'set royalty', () =>
    writeContract(c, { address: d.contracts.modelRegistry, abi: modelRegistryAbi, functionName: 'setRoyalty', args: [modelId, royaltyBps] }),
  );

/** Moves dispute payouts (bonds back, rewards, compensation) from the dispute game to the wallet. */
export const claimDisputePayouts = (c: SignerConnection, d: Deployment): Promise<Hash> =>
  transact(c, 'claim dispute payouts', () => writeContract(c, { address: d.contracts.disputeGame, abi: disputeGameAbi, functionName: 'claim' }));
