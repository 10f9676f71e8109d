// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title IFlAvailability
/// @notice The data-availability game of federated training (docs/fl.md, "Data
///         availability: demand and open"). During a posted aggregate's challenge window
///         anyone may bond a demand that one element of an included update, or of the
///         aggregate, be opened on chain. Anyone holding the blob answers with the value
///         and its Merkle path before the deadline and takes the bond; the opened value
///         then stands in for a path in the coordinator's `challengeAggregate`. A demand
///         left unanswered proves the blob unavailable: the bond goes back, the committer
///         is slashed, and the post it was made against is void (the round closes empty
///         and the aggregator that included the blob loses its stake).
interface IFlAvailability {
    /// @notice Where a demand stands.
    enum DemandStatus {
        None,
        Pending,
        Answered,
        Unanswered
    }

    /// @notice One demand. `target` is a participant index, or AGGREGATE for the aggregate;
    ///         `root` is the commitment the answer must open, `post` the post it was made
    ///         against; `depth` and `window` are the task's path length and challenge window.
    struct Demand {
        uint256 taskId;
        bytes32 root;
        address demander;
        uint64 deadline;
        DemandStatus status;
        uint8 depth;
        uint16 round;
        uint16 post;
        uint32 target;
        uint32 index;
        uint32 window;
        uint256 bond;
    }

    /// @notice The game's state for one post of a round: demands still pending, the latest
    ///         of their deadlines, and the end of the challenge window as answers extended it.
    struct Availability {
        uint16 post;
        uint32 pending;
        uint64 lastDeadline;
        uint64 challengeEnd;
    }

    /// @notice The round's aggregate is not in its demand window (its first challenge window).
    error FlNotDemandable(uint256 taskId, uint256 round, uint64 demandEnd);
    /// @notice The target is neither the aggregate nor an update the live post included.
    error FlNotIncluded(uint256 taskId, uint256 round, uint32 target);
    /// @notice That element of that commitment is already demanded or opened.
    error FlAlreadyDemanded(uint256 taskId, uint256 round, uint32 target, uint32 index);
    /// @notice The demander did not approve the bond to this contract.
    error FlBondMissing(address account, uint256 required, uint256 approved);
    /// @notice No demand has this id.
    error FlUnknownDemand(uint256 demandId);
    /// @notice The demand was already answered or settled.
    error FlDemandNotPending(uint256 demandId, DemandStatus status);
    /// @notice The demand's answer deadline passed.
    error FlAnswerLate(uint256 demandId, uint64 deadline);
    /// @notice The demand may still be answered until its deadline.
    error FlAnswerNotDue(uint256 demandId, uint64 deadline);
    /// @notice The value and path do not open the demanded element of the committed root.
    error FlOpeningInvalid(uint256 demandId, uint32 target, uint32 index);

    event OpeningDemanded(
        uint256 indexed taskId,
        uint256 indexed round,
        uint256 indexed demandId,
        address demander,
        uint32 target,
        uint32 index,
        uint256 bond,
        uint64 deadline
    );
    /// @notice The element is open on chain; challenges of the round run until `challengeEnd`.
    event DemandAnswered(
        uint256 indexed taskId,
        uint256 indexed round,
        uint256 indexed demandId,
        address answerer,
        uint32 target,
        uint32 index,
        int256 value,
        uint64 challengeEnd
    );
    /// @notice Nobody answered: the bond went back to the demander, the committer was
    ///         slashed, and `voided` when the post it was made against still stood.
    event DemandUnanswered(
        uint256 indexed taskId,
        uint256 indexed round,
        uint256 indexed demandId,
        uint32 target,
        uint32 index,
        bool voided
    );

    /// @notice Bonds a demand (approve `demandBond` first) that element `index` of `target`
    ///         (an included participant index, or AGGREGATE) of the current round be opened.
    function demandOpening(uint256 taskId, uint32 target, uint32 index) external returns (uint256 demandId);

    /// @notice Opens the demanded element (anyone holding the blob); the bond goes to the caller.
    function answerDemand(uint256 demandId, int256 value, bytes32[] calldata proof) external;

    /// @notice After the deadline of an unanswered demand (anyone): the bond back to the
    ///         demander, the committer slashed, the post void if it still stood.
    function settleDemand(uint256 demandId) external;

    function demandBond(uint256 taskId) external view returns (uint256);
    function demandCount() external view returns (uint256);
    function demandOf(uint256 demandId) external view returns (Demand memory);
    function availability(uint256 taskId, uint256 round) external view returns (Availability memory);
    /// @notice Whether `value` is open on chain for that element (the aggregate's: of post `post`).
    function isOpened(uint256 taskId, uint256 round, uint32 target, uint32 index, int256 value, uint16 post)
        external
        view
        returns (bool);
    /// @notice What holds post `post` of a round up: pending demands, their last deadline, the
    ///         challenge end as extended by answers (all zero for another post).
    function holdOf(uint256 taskId, uint256 round, uint16 post)
        external
        view
        returns (uint32 pending, uint64 lastDeadline, uint64 challengeEnd);
}

/// @dev What the game needs of the coordinator besides IFederatedTraining.
interface IFlAvailabilityCoordinator {
    function excludedIn(uint256 taskId, uint256 round, uint32 index) external view returns (uint16);
    function reportUnavailable(uint256 taskId, uint256 round, uint16 post, uint32 target, uint64 when, address demander)
        external
        returns (bool voided);
}
