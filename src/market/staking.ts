// Model staking calls: stake behind a model's weight commitment, ask it back, withdraw
// it after the delay, and read what clients see of it (docs/market.md).
import type { Address, Hash, Hex } from 'viem';
import type { Connection, SignerConnection } from '../chain/connect.ts';
import { modelStakingAbi } from '../chain/generated/ModelStaking.ts';
import { trellisTokenAbi } from '../chain/generated/TrellisToken.ts';
import type { Deployment } from '../chain/manifest.ts';
import { transact } from '../sdk/transact.ts';
import { marketOf } from './contracts.ts';
import { writeContract } from '../chain/write.ts';

export type ModelStake = {
  staker: Address;
  active: bigint;
  unstaking: bigint;
  unstakeAt: bigint;
  openChallenges: number;
  slashed: boolean;
};

/** Approves the staking contract and adds `amount` to the stake of a model the signer owns. */
export async function stakeModel(c: SignerConnection, d: Deployment, modelId: Hex, amount: bigint): Promise<Hash> {
  const { modelStaking } = marketOf(d);
  await transact(c, 'approve model stake', () =>
    writeContract(c, { address: d.contracts.token, abi: trellisTokenAbi, functionName: 'approve', args: [modelStaking, amount] }),
  );
  return transact(c, 'stake on model', () => writeContract(c, { address: modelStaking, abi: modelStakingAbi, functionName: 'stake', args: [modelId, amount] }));
}

/** Starts the unstake delay for `amount` of active stake. */
export const requestUnstake = (c: SignerConnection, d: Deployment, modelId: Hex, amount: bigint): Promise<Hash> =>
  transact(c, 'request unstake', () =>
    writeContract(c, { address: marketOf(d).modelStaking, abi: modelStakingAbi, functionName: 'requestUnstake', args: [modelId, amount] }),
  );

/** Pays the unstaking stake back once the delay passed and no challenge is open. */
export const withdrawUnstaked = (c: SignerConnection, d: Deployment, modelId: Hex): Promise<Hash> =>
  transact(c, 'withdraw unstaked', () =>
    writeContract(c, { address: marketOf(d).modelStaking, abi: modelStakingAbi, functionName: 'withdrawUnstaked', args: [modelId] }),
  );

/** Names leaf `leafIndex` of a model's commitment, paying the current challenge bond. */
export async function challengeModel(c: SignerConnection, d: Deployment, modelId: Hex, leafIndex: bigint): Promise<bigint> {
  const { modelStaking, marketParams } = marketOf(d);
  const { marketParamsAbi } = await import('../chain/generated/MarketParams.ts');
  const bond = await c.publicClient.readContract({ address: marketParams, abi: marketParamsAbi, functionName: 'modelChallengeBond' });
  await transact(c, 'approve challenge bond', () =>
    writeContract(c, { address: d.contracts.token, abi: trellisTokenAbi, functionName: 'approve', args: [modelStaking, bond] }),
  );
  await transact(c, 'challenge model', () =>
    writeContract(c, { address: modelStaking, abi: modelStakingAbi, functionName: 'challenge', args: [modelId, leafIndex] }),
  );
  return c.publicClient.readContract({ address: modelStaking, abi: modelStakingAbi, functionName: 'challengeCount' });
}

/** Opens a challenged weight-row leaf. */
export const answerRowLeaf = (
  c: SignerConnection,
  d: Deployment,
  id: bigint,
  row: { rowShift: bigint; bias: bigint; weights: Hex; path: readonly Hex[] },
): Promise<Hash> =>
  transact(c, 'answer model challenge', () =>
    writeContract(c, {
      address: marketOf(d).modelStaking,
      abi: modelStakingAbi,
      functionName: 'answerRow',
      args: [id, row.rowShift, row.bias, row.weights, row.path],
    }),
  );

/** Pays out what model staking credited to the signer (bonds, slash shares). */
export const claimStakingCredits = (c: SignerConnection, d: Deployment): Promise<Hash> =>
  transact(c, 'claim staking credits', () => writeContract(c, { address: marketOf(d).modelStaking, abi: modelStakingAbi, functionName: 'claim' }));

export async function modelStakeOf(c: Connection, d: Deployment, modelId: Hex): Promise<ModelStake> {
  const s = await c.publicClient.readContract({ address: marketOf(d).modelStaking, abi: modelStakingAbi, functionName: 'stakeOf', args: [modelId] });
  return { staker: s.staker, active: s.active, unstaking: s.unstaking, unstakeAt: s.unstakeAt, openChallenges: s.openChallenges, slashed: s.slashed };
}
