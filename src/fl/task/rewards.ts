// What each contributor of a task earned: round rewards credited by the coordinator
// (RewardCredited, claimed with claim()) and its share of the final model's royalties
// (ContributorRoyalties.claimable, claimed with claim(account)).
import { zeroAddress, type Address, type Hex } from 'viem';
import { contributorRoyaltiesAbi } from '../../chain/generated/ContributorRoyalties.ts';
import { federatedTrainingAbi } from '../../chain/generated/FederatedTraining.ts';
import { transact } from '../../sdk/transact.ts';
import { claimableOf, coordinator, flWrite, participantAt, readTask, shareOf, type FlContext } from './chain.ts';
import { writeContract } from '../../chain/write.ts';

type Reader = Pick<FlContext, 'deployment' | 'connection'>;

export type ContributorEarnings = {
  index: number;
  account: Address;
  /** Round rewards credited in this task, per round. */
  rounds: { round: number; score: bigint; reward: bigint }[];
  roundRewards: bigint;
  /** Royalty shares of the final model (of 10^18 per scored round). */
  shares: bigint;
  /** Royalties this account could claim now. */
  royaltiesClaimable: bigint;
  /** Everything the coordinator holds for the account (all tasks: rewards, stakes returned, slash shares). */
  coordinatorClaimable: bigint;
};

export async function taskEarnings(ctx: Reader, taskId: bigint): Promise<ContributorEarnings[]> {
  const { state } = await readTask(ctx, taskId);
  const credited = (await ctx.connection.publicClient.getContractEvents({
    address: coordinator(ctx.deployment),
    abi: federatedTrainingAbi,
    eventName: 'RewardCredited',
    args: { taskId },
    fromBlock: 0n,
    strict: true,
  })) as unknown as { args: { round: bigint; account: Address; score: bigint; reward: bigint } }[];
  const out: ContributorEarnings[] = [];
  for (let index = 0; index < state.participantCount; index++) {
    const account = await participantAt(ctx, taskId, index);
    const rounds = credited
      .filter((e) => e.args.account.toLowerCase() === account.toLowerCase())
      .map((e) => ({ round: Number(e.args.round), score: e.args.score, reward: e.args.reward }));
    const royaltiesClaimable =
      state.royalties === zeroAddress
        ? 0n
        : await ctx.connection.publicClient.readContract({
            address: state.royalties,
            abi: contributorRoyaltiesAbi,
            functionName: 'claimable',
            args: [account],
          });
    out.push({
      index,
      account,
      rounds,
      roundRewards: rounds.reduce((s, r) => s + r.reward, 0n),
      shares: await shareOf(ctx, taskId, account),
      royaltiesClaimable,
      coordinatorClaimable: await claimableOf(ctx, account),
    });
  }
  return out;
}

/** Claims the caller's coordinator credit and its royalties of the task's model; returns what arrived. */
export async function claimEarnings(ctx: FlContext, taskId: bigint): Promise<{ coordinator: bigint; royalties: bigint; hashes: Hex[] }> {
  const me = ctx.connection.account.address;
  const { state } = await readTask(ctx, taskId);
  const hashes: Hex[] = [];
  const fromCoordinator = await claimableOf(ctx, me);
  if (fromCoordinator > 0n) hashes.push(await flWrite(ctx, 'Claiming from the coordinator', 'claim', []));
  let royalties = 0n;
  if (state.royalties !== zeroAddress) {
    royalties = await ctx.connection.publicClient.readContract({
      address: state.royalties,
      abi: contributorRoyaltiesAbi,
      functionName: 'claimable',
      args: [me],
    });
    if (royalties > 0n) {
      hashes.push(
        await transact(ctx.connection, `Claiming the royalties of task ${taskId}`, () =>
          writeContract(ctx.connection, {
            address: state.royalties,
            abi: contributorRoyaltiesAbi,
            functionName: 'claim',
            args: [me],
            account: ctx.connection.account,
            chain: ctx.connection.walletClient.chain,
          }),
        ),
      );
    }
  }
  return { coordinator: fromCoordinator, royalties, hashes };
}
