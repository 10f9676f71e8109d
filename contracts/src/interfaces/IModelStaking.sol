// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {LayerMath} from "../libraries/LayerMath.sol";

/// @title IModelStaking
/// @notice Stake a model's owner puts behind its weight commitment, and the data-availability
///         game that slashes it: a challenger names a leaf, the staker must open it in time.
interface IModelStaking {
    /// @notice What a model's stake is, for clients choosing a model.
    struct StakeInfo {
        /// @dev Who put the stake up and gets it back.
        address staker;
        /// @dev Stake not asked back.
        uint256 active;
        /// @dev Stake asked back, withdrawable from `unstakeAt` when no challenge is open.
        uint256 unstaking;
        uint64 unstakeAt;
        /// @dev Challenges waiting for an answer; while any is open the stake cannot move.
        uint32 openChallenges;
        /// @dev The commitment was shown malformed once: its stake went to the challenger.
        bool slashed;
    }

    enum Status {
        None,
        Open,
        Answered,
        Slashed
    }

    /// @notice One challenge of one leaf of a model's commitment.
    struct Challenge {
        bytes32 modelId;
        address challenger;
        Status status;
        uint64 deadline;
        uint16 challengerShareBps;
        uint256 leafIndex;
        uint256 bond;
    }

    error StakingZeroAmount();
    error StakingNotModelOwner(bytes32 modelId, address owner, address caller);
    error StakingHeldByOther(bytes32 modelId, address staker);
    error StakingNotStaker(bytes32 modelId, address staker, address caller);
    error StakingInsufficient(bytes32 modelId, uint256 active, uint256 amount);
    error StakingChallengesOpen(bytes32 modelId, uint256 open);
    error StakingNotYetWithdrawable(bytes32 modelId, uint64 unstakeAt, uint256 nowTime);
    error StakingNothingToWithdraw(bytes32 modelId);
    error StakingNoCommitment(bytes32 modelId);
    error StakingNothingStaked(bytes32 modelId);
    error StakingLeafOutOfRange(uint256 leafIndex, uint256 leafCount);
    error StakingUnknownChallenge(uint256 id);
    error StakingNotOpen(uint256 id, Status status);
    error StakingDeadlinePassed(uint256 id, uint64 deadline);
    error StakingDeadlineNotPassed(uint256 id, uint64 deadline);
    /// @notice The challenged leaf is a weight row and this answer opens a parameter leaf, or
    ///         the other way round.
    error StakingWrongLeafKind(uint256 id, uint256 leafIndex);
    /// @notice No weighted layer of the published shape starts at or before this row leaf.
    error StakingRowWithoutLayer(uint256 leafIndex);
    error StakingWeightLength(uint256 given, uint256 expected);
    error StakingInvalidLeafProof(uint256 leafIndex, bytes32 computed, bytes32 commitment);
    error StakingParamsMismatchShape(uint256 layer);
    error StakingNothingToClaim(address account);

    event Staked(bytes32 indexed modelId, address indexed staker, uint256 amount, uint256 active);
    event UnstakeRequested(bytes32 indexed modelId, uint256 amount, uint64 unstakeAt);
    event Unstaked(bytes32 indexed modelId, address indexed staker, uint256 amount);
    event LeafChallenged(
        uint256 indexed id, bytes32 indexed modelId, address indexed challenger, uint256 leafIndex, uint64 deadline
    );
    event LeafOpened(uint256 indexed id, bytes32 indexed modelId, uint256 leafIndex, bytes32 leaf);
    event StakeSlashed(
        uint256 indexed id, bytes32 indexed modelId, uint256 amount, uint256 toChallenger, uint256 toTreasury
    );
    event Credited(address indexed account, uint256 amount);
    event Claimed(address indexed account, uint256 amount);

    /// @notice Adds `amount` to the stake of a model the caller owns in the ModelRegistry.
    function stake(bytes32 modelId, uint256 amount) external;
    /// @notice Moves `amount` of active stake to unstaking; restarts the delay for all of it.
    function requestUnstake(bytes32 modelId, uint256 amount) external;
    /// @notice Pays the unstaking stake back once its delay passed and no challenge is open.
    function withdrawUnstaked(bytes32 modelId) external returns (uint256 amount);
    /// @notice Names leaf `leafIndex` of the model's commitment, paying the current bond.
    function challenge(bytes32 modelId, uint256 leafIndex) external returns (uint256 id);
    /// @notice Opens a challenged weight-row leaf: its row, shift, bias, weights and path.
    function answerRow(uint256 id, uint256 rowShift, int256 bias, bytes calldata weights, bytes32[] calldata path)
        external;
    /// @notice Opens a challenged parameter leaf: the layer's parameters and path.
    function answerParams(uint256 id, LayerMath.Params calldata p, bytes32[] calldata path) external;
    /// @notice Slashes the stake of a challenge left unanswered past its deadline.
    function timeout(uint256 id) external;
    /// @notice Pays out what was credited to the caller.
    function claim() external returns (uint256 amount);

    function stakeOf(bytes32 modelId) external view returns (StakeInfo memory);
    /// @notice Stake a slash would take now (active and unstaking).
    function slashableStakeOf(bytes32 modelId) external view returns (uint256);
    function getChallenge(uint256 id) external view returns (Challenge memory);
    function challengeCount() external view returns (uint256);
    function claimable(address account) external view returns (uint256);
}
