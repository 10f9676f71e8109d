// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IModelRegistry} from "./IModelRegistry.sol";

/// @title IFederatedTraining
/// @notice Coordinates federated training tasks (docs/fl.md): data owners join with a stake
///         and a dataset commitment, commit one update per round, an aggregator posts the
///         aggregate's Merkle root, and anyone may challenge one element of it; the contract
///         recomputes that element from the committed updates and slashes a wrong aggregate.
/// @dev Weight vectors are signed fixed-point integers (value = q / 2^16, |q| < 2^47); a
///      vector's commitment is the engine's Merkle root over leaves bytes32(uint256(int256 q))
///      (TraceMerkle), with the element count fixed per task.
interface IFederatedTraining {
    /// @notice Aggregation strategies, numbered as in src/fl/aggregate-element.ts.
    enum Strategy {
        FedAvg,
        FedProx,
        FedMedian,
        FedTrimmedAvg,
        Krum,
        MultiKrum
    }

    /// @notice Where a round stands. `Open`: no aggregate in force (submissions, or waiting
    ///         for the aggregator, also after a successful challenge); `Posted`: an aggregate
    ///         is in its challenge window; `Final`: it stood; `Empty`: the round closed without
    ///         an aggregate (quorum not met or aggregator late) and the previous model carries over.
    enum RoundStatus {
        None,
        Open,
        Posted,
        Final,
        Empty
    }

    /// @notice What a participant is in a task.
    enum ParticipantStatus {
        None,
        Active,
        Slashed,
        Withdrawn
    }

    /// @notice Everything the task owner fixes at creation.
    struct TaskConfig {
        /// @dev Root of the initial model's weight vector and its element count.
        bytes32 initialRoot;
        uint32 elementCount;
        Strategy strategy;
        /// @dev FedTrimmedAvg: fraction trimmed at each end, in basis points, below 5000.
        uint16 trimBetaBps;
        /// @dev Krum / MultiKrum: Byzantine participants tolerated (f); quorum must exceed 2f + 2.
        uint16 krumByzantine;
        /// @dev MultiKrum: participants selected and averaged (m), 1 <= m <= quorum.
        uint16 krumSelect;
        /// @dev FedProx: the client's proximal term mu in millionths (recorded, applied by clients).
        uint32 proximalMuMicros;
        uint16 rounds;
        uint16 quorum;
        uint16 maxParticipants;
        /// @dev Round 1 starts here; joins close here.
        uint64 startsAt;
        uint32 submitWindow;
        uint32 aggregateWindow;
        uint32 challengeWindow;
        /// @dev Differential privacy (docs/privacy.md), all four zero for none (they share the
        ///      windows' storage word, which every round reads anyway): the epsilon
        ///      budget in millionths; no round starts whose epsilon (src/fl/DpAccountant.sol)
        ///      would pass it.
        uint32 dpEpsilonMicros;
        /// @dev The delta the budget is for, in 1e-18 (0 < delta < 1).
        uint64 dpDeltaAtto;
        /// @dev The noise multiplier z in millionths: each participant adds N(0, (z C)^2) to
        ///      every element of its clipped update.
        uint32 dpNoiseMicros;
        /// @dev The clipping norm C in millionths of a weight: each participant clips its
        ///      update's delta from the round's global model to this L2 norm.
        uint32 dpClipMicros;
        uint256 rewardPool;
        uint256 joinStake;
        address aggregator;
        uint256 aggregatorStake;
        /// @dev Zero: anyone may join; else the root of an OpenZeppelin Merkle tree over
        ///      keccak256(bytes.concat(keccak256(abi.encode(account)))) leaves.
        bytes32 allowlistRoot;
        /// @dev The owner's commitment to the validation set contribution scores are measured on.
        bytes32 validationCommitment;
        /// @dev Royalty of the final model, capped by the registry's cap at publication.
        uint16 royaltyBps;
    }

    /// @notice One element challenge: the element index, the value each included update has
    ///         there with its Merkle path, and the posted aggregate's value with its path.
    struct ElementChallenge {
        uint32 index;
        /// @dev Participant indexes (strictly increasing): every included submitter, or the
        ///      recorded selection for Krum and MultiKrum.
        uint32[] participants;
        int256[] values;
        bytes32[][] proofs;
        int256 aggregateValue;
        bytes32[] aggregateProof;
    }

    /// @notice A task's state besides its config.
    struct TaskState {
        address owner;
        uint16 currentRound;
        uint16 participantCount;
        bool aggregatorStaked;
        bool closed;
        bool published;
        uint64 finishedAt;
        uint256 poolLeft;
        uint256 bonus;
        bytes32 modelRoot;
        uint256 totalShares;
        address royalties;
        bytes32 modelId;
    }

    /// @notice One round's state.
    struct Round {
        RoundStatus status;
        bool scored;
        uint16 posts;
        uint32 submissions;
        uint32 included;
        uint64 start;
        uint64 aggregateDeadline;
        uint64 postedAt;
        bytes32 aggregateRoot;
        bytes32 selectionHash;
    }

    // ------------------------------------------------------------------ errors

    /// @notice A config field is out of range.
    error FlConfigInvalid(bytes32 field, uint256 value);
    /// @notice No task has this id.
    error FlUnknownTask(uint256 taskId);
    /// @notice Only the task owner may do this.
    error FlNotOwner(uint256 taskId, address caller);
    /// @notice Only the task's aggregator may do this.
    error FlNotAggregator(uint256 taskId, address caller);
    /// @notice Only the task owner or its aggregator may do this.
    error FlNotOwnerOrAggregator(uint256 taskId, address caller);
    /// @notice Joins closed when round 1 started.
    error FlJoinClosed(uint256 taskId, uint64 startsAt);
    /// @notice The caller already joined this task.
    error FlAlreadyJoined(uint256 taskId, address account);
    /// @notice The task has as many participants as it admits.
    error FlTaskFull(uint256 taskId, uint256 maxParticipants);
    /// @notice The caller is not on the task's allowlist (or the proof is wrong).
    error FlNotAdmitted(uint256 taskId, address account);
    /// @notice The stake (or pool) was not approved to this contract.
    error FlStakeMissing(address account, uint256 required, uint256 approved);
    /// @notice A dataset commitment needs a positive example count and a non-zero hash.
    error FlDatasetInvalid(uint64 examples, bytes32 datasetHash);
    /// @notice The caller is not an active participant (never joined, slashed or withdrawn).
    error FlNotParticipant(uint256 taskId, address account);
    /// @notice Round 1 has not started yet.
    error FlNotStarted(uint256 taskId, uint64 startsAt);
    /// @notice The task's last round is over.
    error FlTaskFinished(uint256 taskId);
    /// @notice The task's last round is not over yet.
    error FlTaskNotFinished(uint256 taskId);
    /// @notice The submit window of the round closed at `deadline`.
    error FlSubmissionClosed(uint256 taskId, uint256 round, uint64 deadline);
    /// @notice The participant already committed an update this round.
    error FlAlreadySubmitted(uint256 taskId, uint256 round, address account);
    /// @notice A commitment must be non-zero and cover the task's element count.
    error FlUpdateInvalid(bytes32 root, uint32 elementCount, uint32 expected);
    /// @notice The submit window is still open until `submitEnd`.
    error FlSubmitWindowOpen(uint256 taskId, uint256 round, uint64 submitEnd);
    /// @notice The round is not waiting for an aggregate.
    error FlNotAwaitingAggregate(uint256 taskId, uint256 round, RoundStatus status);
    /// @notice The aggregator has no stake in the task.
    error FlAggregatorNotStaked(uint256 taskId);
    /// @notice The aggregator already has its stake in.
    error FlAggregatorAlreadyStaked(uint256 taskId);
    /// @notice A participant list is not strictly increasing, names a non-submitter, or
    ///         does not match what the strategy needs.
    error FlParticipantsInvalid(uint256 position, uint32 participant);
    /// @notice The list has the wrong length.
    error FlParticipantCount(uint256 given, uint256 expected);
    /// @notice The round's aggregate is not in its challenge window.
    error FlNotChallengeable(uint256 taskId, uint256 round, RoundStatus status);
    /// @notice The element index is past the vector.
    error FlIndexOutOfRange(uint32 index, uint32 elementCount);
    /// @notice A Merkle path does not lead to the committed root (participant index, or
    ///         type(uint32).max for the aggregate).
    error FlProofInvalid(uint32 participant);
    /// @notice The recomputed element equals the posted one: nothing to slash.
    error FlAggregateCorrect(uint32 index, int256 value);
    /// @notice The value is inside the allowed range: nothing to slash.
    error FlValueInRange(int256 value);
    /// @notice Scores are posted once per round, for a round whose aggregate stood.
    error FlNotScorable(uint256 taskId, uint256 round);
    /// @notice A score above 2^128.
    error FlScoreTooLarge(uint256 score);
    /// @notice The participant did not submit in that round.
    error FlNotSubmitted(uint256 taskId, uint256 round, address account);
    /// @notice The task is closed (scores frozen, pool returned).
    error FlTaskClosed(uint256 taskId);
    /// @notice The task is not closed yet.
    error FlTaskNotClosed(uint256 taskId);
    /// @notice The final model was already published.
    error FlAlreadyPublished(uint256 taskId);
    /// @notice The aggregator still holds stake and cannot be replaced.
    error FlAggregatorStaked(uint256 taskId);
    /// @notice Arrays of different lengths.
    error FlLengthMismatch(uint256 a, uint256 b);
    /// @notice Nothing to claim.
    error FlNothingToClaim(address account);
    /// @notice Round `round` would take the task's epsilon to `epsilonMicros`, past its
    ///         budget `budgetMicros` (millionths; task 0: the task being created).
    error FlPrivacyBudgetExceeded(uint256 taskId, uint256 round, uint256 epsilonMicros, uint256 budgetMicros);

    // ------------------------------------------------------------------ events

    event TaskCreated(uint256 indexed taskId, address indexed owner, TaskConfig config, string initialModelCid);
    event ParticipantJoined(
        uint256 indexed taskId,
        address indexed account,
        uint32 index,
        uint64 examples,
        bytes32 datasetHash,
        bytes attestation
    );
    event AggregatorStaked(uint256 indexed taskId, address indexed aggregator, uint256 amount);
    event AggregatorReplaced(uint256 indexed taskId, address indexed oldAggregator, address indexed newAggregator);
    event RoundOpened(uint256 indexed taskId, uint256 indexed round, uint64 start, uint64 submitEnd);
    event UpdateCommitted(
        uint256 indexed taskId, uint256 indexed round, address indexed account, uint32 index, bytes32 root, string cid
    );
    event AggregatePosted(
        uint256 indexed taskId,
        uint256 indexed round,
        bytes32 root,
        string cid,
        uint32[] excluded,
        uint32[] selected,
        uint64 challengeEnd
    );
    /// @notice A wrong aggregate was proven at `index`; the aggregator lost `slashed`.
    event AggregateChallenged(
        uint256 indexed taskId,
        uint256 indexed round,
        address indexed challenger,
        uint32 index,
        int256 posted,
        int256 recomputed,
        uint256 slashed,
        uint64 repostDeadline
    );
    event AggregatorSlashed(uint256 indexed taskId, uint256 indexed round, uint256 toChallenger, uint256 toPool);
    event ParticipantSlashed(
        uint256 indexed taskId,
        address indexed account,
        address indexed challenger,
        uint256 toChallenger,
        uint256 toPool
    );
    event RoundClosed(uint256 indexed taskId, uint256 indexed round, RoundStatus status, bytes32 modelRoot);
    event ScoresPosted(
        uint256 indexed taskId, uint256 indexed round, uint256 scoreSum, uint256 roundPool, uint256 paid
    );
    event RewardCredited(
        uint256 indexed taskId, uint256 indexed round, address indexed account, uint256 score, uint256 reward
    );
    event TaskFinished(uint256 indexed taskId, uint64 finishedAt, bytes32 modelRoot);
    event TaskClosed(uint256 indexed taskId, uint256 refunded);
    event StakeReturned(uint256 indexed taskId, address indexed account, uint256 returned, uint256 forfeited);
    event FinalModelPublished(
        uint256 indexed taskId, bytes32 indexed modelId, address royalties, bytes32 modelRoot, bytes32 contentHash
    );
    event Claimed(address indexed account, uint256 amount);
    /// @notice A round of a private task opened: the task's epsilon once it is spent (millionths).
    event PrivacySpent(uint256 indexed taskId, uint256 indexed round, uint256 epsilonMicros, uint256 budgetMicros);

    // ------------------------------------------------------------------ writes

    /// @notice Creates a task and pulls its reward pool from the caller (approve it first).
    function createTask(TaskConfig calldata config, string calldata initialModelCid) external returns (uint256 taskId);

    /// @notice Joins before round 1 with the join stake (approved first) and a dataset commitment.
    /// @param examples The example count the aggregation weighs this participant's updates by.
    /// @param allowlistProof Proof of the caller's leaf when the task has an allowlist.
    function join(
        uint256 taskId,
        uint64 examples,
        bytes32 datasetHash,
        bytes calldata attestation,
        bytes32[] calldata allowlistProof
    ) external;

    /// @notice The aggregator puts in its stake (approved first); needed before any post.
    function stakeAggregator(uint256 taskId) external;

    /// @notice The owner names a new aggregator while the current one holds no stake.
    function replaceAggregator(uint256 taskId, address newAggregator) external;

    /// @notice Rolls the task's rounds forward to now (anyone; every other write does it too).
    function advance(uint256 taskId) external;

    /// @notice Commits the caller's update for the current round, before its submit deadline.
    function submitUpdate(uint256 taskId, bytes32 root, uint32 elementCount, string calldata cid) external;

    /// @notice The aggregator posts the current round's aggregate after the submit window.
    /// @param excluded Submitters left out (their blob missing or not matching its root), strictly increasing.
    /// @param selected Krum: the one selected participant; MultiKrum: the m selected; else empty.
    function postAggregate(
        uint256 taskId,
        bytes32 root,
        string calldata cid,
        uint32[] calldata excluded,
        uint32[] calldata selected
    ) external;

    /// @notice Proves one element of the posted aggregate wrong; slashes the aggregator.
    function challengeAggregate(uint256 taskId, ElementChallenge calldata challenge) external;

    /// @notice Proves a committed update holds a value outside |q| < 2^47; slashes its sender.
    function challengeUpdateRange(
        uint256 taskId,
        uint256 round,
        uint32 participant,
        uint32 index,
        int256 value,
        bytes32[] calldata proof
    ) external;

    /// @notice Posts contribution scores of a round whose aggregate stood (owner or aggregator,
    ///         once per round) and credits rewards: pool_round * score / sum(scores).
    function postScores(uint256 taskId, uint256 round, uint32[] calldata participants, uint256[] calldata scores)
        external;

    /// @notice After the last round: freezes scores and credits the unspent pool to the owner.
    function closeTask(uint256 taskId) external;

    /// @notice After the last round: returns the caller's stake (half forfeited to the owner
    ///         when `activeRound` is 0 or names no round the caller submitted in).
    function withdrawStake(uint256 taskId, uint256 activeRound) external;

    /// @notice After the last round: returns the aggregator's stake if it still holds it.
    function withdrawAggregatorStake(uint256 taskId) external;

    /// @notice After closing: publishes the final model through a per-task royalty account
    ///         that owns it and splits its royalties by the contributors' shares.
    function publishModel(
        uint256 taskId,
        bytes32 contentHash,
        bytes32 weightCommitment,
        IModelRegistry.Shape calldata shape,
        string calldata metadataURI
    ) external returns (bytes32 modelId);

    /// @notice Sends the caller everything credited to it (rewards, stakes, slash shares).
    function claim() external returns (uint256 amount);

    // ------------------------------------------------------------------ views

    function taskCount() external view returns (uint256);
    function taskConfig(uint256 taskId) external view returns (TaskConfig memory);
    function taskState(uint256 taskId) external view returns (TaskState memory);
    function round(uint256 taskId, uint256 roundNumber) external view returns (Round memory);
    function participant(uint256 taskId, address account)
        external
        view
        returns (ParticipantStatus status, uint32 index, uint64 examples);
    function participantAt(uint256 taskId, uint32 index) external view returns (address);
    function updateRoot(uint256 taskId, uint256 roundNumber, uint32 index) external view returns (bytes32);
    function shareOf(uint256 taskId, address account) external view returns (uint256);
    function claimable(address account) external view returns (uint256);
}
