// One sentence per custom error of the contracts (every `error` in the ABIs of
// src/chain/generated/), keyed by error name: what went wrong in words, amounts in
// tUSD, times as dates and durations. src/chain/error-sentences.test.ts fails when a
// contract gains an error without a sentence here.
import { agentErrorSentences } from './agent-error-sentences.ts';
import { flErrorSentences } from './fl-error-sentences.ts';
import { zkErrorSentences } from './zk-error-sentences.ts';
import { formatDuration, formatRelative, formatWhen } from './human-units.ts';
import { marketErrorSentences } from './market-error-sentences.ts';
import { big, bps, date, label, short, text, tusd, type ErrorArgs, type ErrorSentence } from './sentence-parts.ts';

export type { ErrorArgs, ErrorSentence } from './sentence-parts.ts';

const phases = [
  'none',
  "awaiting the provider's roots",
  "awaiting the challenger's layer",
  "awaiting the provider's nodes",
  "awaiting the challenger's pick",
  "awaiting the challenger's step",
];
const phase = (v: unknown) => phases[Number(big(v))] ?? `phase ${text(v)}`;

export const errorSentences: Readonly<Record<string, ErrorSentence>> = {
  ...marketErrorSentences,
  ...agentErrorSentences,
  ...flErrorSentences,
  ...zkErrorSentences,
  // Escrow
  EscrowInsufficientBalance: (a) => `The escrow of ${text(a.client)} holds ${tusd(a.balance)}, less than the ${tusd(a.needed)} needed.`,
  EscrowInvalidSignature: (a) => `The voucher is not signed by the client ${text(a.client)}.`,
  EscrowLengthMismatch: (a) => `${text(a.vouchers)} vouchers came with ${text(a.signatures)} signatures; each voucher needs one.`,
  EscrowNoWithdrawalRequest: (a) => `${text(a.client)} has no withdrawal request: start one with \`trellis withdraw <amount>\`.`,
  EscrowNotProvider: (a) => `Only the provider ${text(a.provider)} can redeem its vouchers, not ${text(a.caller)}.`,
  EscrowNothingToClaim: (a) => `${text(a.account)} has no earnings in the escrow to claim.`,
  EscrowNothingToRedeem: (a) =>
    `The voucher of ${tusd(a.cumulativeAmount)} adds nothing: ${tusd(a.redeemed)} of channel ${short(a.channel)} is already redeemed.`,
  EscrowWithdrawalExpired: (a) =>
    `The withdrawal request expired ${formatDuration(big(a.timestamp) - big(a.expiresAt))} ago, at ${date(a.expiresAt)}; ask again with \`trellis withdraw <amount>\`.`,
  EscrowWithdrawalNotReady: (a) => `The withdrawal of ${text(a.client)} is not ready yet: ready ${formatWhen(big(a.readyAt), big(a.timestamp))}.`,
  EscrowZeroAmount: () => 'The amount must be more than 0 tUSD.',

  // Payment token
  ECDSAInvalidSignature: () => 'The signature does not recover to any account.',
  ECDSAInvalidSignatureLength: (a) => `The signature is ${text(a.length)} bytes long; a signature has 65.`,
  ECDSAInvalidSignatureS: () => 'The signature is malleable (its s value is in the upper half) and is refused.',
  ERC20InsufficientAllowance: (a) => `${text(a.spender)} may spend ${tusd(a.allowance)} of these tokens, less than the ${tusd(a.needed)} needed.`,
  ERC20InsufficientBalance: (a) => `The wallet of ${text(a.sender)} holds ${tusd(a.balance)}, less than the ${tusd(a.needed)} needed.`,
  ERC20InvalidApprover: (a) => `${text(a.approver)} cannot approve spending (the zero address).`,
  ERC20InvalidReceiver: (a) => `Tokens cannot be sent to ${text(a.receiver)}.`,
  ERC20InvalidSender: (a) => `Tokens cannot be sent from ${text(a.sender)}.`,
  ERC20InvalidSpender: (a) => `${text(a.spender)} cannot be allowed to spend tokens.`,
  ERC2612ExpiredSignature: (a) => `The permit expired at ${date(a.deadline)}.`,
  ERC2612InvalidSigner: (a) => `The permit is signed by ${text(a.signer)}, not by the owner ${text(a.owner)}.`,
  InvalidAccountNonce: (a) => `The nonce of ${text(a.account)} is ${text(a.currentNonce)}; the signature used another.`,
  InvalidShortString: () => 'A short string stored by the token is malformed.',
  StringTooLong: (a) => `"${text(a.str)}" is too long to store as a short string.`,
  TokenAuthorizationExpired: (a) => `The transfer authorization expired ${formatRelative(big(a.validBefore), big(a.timestamp))}.`,
  TokenAuthorizationNotYetValid: (a) => `The transfer authorization becomes valid ${formatWhen(big(a.validAfter), big(a.timestamp))}.`,
  TokenAuthorizationUsed: (a) => `The transfer authorization ${short(a.nonce)} of ${text(a.authorizer)} was already used or cancelled.`,
  TokenCallerNotPayee: (a) => `Only the payee ${text(a.payee)} can submit this authorization, not ${text(a.caller)}.`,
  TokenFaucetCapExceeded: (a) => `The faucet gives at most ${tusd(a.cap)} at a time; ${tusd(a.amount)} was asked.`,
  TokenFaucetDisabled: (a) =>
    `The faucet is off on chain ${text(a.chainId)}${big(a.faucetChainId) === 0n ? '' : ` (it works on chain ${text(a.faucetChainId)} only)`}.`,
  TokenInvalidSignature: (a) => `The authorization is not signed by ${text(a.signer)}.`,

  // Model registry
  ModelAlreadyDeprecated: (a) => `Model ${short(a.modelId)} is already deprecated.`,
  ModelAlreadyPublished: (a) => `This account already published this model file, as ${text(a.modelId)}.`,
  ModelCommitmentAlreadySet: (a) => `Model ${short(a.modelId)} already commits to weights ${short(a.weightCommitment)}; a commitment never changes.`,
  ModelEmptyCommitment: () => 'A model needs a weight commitment; it was empty.',
  ModelEmptyContentHash: () => 'A model needs a content hash; it was empty.',
  ModelNotOwner: (a) => `Model ${short(a.modelId)} belongs to ${text(a.owner)}; ${text(a.caller)} cannot change it.`,
  ModelRoyaltyTooHigh: (a) => `A royalty of ${bps(a.royaltyBps)} is above the cap of ${bps(a.royaltyCapBps)}.`,
  ModelShapeInvalid: (a) => `Layer ${text(a.layer)} of the model's shape has an invalid ${label(a.field)} (${text(a.value)}).`,
  ModelShapeMissing: (a) => `Model ${short(a.modelId)} has no shape on chain, so it cannot be disputed.`,
  ModelStepTooLarge: (a) => `Layer ${text(a.layer)} needs ${text(a.words)} words per step, more than the ${text(a.maxWords)} a dispute can re-execute.`,
  ModelUnknown: (a) => `No model ${text(a.modelId)} is published on chain.`,
  ModelZeroOwner: () => 'A model cannot be given to the zero address.',

  // Provider registry
  ReentrancyGuardReentrantCall: () => 'The registry refused a call made from inside another of its calls.',
  RegistryAlreadyRegistered: (a) => `${text(a.provider)} is already a registered provider.`,
  RegistryDisputesOpen: (a) => `${text(a.provider)} has ${text(a.open)} open dispute(s); its stake cannot leave until they end.`,
  RegistryEmptyEndpoint: () => 'A provider needs an endpoint URL; it was empty.',
  RegistryInsufficientStake: (a) => `The active stake is ${tusd(a.activeStake)}, less than the ${tusd(a.amount)} asked for.`,
  RegistryJailed: (a) => `Provider ${text(a.provider)} is jailed until ${date(a.until)}.`,
  RegistryNoOpenDispute: (a) => `${text(a.slasher)} has no open dispute on ${text(a.provider)} to slash for.`,
  RegistryNotOwner: (a) => `Only the owner ${text(a.owner)} can do this, not ${text(a.caller)}.`,
  RegistryNotRegistered: (a) => `${text(a.provider)} is not a registered provider: \`trellis provider start\` registers it.`,
  RegistryNotSlasher: (a) => `${text(a.caller)} is not the dispute game, the only account that may slash.`,
  RegistryNothingToWithdraw: (a) => `${text(a.provider)} has no unbonded stake ready to withdraw.`,
  RegistryReceiptAlreadySlashed: (a) => `Receipt ${short(a.receiptId)} was already slashed for.`,
  RegistryRemainingStakeBelowMinimum: (a) =>
    `That would leave ${tusd(a.remaining)} of stake, below the minimum of ${tusd(a.minimum)}: unbond all of it or less.`,
  RegistryStakeBelowMinimum: (a) => `A stake of ${tusd(a.stake)} is below the minimum of ${tusd(a.minimum)}.`,
  RegistryTooManyUnbondings: (a) => `At most ${text(a.max)} unbondings can wait at once: withdraw the ready ones first.`,
  RegistryZeroAmount: () => 'The amount must be more than 0 tUSD.',
  RegistryZeroRecipient: () => 'Slashed stake cannot go to the zero address.',
  SafeCastOverflowedUintDowncast: (a) => `The value ${text(a.value)} does not fit in ${text(a.bits)} bits.`,
  SafeERC20FailedOperation: (a) => `A transfer of token ${text(a.token)} failed.`,

  // Parameters and governance
  OwnableInvalidOwner: (a) => `${text(a.owner)} cannot own the parameters.`,
  OwnableUnauthorizedAccount: (a) => `${text(a.account)} is not the owner (the governance timelock) and cannot change the parameters.`,
  ParamsOutOfBounds: (a) => `${label(a.name)} = ${text(a.value)} is outside its bounds ${text(a.min)} to ${text(a.max)}.`,
  ParamsRenounceDisabled: () => 'The parameters cannot be left without an owner.',
  ParamsRoyaltyNoticeNotAfterWithdrawalNotice: (a) =>
    `The royalty notice (${formatDuration(big(a.royaltyNotice))}) must be longer than the withdrawal notice (${formatDuration(big(a.withdrawalNotice))}).`,
  ParamsUnbondingNotAfterChallenge: (a) =>
    `The unbonding delay (${formatDuration(big(a.unbondingDelay))}) must be longer than the challenge window (${formatDuration(big(a.challengeWindow))}).`,
  ParamsZeroTreasury: () => 'The treasury cannot be the zero address.',
  AccessControlBadConfirmation: () => 'A role can only be renounced by the account itself.',
  AccessControlUnauthorizedAccount: (a) => `${text(a.account)} lacks the role ${short(a.neededRole)} this needs.`,
  FailedCall: () => 'A call made by the timelock failed.',
  TimelockInsufficientDelay: (a) => `A delay of ${formatDuration(big(a.delay))} is shorter than the timelock's minimum of ${formatDuration(big(a.minDelay))}.`,
  TimelockInvalidOperationLength: (a) =>
    `The operation lists ${text(a.targets)} targets, ${text(a.payloads)} payloads and ${text(a.values)} values; they must match.`,
  TimelockUnauthorizedCaller: (a) => `${text(a.caller)} may not call the timelock this way.`,
  TimelockUnexecutedPredecessor: (a) => `Operation ${short(a.predecessorId)} must be executed first.`,
  TimelockUnexpectedOperationState: (a) => `Operation ${short(a.operationId)} is not in a state that allows this (not scheduled, not ready, or already done).`,

  // Dispute game
  DisputeAlreadyOpen: (a) => `A dispute on this receipt is already open (${short(a.id)}, by ${text(a.challenger)}).`,
  DisputeBadConfig: (a) => `The dispute game setting ${label(a.name)} = ${text(a.value)} is not allowed.`,
  DisputeBadSignature: (a) => `The receipt is signed by ${text(a.recovered)}, not by its provider ${text(a.provider)}.`,
  DisputeBondTooLow: (a) => `A challenge bond of ${tusd(a.bond)} is below the minimum of ${tusd(a.minimum)}.`,
  DisputeChildOutOfRange: (a) => `Child ${text(a.child)} does not exist; the node has ${text(a.count)}.`,
  DisputeDeadlineNotPassed: (a) => `The other side may still move: its deadline is ${formatWhen(big(a.deadline), big(a.timestamp))}.`,
  DisputeDeadlinePassed: (a) => `The deadline to move passed ${formatDuration(big(a.timestamp) - big(a.deadline))} ago, at ${date(a.deadline)}.`,
  DisputeInputMismatch: (a) => `The input given hashes to ${short(a.computed)}, not to the receipt's input ${short(a.inputHash)}.`,
  DisputeInputSize: (a) => `The packed input has ${text(a.got)} bytes; the model's input takes ${text(a.expected)} (2 bytes per element).`,
  DisputeInvalidElementProof: (a) => `The proof for element ${text(a.index)} of tensor ${text(a.tensor)} does not lead to its root.`,
  DisputeChunkPadding: (a) => `Chunk ${text(a.chunk)} of tensor ${text(a.tensor)} has a non-zero slot past the tensor's end.`,
  DisputeElementNotInChunk: (a) =>
    `Element ${text(a.index)} is not in chunk ${text(a.chunk)} that the dispute reached (elements ${text(big(a.chunk) * 16n)} to ${text(big(a.chunk) * 16n + 15n)}, of ${text(a.size)}).`,
  DisputeInvalidNodes: (a) => `The ${text(a.count)} nodes given (${text(a.expected)} expected) do not hash to the disputed node.`,
  DisputeInvalidParamsProof: (a) => `The parameters given for layer ${text(a.layer)} do not match the model's commitment.`,
  DisputeInvalidWeightProof: (a) => `The weights given for row ${text(a.row)} of layer ${text(a.layer)} do not match the model's commitment.`,
  DisputeLayerOutOfRange: (a) => `Layer ${text(a.layer)} does not exist; the model has ${text(a.layerCount)}.`,
  DisputeNoCommitment: (a) => `Model ${short(a.modelId)} has no weight commitment, so it cannot be disputed.`,
  DisputeNoRefund: (a) => `No refund is reserved for receipt ${short(a.receiptId)}.`,
  DisputeNoTrace: (a) => `Receipt ${short(a.receiptId)} commits to no trace, so there is nothing to dispute.`,
  DisputeNotClosable: (a) => `Dispute ${short(a.id)} cannot be closed yet.`,
  DisputeNotVerified: (a) => `Receipt ${short(a.receiptId)} asked for no verification (mode ${text(a.verification)}) and cannot be disputed.`,
  DisputeZkReceipt: (a) => `Receipt ${short(a.receiptId)} is a zk receipt: it carries a proof, judged by the ZkReceiptSlasher, and cannot be disputed.`,
  DisputeNotYourTurn: (a) => `It is ${text(a.expected)}'s turn in dispute ${short(a.id)}, not ${text(a.caller)}'s.`,
  DisputeNothingToClaim: (a) => `${text(a.account)} has no dispute payouts to claim.`,
  DisputeOperandShape: (a) =>
    `Operand ${text(a.operand)} came with ${text(a.chunks)} chunks and ${text(a.paths)} path nodes; ${text(a.expectedChunks)} and ${text(a.expectedPaths)} were expected.`,
  DisputeParamsChanged: () => 'The dispute parameters changed since the dispute opened; use the ones it opened with.',
  DisputeProviderBusy: (a) => `${text(a.provider)} already answers ${text(a.open)} disputes, the most at once (${text(a.maximum)}); try again when one ends.`,
  DisputeReceiptSettled: (a) => `Receipt ${short(a.receiptId)} was already settled by an earlier dispute.`,
  DisputeRefundNotSweepable: (a) => `The unclaimed refund of receipt ${short(a.receiptId)} can be swept ${formatWhen(big(a.sweepableAt), big(a.timestamp))}.`,
  DisputeRootCount: (a) => `${text(a.count)} roots were given; the trace has ${text(a.expected)}.`,
  DisputeRootEndpointMismatch: (a) => `The root of tensor ${text(a.tensor)} does not match the receipt's (${short(a.expected)}).`,
  DisputeRootsMismatch: (a) => `The roots given hash to ${short(a.computed)}, not to the receipt's trace root ${short(a.traceRoot)}.`,
  DisputeUnknown: (a) => `There is no dispute ${short(a.id)}.`,
  DisputeWeightLength: (a) => `${text(a.got)} weights were given; the row has ${text(a.expected)}.`,
  DisputeWindowClosed: (a) =>
    `The challenge window of receipt ${short(a.receiptId)} closed ${formatDuration(big(a.timestamp) - big(a.closedAt))} ago, at ${date(a.closedAt)}.`,
  DisputeWrongPhase: (a) => `Dispute ${short(a.id)} is ${phase(a.actual)}, not ${phase(a.expected)}.`,
};

/** The sentence of a decoded contract error; undefined for an error of no Trellis contract. */
export function errorSentence(name: string, args: ErrorArgs): string | undefined {
  const sentence = errorSentences[name];
  return sentence ? sentence(args) : undefined;
}
