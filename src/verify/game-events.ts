// Reading what happened in the dispute game from its transactions and events: the
// receipt and input a challenger opened a dispute with (from the `open` calldata, which
// the game does not repeat in its events), and how a dispute ended.
import { decodeFunctionData, type Address, type Hash, type Hex } from 'viem';
import type { Connection } from '../chain/connect.ts';
import { disputeGameAbi } from '../chain/generated/DisputeGame.ts';
import type { Receipt } from '../protocol/messages.ts';
import { unpackTensor } from './moves.ts';
import { WatchError } from './watch-errors.ts';

/** IDisputeGame.Outcome, by number. */
export const outcomes = [
  'ProviderTimedOut',
  'ChallengerTimedOut',
  'ProviderComputedWrong',
  'ProviderComputedRight',
  'TraceShapeWrong',
  'ReceiptAlreadySettled',
] as const;

export type OpenedWith = { receipt: Receipt; quantizedInput: number[]; challenger: Address };

/** The receipt and quantized input of the `open` call in transaction `hash`. */
export async function readOpenCall(connection: Connection, hash: Hash): Promise<OpenedWith> {
  const tx = await connection.publicClient.getTransaction({ hash });
  let decoded: ReturnType<typeof decodeFunctionData<typeof disputeGameAbi>>;
  try {
    decoded = decodeFunctionData({ abi: disputeGameAbi, data: tx.input });
  } catch (cause) {
    throw new WatchError('WATCH_OPEN_TX_UNREADABLE', 'The transaction that opened the dispute is not a direct call of open.', {
      details: [`transaction: ${hash}`],
      cause,
    });
  }
  if (decoded.functionName !== 'open') {
    throw new WatchError('WATCH_OPEN_TX_UNREADABLE', 'The transaction that opened the dispute is not a direct call of open.', {
      details: [`transaction: ${hash}`, `function: ${decoded.functionName}`],
    });
  }
  const [receipt, , input] = decoded.args;
  return { receipt: { ...receipt }, quantizedInput: unpackTensor(input), challenger: tx.from };
}

export type Resolution = {
  providerLost: boolean;
  outcome: (typeof outcomes)[number];
  winner: Address;
  block: bigint;
  penalty?: { slashed: bigint; clientRefund: bigint; challengerReward: bigint; treasuryShare: bigint; jailedUntil: bigint };
};

/** The latest resolution of dispute `id` since `fromBlock`, with the penalty when the provider lost. */
export async function readResolution(connection: Connection, game: Address, id: Hex, fromBlock: bigint): Promise<Resolution | undefined> {
  const { publicClient } = connection;
  const resolved = await publicClient.getContractEvents({
    address: game,
    abi: disputeGameAbi,
    eventName: 'DisputeResolved',
    args: { id },
    fromBlock,
    strict: true,
  });
  const last = resolved.at(-1);
  if (!last) return undefined;
  const resolution: Resolution = {
    providerLost: last.args.providerLost,
    outcome: outcomes[last.args.outcome] ?? 'ProviderTimedOut',
    winner: last.args.winner,
    block: last.blockNumber,
  };
  if (last.args.providerLost) {
    const penalized = await publicClient.getContractEvents({
      address: game,
      abi: disputeGameAbi,
      eventName: 'ProviderPenalized',
      args: { id },
      fromBlock: last.blockNumber,
      toBlock: last.blockNumber,
      strict: true,
    });
    const p = penalized.at(-1)?.args;
    if (p)
      resolution.penalty = {
        slashed: p.slashed,
        clientRefund: p.clientRefund,
        challengerReward: p.challengerReward,
        treasuryShare: p.treasuryShare,
        jailedUntil: BigInt(p.jailedUntil),
      };
  }
  return resolution;
}

/** The chain's clock: the latest block's timestamp (deadlines are judged by it, not by ours). */
export async function chainTime(connection: Connection): Promise<bigint> {
  return (await connection.publicClient.getBlock()).timestamp;
}

/** The custom error a refused move names (e.g. DisputeReceiptSettled), if any. */
export function gameErrorName(error: unknown): string | undefined {
  const text = error instanceof Error ? error.message : String(error);
  return [...text.matchAll(/\b(Dispute[A-Z][A-Za-z]*)\b/g)].map((m) => m[1]!).find((name) => name !== 'DisputeGame');
}

/** A one-line reason from an error, for logs. */
export function reasonOf(error: unknown): string {
  const name = gameErrorName(error);
  const first = (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
  return name && !first.includes(name) ? `${name}: ${first}` : first;
}
