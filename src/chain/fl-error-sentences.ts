// Sentences for the federated-training contracts' errors (FederatedTraining,
// FlAvailability, FlSelection, FlTaskRules, ContributorRoyalties) and Multicall3's, merged into src/chain/error-sentences.ts.
import { big, date, label, short, text, tusd, type ErrorSentence } from './sentence-parts.ts';

const ROUND_STATUS = ['not open', 'open for updates', 'holding a posted aggregate', 'final', 'closed without an aggregate'];
const round = (v: unknown) => ROUND_STATUS[Number(v)] ?? `in state ${text(v)}`;
const DEMAND_STATUS = ['unknown', 'pending', 'answered already', 'settled unanswered'];
const micros = (v: unknown) => String(Number(big(v)) / 1e6);
const who = (participant: unknown) => (Number(participant) === 2 ** 32 - 1 ? 'the aggregate' : `participant ${text(participant)}`);

export const flErrorSentences: Readonly<Record<string, ErrorSentence>> = {
  // FederatedTraining
  FlConfigInvalid: (a) => `The task's ${label(a.field)} is out of range (got ${text(a.value)}).`,
  FlUnknownTask: (a) => `No training task has the id ${text(a.taskId)}.`,
  FlNotOwner: (a) => `Only the owner of task ${text(a.taskId)} can do this, not ${text(a.caller)}.`,
  FlNotAggregator: (a) => `Only the aggregator of task ${text(a.taskId)} can do this, not ${text(a.caller)}.`,
  FlNotOwnerOrAggregator: (a) => `Only the owner or the aggregator of task ${text(a.taskId)} can do this, not ${text(a.caller)}.`,
  FlJoinClosed: (a) => `Task ${text(a.taskId)} took its last participant when round 1 started (${date(a.startsAt)}).`,
  FlAlreadyJoined: (a) => `${text(a.account)} already joined task ${text(a.taskId)}.`,
  FlTaskFull: (a) => `Task ${text(a.taskId)} already has its ${text(a.maxParticipants)} participants.`,
  FlNotAdmitted: (a) => `${text(a.account)} is not on the allowlist of task ${text(a.taskId)} (or its proof is wrong).`,
  FlStakeMissing: (a) => `${text(a.account)} approved ${tusd(a.approved)} to the coordinator; ${tusd(a.required)} is needed.`,
  FlDatasetInvalid: (a) => `A dataset commitment needs a positive example count and a hash (got ${text(a.examples)} examples, hash ${short(a.datasetHash)}).`,
  FlNotParticipant: (a) => `${text(a.account)} is not an active participant of task ${text(a.taskId)} (never joined, slashed or withdrawn).`,
  FlNotStarted: (a) => `Round 1 of task ${text(a.taskId)} starts at ${date(a.startsAt)}.`,
  FlTaskFinished: (a) => `The last round of task ${text(a.taskId)} is over.`,
  FlTaskNotFinished: (a) => `The last round of task ${text(a.taskId)} is not over yet.`,
  FlSubmissionClosed: (a) =>
    `Round ${text(a.round)} of task ${text(a.taskId)} took updates until ${date(a.deadline)}; this one is late and forfeits the round.`,
  FlAlreadySubmitted: (a) => `${text(a.account)} already committed an update in round ${text(a.round)} of task ${text(a.taskId)}.`,
  FlUpdateInvalid: (a) =>
    `An update commitment must be non-zero and cover ${text(a.expected)} elements (got root ${short(a.root)} over ${text(a.elementCount)}).`,
  FlSubmitWindowOpen: (a) => `Round ${text(a.round)} of task ${text(a.taskId)} takes updates until ${date(a.submitEnd)}; the aggregate comes after.`,
  FlNotAwaitingAggregate: (a) => `Round ${text(a.round)} of task ${text(a.taskId)} is ${round(a.status)}, not waiting for an aggregate.`,
  FlAggregatorNotStaked: (a) => `The aggregator of task ${text(a.taskId)} has no stake in it.`,
  FlAggregatorAlreadyStaked: (a) => `The aggregator of task ${text(a.taskId)} already has its stake in.`,
  FlParticipantsInvalid: (a) =>
    `The participant list is wrong at position ${text(a.position)} (participant ${text(a.participant)}): it must rise strictly, name submitters only and match the strategy.`,
  FlParticipantCount: (a) => `The list names ${text(a.given)} participants; ${text(a.expected)} are needed.`,
  FlNotChallengeable: (a) => `Round ${text(a.round)} of task ${text(a.taskId)} is ${round(a.status)}: its aggregate is not in its challenge window.`,
  FlIndexOutOfRange: (a) => `Element ${text(a.index)} is past the end of a vector of ${text(a.elementCount)}.`,
  FlProofInvalid: (a) => `The Merkle path for ${who(a.participant)} does not lead to its committed root.`,
  FlAggregateCorrect: (a) => `The posted aggregate is right at element ${text(a.index)} (${text(a.value)}): nothing to slash.`,
  FlValueInRange: (a) => `The value ${text(a.value)} is inside the allowed range: nothing to slash.`,
  FlNotScorable: (a) => `Round ${text(a.round)} of task ${text(a.taskId)} cannot be scored: scores come once, for a round whose aggregate stood.`,
  FlScoreTooLarge: (a) => `The score ${text(a.score)} is above 2^128.`,
  FlNotSubmitted: (a) => `${text(a.account)} did not submit in round ${text(a.round)} of task ${text(a.taskId)}.`,
  FlTaskClosed: (a) => `Task ${text(a.taskId)} is closed: scores are frozen and the pool returned.`,
  FlTaskNotClosed: (a) => `Task ${text(a.taskId)} is not closed yet.`,
  FlAlreadyPublished: (a) => `The final model of task ${text(a.taskId)} is already published.`,
  FlAggregatorStaked: (a) => `The aggregator of task ${text(a.taskId)} still holds stake and cannot be replaced.`,
  FlLengthMismatch: (a) => `Two lists that go together have ${text(a.a)} and ${text(a.b)} entries.`,
  FlNothingToClaim: (a) => `${text(a.account)} has nothing to claim from federated training.`,
  FlPrivacyBudgetExceeded: (a) =>
    `Round ${text(a.round)} ${big(a.taskId) === 0n ? 'of the new task' : `of task ${text(a.taskId)}`} would take its epsilon to ${micros(a.epsilonMicros)}, past the privacy budget of ${micros(a.budgetMicros)}: the round cannot start.`,

  FlNotGame: (a) => `Only the coordinator's own games report unanswered demands or wrong Krum posts to it, not ${text(a.caller)}.`,

  // FlAvailability: demands that an element of a committed update or aggregate be opened
  FlNotDemandable: (a) =>
    `Round ${text(a.round)} of task ${text(a.taskId)} takes no demands now: openings are demanded while a posted aggregate is in its first challenge window (until ${date(a.demandEnd)}).`,
  FlNotIncluded: (a) => `In round ${text(a.round)} of task ${text(a.taskId)}, ${who(a.target)} is not an update the posted aggregate included.`,
  FlAlreadyDemanded: (a) =>
    `Element ${text(a.index)} of ${who(a.target)} in round ${text(a.round)} of task ${text(a.taskId)} is already demanded or open on chain.`,
  FlBondMissing: (a) => `${text(a.account)} approved ${tusd(a.approved)} to the availability game; a demand's bond is ${tusd(a.required)}.`,
  FlUnknownDemand: (a) => `No opening demand has the id ${text(a.demandId)}.`,
  FlDemandNotPending: (a) => `Demand ${text(a.demandId)} is ${DEMAND_STATUS[Number(a.status)] ?? `in state ${text(a.status)}`}, not waiting for an answer.`,
  FlAnswerLate: (a) => `Demand ${text(a.demandId)} took answers until ${date(a.deadline)}; this one is late.`,
  FlAnswerNotDue: (a) => `Demand ${text(a.demandId)} may still be answered until ${date(a.deadline)}; it can be settled after that.`,
  FlOpeningInvalid: (a) =>
    `The value and Merkle path do not open element ${text(a.index)} of ${who(a.target)}'s committed root (demand ${text(a.demandId)}): a wrong value, index or path.`,

  // FlSelection: challenges of a Krum post's distance matrix and selection
  FlNotKrumTask: (a) => `Task ${text(a.taskId)} does not use Krum or Multi-Krum: it has no distance matrix.`,
  FlLeafCount: (a) => `The distance matrix has ${text(a.given)} leaves; its participants make ${text(a.expected)} pairs.`,
  FlDistanceTooLarge: (a) => `Distance ${text(a.position)} of the matrix is ${text(a.distance)}, more than 2^128, which no two in-range updates can be apart.`,
  FlNoDistances: (a) => `The live post of round ${text(a.round)} of task ${text(a.taskId)} has no distance matrix to open a leaf of.`,
  FlPairNotIncluded: (a) =>
    `Participant ${text(a.participant)} (position ${text(a.position)}) did not submit in the round or is not an update the post included, or the list is not strictly increasing.`,
  FlMatrixMismatch: (a) => `The leaves given rebuild the matrix root ${short(a.rebuilt)}, not the committed ${short(a.committed)}.`,
  FlSelectionCorrect: (a) =>
    `The round ${text(a.round)} post of task ${text(a.taskId)} has a matrix over exactly its included updates, and its Krum selection is the one the matrix gives: nothing to slash.`,
  FlLeafInvalid: (a) => `The matrix leaf at position ${text(a.position)} and its path do not lead to the committed matrix root.`,
  FlPrefixInvalid: (a) => `The prefix sum of element ${text(a.element)} and its path do not lead to the pair's prefix root.`,
  FlDistanceCorrect: (a) => `Element ${text(a.element)} of the distance of participants ${text(a.a)} and ${text(a.b)} checks out: nothing to slash.`,

  // ContributorRoyalties
  RoyaltiesNotCoordinator: (a) => `Only the training coordinator can do this, not ${text(a.caller)}.`,
  RoyaltiesAlreadyPublished: (a) => `This royalty account already published its model ${short(a.modelId)}.`,
  RoyaltiesNothingToClaim: (a) => `${text(a.account)} has no royalties to claim here.`,

  // Multicall3
  Multicall3CallFailed: (a) => `Call ${text(a.index)} of the batch reverted.`,
  Multicall3ValueMismatch: (a) => `The batch was sent ${text(a.sent)} wei but its calls name ${text(a.named)}.`,
};
