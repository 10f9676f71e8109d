// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IDisputeGame} from "./IDisputeGame.sol";

/// @title IModelBounty
/// @notice Rewards for a better model on a task, judged on a held-out evaluation set the
///         poster commits to before submissions close and reveals after (docs/market.md).
interface IModelBounty {
    /// @notice The task as posted.
    struct Task {
        /// @dev Elements of a quantized input; a submitted model's shape must read this many.
        uint32 inputSize;
        /// @dev Length of the output vector; predictions are its argmax, below this.
        uint32 classCount;
        /// @dev Rows of the evaluation set.
        uint32 rowCount;
        /// @dev Accuracy a claim must exceed, in basis points of the rows.
        uint16 targetBps;
        /// @dev Merkle root (TraceMerkle) over keccak256(abi.encode(inputHash_i, label_i)).
        bytes32 evalRoot;
        /// @dev Active ModelStaking stake a submitted model must have (0: none).
        uint256 minModelStake;
        uint64 submitDeadline;
        uint64 revealDeadline;
        uint64 claimDeadline;
    }

    /// @notice What the bounty holds and the terms it was posted under.
    struct Bounty {
        address poster;
        bool revealed;
        bool finalized;
        uint32 submissionCount;
        /// @dev Row challenges not yet resolved; the bounty cannot finalize while any is.
        uint32 pendingChallenges;
        uint64 challengeWindow;
        uint64 responseWindow;
        uint256 reward;
        uint256 submitBond;
        uint256 challengeBond;
        /// @dev Index + 1 of the winning submission once finalized (0: none).
        uint32 winner;
    }

    struct Submission {
        address submitter;
        bytes32 modelId;
        bool claimed;
        bool voided;
        /// @dev Rows the claim's predictions get right.
        uint32 correct;
        /// @dev Until when the claim's rows may be challenged.
        uint64 challengeEnds;
    }

    enum Status {
        None,
        Open,
        Answered,
        Upheld,
        Rejected
    }

    /// @notice A challenge of one row of one claim.
    struct RowChallenge {
        uint256 bountyId;
        uint32 submission;
        uint32 row;
        Status status;
        uint64 deadline;
        address challenger;
        uint256 bond;
        bytes32 inputHash;
        /// @dev The answering receipt, settled once its own challenge window passed.
        bytes32 receiptId;
        address provider;
        uint64 settlesAt;
    }

    error BountyZeroReward();
    error BountyBadTask(bytes32 field, uint256 value);
    error BountyUnknown(uint256 bountyId);
    error BountyTooLate(bytes32 deadline, uint64 time);
    error BountyTooEarly(bytes32 deadline, uint64 time);
    error BountyNotModelOwner(bytes32 modelId, address owner, address caller);
    error BountyModelUnfit(bytes32 modelId, bytes32 field, uint256 value, uint256 expected);
    error BountyAlreadySubmitted(bytes32 modelId);
    /// @notice The same weight commitment is already in this bounty: a copy adds nothing.
    error BountyDuplicateCommitment(bytes32 commitment);
    error BountyTooManySubmissions(uint256 max);
    error BountyNotPoster(address poster, address caller);
    error BountyAlreadyRevealed(uint256 bountyId);
    error BountyNotRevealed(uint256 bountyId);
    error BountyRowCount(uint256 given, uint256 expected);
    error BountyLabelOutOfRange(uint256 row, uint256 label, uint256 classCount);
    error BountyRevealMismatch(bytes32 computed, bytes32 evalRoot);
    error BountyNotSubmitter(bytes32 modelId, address submitter, address caller);
    error BountyAlreadyClaimed(bytes32 modelId);
    error BountyBelowTarget(uint256 correct, uint256 rowCount, uint256 targetBps);
    error BountyNotClaimed(bytes32 modelId);
    error BountyClaimVoided(bytes32 modelId);
    error BountyChallengeWindowClosed(uint64 challengeEnds);
    error BountyRowOutOfRange(uint256 row, uint256 rowCount);
    error BountyRowAlreadyChallenged(bytes32 id);
    error BountyInvalidRowProof(uint256 row, bytes32 computed, bytes32 evalRoot);
    error BountyUnknownChallenge(bytes32 id);
    error BountyWrongStatus(bytes32 id, Status status);
    error BountyResponseClosed(bytes32 id, uint64 deadline);
    error BountyResponseOpen(bytes32 id, uint64 deadline);
    /// @notice The receipt does not answer this row: `field` names what differs.
    error BountyReceiptMismatch(bytes32 field);
    error BountyBadSignature(address recovered, address provider);
    error BountyProviderInactive(address provider);
    error BountyReceiptSlashed(bytes32 receiptId);
    /// @notice The receipt's own challenge window must stay open at least this long.
    error BountyReceiptTooOld(uint64 issuedAt, uint256 disputableUntil);
    error BountyOutputMismatch(bytes32 computed, bytes32 outputHash);
    /// @notice An output score lies outside int16, the range of the trace's last tensor.
    error BountyOutputOutOfRange();
    error BountyPredictionMismatch(uint256 argmax, uint256 predicted);
    error BountyNotSettled(bytes32 id, uint64 settlesAt, uint256 openDisputes);
    error BountyChallengesPending(uint256 bountyId, uint256 pending);
    error BountyAlreadyFinalized(uint256 bountyId);
    error BountyNothingToWithdraw(address account);

    event BountyPosted(uint256 indexed bountyId, address indexed poster, uint256 reward, Task task);
    event ModelSubmitted(
        uint256 indexed bountyId, uint32 indexed submission, bytes32 indexed modelId, address submitter
    );
    event EvaluationRevealed(uint256 indexed bountyId, bytes32[] inputHashes, bytes labels, string dataURI);
    event Claimed(
        uint256 indexed bountyId, uint32 indexed submission, uint32 correct, bytes predictions, uint64 challengeEnds
    );
    event RowChallenged(
        bytes32 indexed id, uint256 indexed bountyId, uint32 submission, uint32 row, address challenger, uint64 deadline
    );
    event RowAnswered(bytes32 indexed id, bytes32 receiptId, address provider, uint64 settlesAt);
    event ChallengeResolved(bytes32 indexed id, bool claimVoided);
    event BountyFinalized(uint256 indexed bountyId, bool revealed, uint32 winner, bytes32 winningModel);
    event Credited(address indexed account, uint256 amount);
    event Withdrawn(address indexed account, uint256 amount);

    /// @notice Posts a task with `reward` escrowed from the caller.
    function post(Task calldata task, uint256 reward) external returns (uint256 bountyId);
    /// @notice Enters a model the caller owns, paying the submission bond.
    function submit(uint256 bountyId, bytes32 modelId) external;
    /// @notice The poster opens the evaluation set after submissions close.
    function reveal(uint256 bountyId, bytes32[] calldata inputHashes, bytes calldata labels, string calldata dataURI)
        external;
    /// @notice A submitter claims with one predicted label per row (one byte each).
    function claim(uint256 bountyId, bytes32 modelId, bytes calldata predictions) external;
    /// @notice Challenges one row of a claim with the row's inputHash and its path under evalRoot.
    function challenge(uint256 bountyId, bytes32 modelId, uint256 row, bytes32 inputHash, bytes32[] calldata path)
        external
        returns (bytes32 id);
    /// @notice Answers a row challenge with a provider's receipt for the model on the row's
    ///         input and the output vector the receipt commits to.
    function answer(
        bytes32 id,
        IDisputeGame.Receipt calldata receipt,
        bytes calldata signature,
        int256[] calldata output
    ) external;
    /// @notice Upholds a challenge left unanswered past its deadline: the claim is void.
    function timeoutChallenge(bytes32 id) external;
    /// @notice Settles an answered challenge once its receipt can no longer be slashed.
    function settleAnswer(bytes32 id) external;
    /// @notice Pays the reward and returns the bonds once every window passed.
    function finalize(uint256 bountyId) external;
    /// @notice Pays out what was credited to the caller.
    function withdraw() external returns (uint256 amount);

    function taskOf(uint256 bountyId) external view returns (Task memory);
    function getBounty(uint256 bountyId) external view returns (Bounty memory);
    function submissionOf(uint256 bountyId, bytes32 modelId) external view returns (Submission memory);
    function submissions(uint256 bountyId) external view returns (Submission[] memory);
    function predictionsOf(uint256 bountyId, bytes32 modelId) external view returns (bytes memory);
    function labelsOf(uint256 bountyId) external view returns (bytes memory);
    function getChallenge(bytes32 id) external view returns (RowChallenge memory);
    function challengeIdOf(uint256 bountyId, uint256 submission, uint256 row) external pure returns (bytes32);
    function claimable(address account) external view returns (uint256);
    function bountyCount() external view returns (uint256);
}
