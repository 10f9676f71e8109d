// A small client of the dispute game: plain functions taking a signer connection, so a
// watcher, a provider node or a test binds them as it likes. Each sends one move (after a
// simulation, so a refused move surfaces its custom error before any gas is spent) and
// waits for it to be mined; `playChallenger` / `playProvider` make whatever move is due.
import { type Address, type Hash, type Hex, type TransactionReceipt } from 'viem';
import type { SignerConnection } from '../chain/connect.ts';
import { disputeGameAbi } from '../chain/generated/DisputeGame.ts';
import { trellisTokenAbi } from '../chain/generated/TrellisToken.ts';
import type { Artifact } from '../engine/artifact.ts';
import type { Trace } from '../engine/trace.ts';
import type { Receipt } from '../protocol/messages.ts';
import { VerifyError } from './errors.ts';
import { chooseLayerArgs, firstDifferentElement, firstDisagreement, openArgs, packTensor, stepArgs, unpackTensor, type StepProof } from './moves.ts';

/** Phases of IDisputeGame.Phase, by number. */
export const phases = ['None', 'AwaitRoots', 'AwaitLayer', 'AwaitTensor', 'AwaitStep'] as const;
export type Phase = (typeof phases)[number];

export type GameMove = { move: string; hash: Hash; gasUsed: bigint };

type Write = Parameters<SignerConnection['publicClient']['simulateContract']>[0];

async function send(connection: SignerConnection, move: string, request: Omit<Write, 'account'>): Promise<GameMove> {
  const { publicClient, walletClient, account } = connection;
  const { request: checked } = await publicClient.simulateContract({ ...request, account } as Write);
  const hash = await walletClient.writeContract(checked as Parameters<typeof walletClient.writeContract>[0]);
  const receipt: TransactionReceipt = await publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== 'success') throw new VerifyError('VERIFY_TX_REVERTED', `The ${move} transaction reverted.`, { details: [`transaction: ${hash}`] });
  return { move, hash, gasUsed: receipt.gasUsed };
}

/** The dispute id of a receipt: its EIP-712 digest, as the game computes it. */
export function disputeId(connection: Pick<SignerConnection, 'publicClient'>, game: Address, receipt: Receipt): Promise<Hex> {
  return connection.publicClient.readContract({ address: game, abi: disputeGameAbi, functionName: 'receiptDigest', args: [receipt] });
}

export type DisputeState = { phase: Phase; deadline: bigint; challenger: Address; provider: Address; layer: number };

export async function readDispute(connection: Pick<SignerConnection, 'publicClient'>, game: Address, id: Hex): Promise<DisputeState> {
  const d = await connection.publicClient.readContract({ address: game, abi: disputeGameAbi, functionName: 'getDispute', args: [id] });
  return { phase: phases[d.phase]!, deadline: d.deadline, challenger: d.challenger, provider: d.provider, layer: d.layer };
}

export type OpenDisputeParameters = { game: Address; token: Address; receipt: Receipt; signature: Hex; quantizedInput: ArrayLike<number>; bond: bigint };

/** Approves the bond and opens the dispute; returns its id and the two transactions. */
export async function openDispute(connection: SignerConnection, p: OpenDisputeParameters): Promise<{ id: Hex; moves: GameMove[] }> {
  const approve = await send(connection, 'approve', { address: p.token, abi: trellisTokenAbi, functionName: 'approve', args: [p.game, p.bond] });
  const open = await send(connection, 'open', { address: p.game, abi: disputeGameAbi, functionName: 'open', args: openArgs(p.receipt, p.signature, p.quantizedInput, p.bond) });
  return { id: await disputeId(connection, p.game, p.receipt), moves: [approve, open] };
}

export function revealRoots(connection: SignerConnection, game: Address, id: Hex, roots: readonly Hex[]): Promise<GameMove> {
  return send(connection, 'revealRoots', { address: game, abi: disputeGameAbi, functionName: 'revealRoots', args: [id, roots] });
}

export function chooseLayer(connection: SignerConnection, game: Address, id: Hex, artifact: Artifact, layer: number): Promise<GameMove> {
  return send(connection, 'chooseLayer', { address: game, abi: disputeGameAbi, functionName: 'chooseLayer', args: [id, ...chooseLayerArgs(artifact, layer)] });
}

export function revealTensor(connection: SignerConnection, game: Address, id: Hex, values: ArrayLike<number>): Promise<GameMove> {
  return send(connection, 'revealTensor', { address: game, abi: disputeGameAbi, functionName: 'revealTensor', args: [id, packTensor(values)] });
}

export function submitStep(connection: SignerConnection, game: Address, id: Hex, proof: StepProof): Promise<GameMove> {
  return send(connection, 'step', { address: game, abi: disputeGameAbi, functionName: 'step', args: [id, proof] });
}

/** Settles a dispute whose deadline passed against the side due to move (anyone may call). */
export function claimTimeout(connection: SignerConnection, game: Address, id: Hex): Promise<GameMove> {
  return send(connection, 'timeout', { address: game, abi: disputeGameAbi, functionName: 'timeout', args: [id] });
}

/** The roots the provider revealed in this dispute (latest RootsRevealed event). */
export async function revealedRoots(connection: Pick<SignerConnection, 'publicClient'>, game: Address, id: Hex): Promise<readonly Hex[]> {
  const logs = await connection.publicClient.getContractEvents({ address: game, abi: disputeGameAbi, eventName: 'RootsRevealed', args: { id }, fromBlock: 0n, strict: true });
  const last = logs.at(-1);
  if (!last) throw new VerifyError('VERIFY_EVENT_MISSING', 'No roots were revealed in this dispute.', { details: [`dispute: ${id}`] });
  return last.args.roots;
}

/** The tensor the provider revealed in this dispute (latest TensorRevealed event). */
export async function revealedTensor(connection: Pick<SignerConnection, 'publicClient'>, game: Address, id: Hex): Promise<Int32Array> {
  const logs = await connection.publicClient.getContractEvents({ address: game, abi: disputeGameAbi, eventName: 'TensorRevealed', args: { id }, fromBlock: 0n, strict: true });
  const last = logs.at(-1);
  if (!last) throw new VerifyError('VERIFY_EVENT_MISSING', 'No tensor was revealed in this dispute.', { details: [`dispute: ${id}`] });
  return unpackTensor(last.args.values);
}

/** What the challenger knows: the model and its own (honest) trace of the input. */
export type ChallengerView = { artifact: Artifact; trace: Trace };

/** Makes the challenger's move if one is due; undefined when it is the provider's turn or over. */
export async function playChallenger(connection: SignerConnection, game: Address, id: Hex, view: ChallengerView): Promise<GameMove | undefined> {
  const state = await readDispute(connection, game, id);
  if (state.phase === 'AwaitLayer') {
    const layer = firstDisagreement(view.trace, await revealedRoots(connection, game, id));
    return chooseLayer(connection, game, id, view.artifact, layer);
  }
  if (state.phase === 'AwaitStep') {
    const revealed = await revealedTensor(connection, game, id);
    const index = firstDifferentElement(view.trace.tensors[state.layer]!, revealed, state.layer);
    return submitStep(connection, game, id, stepArgs({ ...view, revealed, layer: state.layer, index }));
  }
  return undefined;
}

/** What the provider knows: the model and the trace it signed (tampered or not). */
export type ProviderView = { artifact: Artifact; trace: Trace };

/**
 * Makes the provider's move if one is due. In the step phase (the challenger's turn) an
 * honest provider may settle at once by re-executing an element itself (`settleStep`).
 */
export async function playProvider(connection: SignerConnection, game: Address, id: Hex, view: ProviderView, options: { settleStep?: boolean } = {}): Promise<GameMove | undefined> {
  const state = await readDispute(connection, game, id);
  if (state.phase === 'AwaitRoots') return revealRoots(connection, game, id, view.trace.layerRoots);
  if (state.phase === 'AwaitTensor') return revealTensor(connection, game, id, view.trace.tensors[state.layer]!);
  if (state.phase === 'AwaitStep' && options.settleStep) {
    const revealed = view.trace.tensors[state.layer]!;
    return submitStep(connection, game, id, stepArgs({ ...view, revealed, layer: state.layer, index: 0 }));
  }
  return undefined;
}
