// A small client of the dispute game: plain functions taking a signer connection, so a
// watcher, a provider node or a test binds them as it likes. Each sends one move (after a
// simulation, so a refused move surfaces its custom error before any gas is spent) and
// waits for it to be mined; `playChallenger` / `playProvider` make whatever move is due.
// Payouts are pulled: a winner calls `claimPayouts`.
import { encodeAbiParameters, keccak256, type Address, type Hash, type Hex, type TransactionReceipt } from 'viem';
import type { SignerConnection } from '../chain/connect.ts';
import { writeContract } from '../chain/write.ts';
import { disputeGameAbi } from '../chain/generated/DisputeGame.ts';
import { trellisTokenAbi } from '../chain/generated/TrellisToken.ts';
import type { Artifact } from '../engine/artifact.ts';
import type { Trace } from '../engine/trace.ts';
import type { Receipt } from '../protocol/messages.ts';
import { VerifyError } from './errors.ts';
import {
  chooseLayerArgs,
  descentNodes,
  disputedElement,
  firstDisagreement,
  openArgs,
  pickChild,
  stepArgs,
  type DescentPoint,
  type StepProof,
} from './moves.ts';

/** Phases of IDisputeGame.Phase, by number. */
export const phases = ['None', 'AwaitRoots', 'AwaitLayer', 'AwaitNodes', 'AwaitPick', 'AwaitStep'] as const;
export type Phase = (typeof phases)[number];

export type GameMove = { move: string; hash: Hash; gasUsed: bigint };

type Write = Parameters<SignerConnection['publicClient']['simulateContract']>[0];

async function send(connection: SignerConnection, move: string, request: Omit<Write, 'account'>): Promise<GameMove> {
  const { publicClient, account } = connection;
  const { request: checked } = await publicClient.simulateContract({ ...request, account } as Write);
  // With the margin of every write (src/chain/write.ts): a move mined a block later can
  // cost a little more, and a move that runs out of gas loses time.
  const hash = await writeContract(connection, checked as never);
  const receipt: TransactionReceipt = await publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== 'success') throw new VerifyError('VERIFY_TX_REVERTED', `The ${move} transaction reverted.`, { details: [`transaction: ${hash}`] });
  return { move, hash, gasUsed: receipt.gasUsed };
}

/** The id of `challenger`'s dispute on a receipt: keccak256(abi.encode(receipt digest, challenger)). */
export function disputeIdOf(receiptId: Hex, challenger: Address): Hex {
  return keccak256(encodeAbiParameters([{ type: 'bytes32' }, { type: 'address' }], [receiptId, challenger]));
}

/** The receipt's EIP-712 digest as the game computes it: the receipt's id everywhere on chain. */
export function receiptIdOf(connection: Pick<SignerConnection, 'publicClient'>, game: Address, receipt: Receipt): Promise<Hex> {
  return connection.publicClient.readContract({ address: game, abi: disputeGameAbi, functionName: 'receiptDigest', args: [receipt] });
}

export type DisputeState = DescentPoint & {
  phase: Phase;
  deadline: bigint;
  challenger: Address;
  provider: Address;
  layer: number;
  receiptId: Hex;
  /** The descent's current node; in AwaitStep the provider's chunk at `nodeIndex`. */
  node: Hex;
};

export async function readDispute(connection: Pick<SignerConnection, 'publicClient'>, game: Address, id: Hex): Promise<DisputeState> {
  const d = await connection.publicClient.readContract({ address: game, abi: disputeGameAbi, functionName: 'getDispute', args: [id] });
  return {
    phase: phases[d.phase]!,
    deadline: d.deadline,
    challenger: d.challenger,
    provider: d.provider,
    layer: d.layer,
    height: d.height,
    nodeIndex: d.nodeIndex,
    receiptId: d.receiptId,
    node: d.node,
  };
}

export type OpenDisputeParameters = { game: Address; token: Address; receipt: Receipt; signature: Hex; quantizedInput: ArrayLike<number>; bond: bigint };

/** Approves the bond and opens the dispute; returns its id and the two transactions. */
export async function openDispute(connection: SignerConnection, p: OpenDisputeParameters): Promise<{ id: Hex; moves: GameMove[] }> {
  const approve = await send(connection, 'approve', { address: p.token, abi: trellisTokenAbi, functionName: 'approve', args: [p.game, p.bond] });
  const open = await send(connection, 'open', {
    address: p.game,
    abi: disputeGameAbi,
    functionName: 'open',
    args: openArgs(p.receipt, p.signature, p.quantizedInput, p.bond),
  });
  return { id: disputeIdOf(await receiptIdOf(connection, p.game, p.receipt), connection.account.address), moves: [approve, open] };
}

export function revealRoots(connection: SignerConnection, game: Address, id: Hex, roots: readonly Hex[]): Promise<GameMove> {
  return send(connection, 'revealRoots', { address: game, abi: disputeGameAbi, functionName: 'revealRoots', args: [id, roots] });
}

export function chooseLayer(connection: SignerConnection, game: Address, id: Hex, artifact: Artifact, layer: number): Promise<GameMove> {
  return send(connection, 'chooseLayer', { address: game, abi: disputeGameAbi, functionName: 'chooseLayer', args: [id, ...chooseLayerArgs(artifact, layer)] });
}

export function revealNodes(connection: SignerConnection, game: Address, id: Hex, nodes: readonly Hex[]): Promise<GameMove> {
  return send(connection, 'revealNodes', { address: game, abi: disputeGameAbi, functionName: 'revealNodes', args: [id, nodes] });
}

export function pick(connection: SignerConnection, game: Address, id: Hex, child: number, nodes: readonly Hex[]): Promise<GameMove> {
  return send(connection, 'pick', { address: game, abi: disputeGameAbi, functionName: 'pick', args: [id, BigInt(child), nodes] });
}

/** `step(id, index, proof)`: re-executes element `index` of the chunk the descent reached. */
export function submitStep(connection: SignerConnection, game: Address, id: Hex, index: number, proof: StepProof): Promise<GameMove> {
  return send(connection, 'step', { address: game, abi: disputeGameAbi, functionName: 'step', args: [id, BigInt(index), proof] });
}

/** Settles a dispute whose deadline passed against the side due to move (anyone may call). */
export function claimTimeout(connection: SignerConnection, game: Address, id: Hex): Promise<GameMove> {
  return send(connection, 'timeout', { address: game, abi: disputeGameAbi, functionName: 'timeout', args: [id] });
}

/** Ends a dispute whose receipt the provider already lost on elsewhere; the bond comes back. */
export function closeSettled(connection: SignerConnection, game: Address, id: Hex): Promise<GameMove> {
  return send(connection, 'close', { address: game, abi: disputeGameAbi, functionName: 'close', args: [id] });
}

/** What the game owes this account (bonds, rewards, compensation): payouts are pulled. */
export function claimable(connection: Pick<SignerConnection, 'publicClient'>, game: Address, account: Address): Promise<bigint> {
  return connection.publicClient.readContract({ address: game, abi: disputeGameAbi, functionName: 'claimable', args: [account] });
}

/** Claims everything the game owes the connection's account; undefined when nothing is owed. */
export async function claimPayouts(connection: SignerConnection, game: Address): Promise<GameMove | undefined> {
  if ((await claimable(connection, game, connection.account.address)) === 0n) return undefined;
  return send(connection, 'claim', { address: game, abi: disputeGameAbi, functionName: 'claim' });
}

/** Pays the client of a settled receipt the part of its reserved refund the escrow charged. */
export function claimRefund(connection: SignerConnection, game: Address, receiptId: Hex): Promise<GameMove> {
  return send(connection, 'claimRefund', { address: game, abi: disputeGameAbi, functionName: 'claimRefund', args: [receiptId] });
}

/** The roots the provider revealed in this dispute (latest RootsRevealed event). */
export async function revealedRoots(connection: Pick<SignerConnection, 'publicClient'>, game: Address, id: Hex): Promise<readonly Hex[]> {
  const logs = await connection.publicClient.getContractEvents({
    address: game,
    abi: disputeGameAbi,
    eventName: 'RootsRevealed',
    args: { id },
    fromBlock: 0n,
    strict: true,
  });
  const last = logs.at(-1);
  if (!last) throw new VerifyError('VERIFY_EVENT_MISSING', 'No roots were revealed in this dispute.', { details: [`dispute: ${id}`] });
  return last.args.roots;
}

/** The nodes the provider revealed last in this dispute's descent (latest NodesRevealed event). */
export async function revealedNodes(connection: Pick<SignerConnection, 'publicClient'>, game: Address, id: Hex): Promise<readonly Hex[]> {
  const logs = await connection.publicClient.getContractEvents({
    address: game,
    abi: disputeGameAbi,
    eventName: 'NodesRevealed',
    args: { id },
    fromBlock: 0n,
    strict: true,
  });
  const last = logs.at(-1);
  if (!last) throw new VerifyError('VERIFY_EVENT_MISSING', 'No nodes were revealed in this dispute.', { details: [`dispute: ${id}`] });
  return last.args.nodes;
}

/** What the challenger knows: the model and its own (honest) trace of the input. */
export type ChallengerView = { artifact: Artifact; trace: Trace };

/**
 * Makes the challenger's move if one is due; undefined when it is the provider's turn or
 * over. The challenger names the layer, every branch of the descent and the element of the chunk reached.
 */
export async function playChallenger(connection: SignerConnection, game: Address, id: Hex, view: ChallengerView): Promise<GameMove | undefined> {
  const state = await readDispute(connection, game, id);
  if (state.phase === 'AwaitLayer') {
    const layer = firstDisagreement(view.trace, await revealedRoots(connection, game, id));
    return chooseLayer(connection, game, id, view.artifact, layer);
  }
  if (state.phase === 'AwaitPick') {
    const nodes = await revealedNodes(connection, game, id);
    return pick(connection, game, id, pickChild(view.trace.tensors[state.layer]!, nodes, state, state.layer), nodes);
  }
  if (state.phase === 'AwaitStep') {
    const index = disputedElement(view.trace.tensors[state.layer]!, state.node, state.nodeIndex, state.layer);
    return submitStep(connection, game, id, index, stepArgs({ ...view, layer: state.layer, index }));
  }
  return undefined;
}

/** What the provider knows: the model and the trace it signed (tampered or not). */
export type ProviderView = { artifact: Artifact; trace: Trace };

/** Makes the provider's move if one is due: the roots, then the nodes of each descent round. */
export async function playProvider(connection: SignerConnection, game: Address, id: Hex, view: ProviderView): Promise<GameMove | undefined> {
  const state = await readDispute(connection, game, id);
  if (state.phase === 'AwaitRoots') return revealRoots(connection, game, id, view.trace.layerRoots);
  if (state.phase === 'AwaitNodes') return revealNodes(connection, game, id, descentNodes(view.trace.tensors[state.layer]!, state));
  return undefined;
}
