// Sentences for the model market's contract errors (ModelStaking, ModelBounty,
// MarketParams), merged into src/chain/error-sentences.ts.
import { big, bps, date, label, short, text, tusd, type ErrorSentence } from './sentence-parts.ts';

const stakingStatus = (v: unknown) => ['unknown', 'open', 'answered', 'slashed'][Number(big(v))] ?? `status ${text(v)}`;
const rowStatus = (v: unknown) => ['unknown', 'open', 'answered', 'upheld', 'rejected'][Number(big(v))] ?? `status ${text(v)}`;
/** A stored quantity that was a string field name in bytes32 reads better as words. */
const fieldValue = (field: unknown, v: unknown) => (label(field) === 'stake' ? tusd(v) : text(v));

export const marketErrorSentences: Readonly<Record<string, ErrorSentence>> = {
  // ModelStaking
  StakingZeroAmount: () => 'The amount must be more than zero.',
  StakingNotModelOwner: (a) => `Model ${short(a.modelId)} is owned by ${text(a.owner)}, not ${text(a.caller)}; only its owner stakes on it.`,
  StakingHeldByOther: (a) => `Model ${short(a.modelId)} still holds the stake of ${text(a.staker)}; it must leave before another owner stakes.`,
  StakingNotStaker: (a) => `The stake of model ${short(a.modelId)} belongs to ${text(a.staker)}, not ${text(a.caller)}.`,
  StakingInsufficient: (a) => `Model ${short(a.modelId)} has ${tusd(a.active)} of active stake, less than the ${tusd(a.amount)} asked.`,
  StakingChallengesOpen: (a) => `Model ${short(a.modelId)} has ${text(a.open)} open challenge(s); its stake cannot move until they end.`,
  StakingNotYetWithdrawable: (a) => `The unstaking stake of model ${short(a.modelId)} is withdrawable from ${date(a.unstakeAt)}.`,
  StakingNothingToWithdraw: (a) => `Model ${short(a.modelId)} has no unstaking stake to withdraw.`,
  StakingNoCommitment: (a) => `Model ${short(a.modelId)} has no weight commitment to challenge.`,
  StakingNothingStaked: (a) => `Model ${short(a.modelId)} has no stake to challenge.`,
  StakingLeafOutOfRange: (a) => `Leaf ${text(a.leafIndex)} does not exist; the commitment has ${text(a.leafCount)} leaves.`,
  StakingUnknownChallenge: (a) => `There is no model challenge ${text(a.id)}.`,
  StakingNotOpen: (a) => `Model challenge ${text(a.id)} is ${stakingStatus(a.status)}, not open.`,
  StakingDeadlinePassed: (a) => `The answer to model challenge ${text(a.id)} was due by ${date(a.deadline)}.`,
  StakingDeadlineNotPassed: (a) => `Model challenge ${text(a.id)} can still be answered until ${date(a.deadline)}.`,
  StakingWrongLeafKind: (a) => `Leaf ${text(a.leafIndex)} of challenge ${text(a.id)} is of the other kind (weight row or layer parameters).`,
  StakingRowWithoutLayer: (a) => `No weighted layer of the published shape holds row leaf ${text(a.leafIndex)}.`,
  StakingWeightLength: (a) => `${text(a.given)} weights were given; the row has ${text(a.expected)}.`,
  StakingInvalidLeafProof: (a) => `Leaf ${text(a.leafIndex)} with its path gives root ${short(a.computed)}, not the commitment ${short(a.commitment)}.`,
  StakingParamsMismatchShape: (a) => `The parameters given for layer ${text(a.layer)} contradict the published shape.`,
  StakingNothingToClaim: (a) => `Nothing is credited to ${text(a.account)} in model staking.`,
  // ModelBounty
  BountyZeroReward: () => 'A bounty needs a reward above zero.',
  BountyBadTask: (a) => `The task's ${label(a.field)} (${text(a.value)}) is outside what a bounty accepts.`,
  BountyUnknown: (a) => `There is no bounty ${text(a.bountyId)}.`,
  BountyTooLate: (a) => `The bounty's ${label(a.deadline)} passed at ${date(a.time)}.`,
  BountyTooEarly: (a) => `Wait until the bounty's ${label(a.deadline)} has passed (${date(a.time)}).`,
  BountyNotModelOwner: (a) => `Model ${short(a.modelId)} is owned by ${text(a.owner)}, not ${text(a.caller)}.`,
  BountyModelUnfit: (a) =>
    `Model ${short(a.modelId)} does not fit the task: its ${label(a.field)} is ${fieldValue(a.field, a.value)}, the task needs ${fieldValue(a.field, a.expected)}.`,
  BountyAlreadySubmitted: (a) => `Model ${short(a.modelId)} is already entered in this bounty.`,
  BountyDuplicateCommitment: (a) => `A model with weight commitment ${short(a.commitment)} is already entered; a copy cannot enter again.`,
  BountyTooManySubmissions: (a) => `The bounty already has the most submissions it takes (${text(a.max)}).`,
  BountyNotPoster: (a) => `Only the poster ${text(a.poster)} reveals the evaluation set, not ${text(a.caller)}.`,
  BountyAlreadyRevealed: (a) => `Bounty ${text(a.bountyId)} has already revealed its evaluation set.`,
  BountyNotRevealed: (a) => `Bounty ${text(a.bountyId)} has not revealed its evaluation set yet.`,
  BountyRowCount: (a) => `${text(a.given)} entries were given; ${text(a.expected)} are needed.`,
  BountyLabelOutOfRange: (a) => `Row ${text(a.row)} has label ${text(a.label)}, but the task has ${text(a.classCount)} classes.`,
  BountyRevealMismatch: (a) => `The revealed rows give root ${short(a.computed)}, not the committed ${short(a.evalRoot)}.`,
  BountyNotSubmitter: (a) => `Model ${short(a.modelId)} was entered by ${text(a.submitter)}, not ${text(a.caller)}.`,
  BountyAlreadyClaimed: (a) => `Model ${short(a.modelId)} has already claimed.`,
  BountyBelowTarget: (a) => `${text(a.correct)} of ${text(a.rowCount)} rows right does not beat the target of ${bps(a.targetBps)}.`,
  BountyNotClaimed: (a) => `Model ${short(a.modelId)} has no claim (or no submission) in this bounty.`,
  BountyClaimVoided: (a) => `The claim of model ${short(a.modelId)} was already voided.`,
  BountyChallengeWindowClosed: (a) => `The claim's challenge window closed at ${date(a.challengeEnds)}.`,
  BountyRowOutOfRange: (a) => `Row ${text(a.row)} does not exist; the set has ${text(a.rowCount)} rows.`,
  BountyRowAlreadyChallenged: (a) => `Row challenge ${short(a.id)} already exists.`,
  BountyInvalidRowProof: (a) => `Row ${text(a.row)} with its path gives root ${short(a.computed)}, not the committed ${short(a.evalRoot)}.`,
  BountyUnknownChallenge: (a) => `There is no row challenge ${short(a.id)}.`,
  BountyWrongStatus: (a) => `Row challenge ${short(a.id)} is ${rowStatus(a.status)}.`,
  BountyResponseClosed: (a) => `The answer to row challenge ${short(a.id)} was due by ${date(a.deadline)}.`,
  BountyResponseOpen: (a) => `Row challenge ${short(a.id)} can still be answered until ${date(a.deadline)}.`,
  BountyReceiptMismatch: (a) => `The receipt does not answer this row: its ${label(a.field)} is not the one required.`,
  BountyBadSignature: (a) => `The receipt is signed by ${text(a.recovered)}, not by its provider ${text(a.provider)}.`,
  BountyProviderInactive: (a) => `The receipt's provider ${text(a.provider)} is not active (unregistered, jailed or under the minimum stake).`,
  BountyReceiptSlashed: (a) => `Receipt ${short(a.receiptId)} was slashed in a dispute.`,
  BountyReceiptTooOld: (a) => `The receipt issued at ${date(a.issuedAt)} is disputable only until ${date(a.disputableUntil)}; get a fresh one.`,
  BountyOutputMismatch: (a) => `The output given has root ${short(a.computed)}, not the receipt's outputHash ${short(a.outputHash)}.`,
  BountyPredictionMismatch: (a) => `The output's argmax is class ${text(a.argmax)}, but the claim predicted ${text(a.predicted)}.`,
  BountyNotSettled: (a) =>
    `Row challenge ${short(a.id)} settles after ${date(a.settlesAt)} with no dispute open on the provider (${text(a.openDisputes)} open).`,
  BountyChallengesPending: (a) => `Bounty ${text(a.bountyId)} has ${text(a.pending)} row challenge(s) still unresolved.`,
  BountyAlreadyFinalized: (a) => `Bounty ${text(a.bountyId)} is already finalized.`,
  BountyNothingToWithdraw: (a) => `Nothing is credited to ${text(a.account)} in the bounties.`,
  // MarketParams
  MarketParamsOutOfBounds: (a) => `${label(a.name)} must be between ${text(a.min)} and ${text(a.max)}; ${text(a.value)} was given.`,
  MarketParamsRenounceDisabled: () => 'Ownership of the market parameters cannot be renounced; transfer it instead.',
};
