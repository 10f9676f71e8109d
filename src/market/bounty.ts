// Bounty calls: post a task with an escrowed reward, enter a model, reveal the set,
// claim with predictions, challenge a row, answer it with a receipt, settle, finalize
// and withdraw (docs/market.md). Each takes a signer connection and the deployment.
import { parseEventLogs, type Address, type ContractFunctionArgs, type ContractFunctionName, type Hash, type Hex } from 'viem';
import type { Connection, SignerConnection } from '../chain/connect.ts';
import { marketParamsAbi } from '../chain/generated/MarketParams.ts';
import { modelBountyAbi } from '../chain/generated/ModelBounty.ts';
import { trellisTokenAbi } from '../chain/generated/TrellisToken.ts';
import type { Deployment } from '../chain/manifest.ts';
import type { Receipt } from '../protocol/messages.ts';
import { transact } from '../sdk/transact.ts';
import { marketOf } from './contracts.ts';
import { evalRoot, evalRowPath, labelBytes, type EvalRow } from './eval-set.ts';
import { writeContract } from '../chain/write.ts';

export type BountyTask = {
  inputSize: number;
  classCount: number;
  rows: readonly EvalRow[];
  /** Accuracy a claim must exceed, in basis points. */
  targetBps: number;
  /** Active model stake a submitted model must have (0: none). */
  minModelStake: bigint;
  submitDeadline: bigint;
  revealDeadline: bigint;
  claimDeadline: bigint;
};

type BountyAbi = typeof modelBountyAbi;

/** Sends one ModelBounty call, typed by its function name, through `transact` for its error. */
const write = <F extends ContractFunctionName<BountyAbi, 'nonpayable'>>(
  c: SignerConnection,
  d: Deployment,
  action: string,
  functionName: F,
  args: ContractFunctionArgs<BountyAbi, 'nonpayable', F>,
): Promise<Hash> =>
  transact(c, action, () =>
    writeContract(c, { address: marketOf(d).modelBounty, abi: modelBountyAbi, functionName, args } as Parameters<typeof c.walletClient.writeContract>[0]),
  );

const approve = (c: SignerConnection, d: Deployment, what: string, amount: bigint): Promise<Hash> =>
  transact(c, `approve ${what}`, () =>
    writeContract(c, { address: d.contracts.token, abi: trellisTokenAbi, functionName: 'approve', args: [marketOf(d).modelBounty, amount] }),
  );

const marketValue = (c: Connection, d: Deployment, functionName: 'bountySubmitBond' | 'bountyChallengeBond'): Promise<bigint> =>
  c.publicClient.readContract({ address: marketOf(d).marketParams, abi: marketParamsAbi, functionName });

/** Posts the task (committing to the rows by their root only) and returns the bounty id. */
export async function postBounty(c: SignerConnection, d: Deployment, task: BountyTask, reward: bigint): Promise<bigint> {
  await approve(c, d, 'bounty reward', reward);
  const onChain = {
    inputSize: task.inputSize,
    classCount: task.classCount,
    rowCount: task.rows.length,
    targetBps: task.targetBps,
    evalRoot: evalRoot(task.rows),
    minModelStake: task.minModelStake,
    submitDeadline: task.submitDeadline,
    revealDeadline: task.revealDeadline,
    claimDeadline: task.claimDeadline,
  };
  const hash = await write(c, d, 'post bounty', 'post', [onChain, reward]);
  const receipt = await c.publicClient.getTransactionReceipt({ hash });
  const [posted] = parseEventLogs({ abi: modelBountyAbi, eventName: 'BountyPosted', logs: receipt.logs });
  return posted!.args.bountyId;
}

/** Enters a model the signer owns, paying the submission bond. */
export async function submitModel(c: SignerConnection, d: Deployment, bountyId: bigint, modelId: Hex): Promise<Hash> {
  await approve(c, d, 'submission bond', await marketValue(c, d, 'bountySubmitBond'));
  return write(c, d, 'submit model', 'submit', [bountyId, modelId]);
}

export const revealEvalSet = (c: SignerConnection, d: Deployment, bountyId: bigint, rows: readonly EvalRow[], dataURI: string): Promise<Hash> =>
  write(c, d, 'reveal evaluation set', 'reveal', [bountyId, rows.map((r) => r.inputHash), labelBytes(rows.map((r) => r.label)), dataURI]);

export const claimBounty = (c: SignerConnection, d: Deployment, bountyId: bigint, modelId: Hex, predictions: readonly number[]): Promise<Hash> =>
  write(c, d, 'claim bounty', 'claim', [bountyId, modelId, labelBytes(predictions)]);

/** Challenges row `row` of a claim and returns the challenge id. */
export async function challengeRow(c: SignerConnection, d: Deployment, bountyId: bigint, modelId: Hex, rows: readonly EvalRow[], row: number): Promise<Hex> {
  await approve(c, d, 'row challenge bond', await marketValue(c, d, 'bountyChallengeBond'));
  const hash = await write(c, d, 'challenge row', 'challenge', [bountyId, modelId, BigInt(row), rows[row]!.inputHash, evalRowPath(rows, row)]);
  const receipt = await c.publicClient.getTransactionReceipt({ hash });
  const [challenged] = parseEventLogs({ abi: modelBountyAbi, eventName: 'RowChallenged', logs: receipt.logs });
  return challenged!.args.id;
}

/** Answers a row challenge with a provider's signed receipt and the output it commits to. */
export const answerRow = (c: SignerConnection, d: Deployment, id: Hex, receipt: Receipt, signature: Hex, output: ArrayLike<number>): Promise<Hash> =>
  write(c, d, 'answer row challenge', 'answer', [id, receipt, signature, Array.from(output, (v) => BigInt(v))]);

export const timeoutRowChallenge = (c: SignerConnection, d: Deployment, id: Hex): Promise<Hash> =>
  write(c, d, 'time out row challenge', 'timeoutChallenge', [id]);

export const settleRowAnswer = (c: SignerConnection, d: Deployment, id: Hex): Promise<Hash> => write(c, d, 'settle row answer', 'settleAnswer', [id]);

export const finalizeBounty = (c: SignerConnection, d: Deployment, bountyId: bigint): Promise<Hash> => write(c, d, 'finalize bounty', 'finalize', [bountyId]);

export const withdrawBountyCredits = (c: SignerConnection, d: Deployment): Promise<Hash> => write(c, d, 'withdraw bounty credits', 'withdraw', []);

export async function bountyCredits(c: Connection, d: Deployment, account: Address): Promise<bigint> {
  return c.publicClient.readContract({ address: marketOf(d).modelBounty, abi: modelBountyAbi, functionName: 'claimable', args: [account] });
}

export async function bountyStatus(c: Connection, d: Deployment, bountyId: bigint) {
  const address = marketOf(d).modelBounty;
  const read = c.publicClient.readContract.bind(c.publicClient);
  const [bounty, task, submissions] = await Promise.all([
    read({ address, abi: modelBountyAbi, functionName: 'getBounty', args: [bountyId] }),
    read({ address, abi: modelBountyAbi, functionName: 'taskOf', args: [bountyId] }),
    read({ address, abi: modelBountyAbi, functionName: 'submissions', args: [bountyId] }),
  ]);
  return { bounty, task, submissions };
}

/** The row challenges of a bounty, from its RowChallenged events. */
export async function listRowChallenges(c: Connection, d: Deployment, bountyId: bigint) {
  const address = marketOf(d).modelBounty;
  const logs = await c.publicClient.getContractEvents({
    address,
    abi: modelBountyAbi,
    eventName: 'RowChallenged',
    args: { bountyId },
    fromBlock: BigInt(d.deploymentBlock),
  });
  return Promise.all(
    logs.map(async (log) => {
      const id = log.args.id!;
      const state = await c.publicClient.readContract({ address, abi: modelBountyAbi, functionName: 'getChallenge', args: [id] });
      return { id, status: state.status, deadline: state.deadline };
    }),
  );
}
