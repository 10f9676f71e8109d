// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {IFederatedTraining} from "../interfaces/IFederatedTraining.sol";
import {IFlAvailability, IFlAvailabilityCoordinator} from "../interfaces/IFlAvailability.sol";
import {TraceMerkle} from "../libraries/TraceMerkle.sol";

/// @title FlAvailability
/// @notice The demand-and-open game of one coordinator, which creates it. It holds only
///         pending bonds: an answered bond is paid to the answerer, an unanswered one back
///         to the demander, both at once. Slashing and voiding are the coordinator's, which
///         it does when this contract reports an unanswered demand.
contract FlAvailability is IFlAvailability, ReentrancyGuard {
    using SafeERC20 for IERC20;

    /// @notice The target of a demand on the aggregate (as in the coordinator's `FlProofInvalid`).
    uint32 public constant AGGREGATE = type(uint32).max;
    /// @notice A demand's bond, as a share of the task's join stake.
    uint256 public constant DEMAND_BOND_BPS = 1_000;

    IERC20 public immutable token;
    IFederatedTraining public immutable coordinator;

    enum OpeningState {
        None,
        Pending,
        Opened
    }

    /// @dev Per element of a commitment: pending or opened, the post (for the aggregate's) and the value.
    struct Opening {
        OpeningState state;
        uint16 post;
        int256 value;
    }

    uint256 private _demandCount;
    mapping(uint256 demandId => Demand) private _demands;
    mapping(uint256 taskId => mapping(uint256 round => Availability)) private _availability;
    mapping(uint256 taskId => mapping(uint256 round => mapping(uint32 target => mapping(uint32 index => Opening))))
        private _openings;

    constructor(IERC20 token_) {
        token = token_;
        coordinator = IFederatedTraining(msg.sender);
    }

    /// @inheritdoc IFlAvailability
    function demandOpening(uint256 taskId, uint32 target, uint32 index)
        external
        nonReentrant
        returns (uint256 demandId)
    {
        coordinator.advance(taskId);
        IFederatedTraining.TaskConfig memory c = coordinator.taskConfig(taskId);
        uint256 r = coordinator.taskState(taskId).currentRound;
        (bytes32 root, uint16 post) = _markDemanded(taskId, c, r, target, index);
        uint256 bond = _bond(c);
        uint256 approved = token.allowance(msg.sender, address(this));
        if (approved < bond) revert FlBondMissing(msg.sender, bond, approved);
        token.safeTransferFrom(msg.sender, address(this), bond);
        uint64 deadline = uint64(block.timestamp) + c.challengeWindow;
        demandId = ++_demandCount;
        _demands[demandId] = Demand({
            taskId: taskId,
            root: root,
            demander: msg.sender,
            deadline: deadline,
            status: DemandStatus.Pending,
            depth: uint8(TraceMerkle.depthOf(c.elementCount)),
            round: uint16(r),
            post: post,
            target: target,
            index: index,
            window: c.challengeWindow,
            bond: bond
        });
        Availability storage av = _availability[taskId][r];
        ++av.pending;
        if (deadline > av.lastDeadline) av.lastDeadline = deadline;
        emit OpeningDemanded(taskId, r, demandId, msg.sender, target, index, bond, deadline);
    }

    /// @inheritdoc IFlAvailability
    function answerDemand(uint256 demandId, int256 value, bytes32[] calldata proof) external nonReentrant {
        Demand storage d = _pendingDemand(demandId);
        if (block.timestamp >= d.deadline) revert FlAnswerLate(demandId, d.deadline);
        if (TraceMerkle.rootFromExactPath(TraceMerkle.elementLeaf(value), d.index, proof, d.depth) != d.root) {
            revert FlOpeningInvalid(demandId, d.target, d.index);
        }
        d.status = DemandStatus.Answered;
        uint64 challengeEnd = _recordOpening(d, value);
        token.safeTransfer(msg.sender, d.bond);
        emit DemandAnswered(d.taskId, d.round, demandId, msg.sender, d.target, d.index, value, challengeEnd);
    }

    /// @inheritdoc IFlAvailability
    function settleDemand(uint256 demandId) external nonReentrant {
        Demand storage d = _pendingDemand(demandId);
        if (block.timestamp < d.deadline) revert FlAnswerNotDue(demandId, d.deadline);
        d.status = DemandStatus.Unanswered;
        uint256 taskId = d.taskId;
        Opening storage o = _openings[taskId][d.round][d.target][d.index];
        if (o.post == d.post && o.state == OpeningState.Pending) o.state = OpeningState.None;
        Availability storage av = _availability[taskId][d.round];
        if (av.post == d.post) --av.pending;
        token.safeTransfer(d.demander, d.bond);
        bool voided = IFlAvailabilityCoordinator(address(coordinator))
            .reportUnavailable(taskId, d.round, d.post, d.target, d.deadline, d.demander);
        emit DemandUnanswered(taskId, d.round, demandId, d.target, d.index, voided);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IFlAvailability
    function demandBond(uint256 taskId) external view returns (uint256) {
        return _bond(coordinator.taskConfig(taskId));
    }

    /// @inheritdoc IFlAvailability
    function demandCount() external view returns (uint256) {
        return _demandCount;
    }

    /// @inheritdoc IFlAvailability
    function demandOf(uint256 demandId) external view returns (Demand memory) {
        return _demands[demandId];
    }

    /// @inheritdoc IFlAvailability
    function availability(uint256 taskId, uint256 round) external view returns (Availability memory) {
        return _availability[taskId][round];
    }

    /// @inheritdoc IFlAvailability
    function isOpened(uint256 taskId, uint256 round, uint32 target, uint32 index, int256 value, uint16 post)
        external
        view
        returns (bool)
    {
        Opening storage o = _openings[taskId][round][target][index];
        if (o.state != OpeningState.Opened || o.value != value) return false;
        return target != AGGREGATE || o.post == post;
    }

    /// @inheritdoc IFlAvailability
    function holdOf(uint256 taskId, uint256 round, uint16 post)
        external
        view
        returns (uint32 pending, uint64 lastDeadline, uint64 challengeEnd)
    {
        Availability storage av = _availability[taskId][round];
        if (av.post != post) return (0, 0, 0);
        return (av.pending, av.lastDeadline, av.challengeEnd);
    }

    // ------------------------------------------------------------------ internal

    function _bond(IFederatedTraining.TaskConfig memory c) private pure returns (uint256 bond) {
        bond = (c.joinStake * DEMAND_BOND_BPS) / 10_000;
        if (bond == 0) bond = 1;
    }

    function _pendingDemand(uint256 demandId) private view returns (Demand storage d) {
        if (demandId == 0 || demandId > _demandCount) revert FlUnknownDemand(demandId);
        d = _demands[demandId];
        if (d.status != DemandStatus.Pending) revert FlDemandNotPending(demandId, d.status);
    }

    /// @dev Checks a demand on element `index` of `target` in round `r`, marks the element
    ///      pending and starts the post's game if it is the first demand on it; returns the
    ///      root the answer must open and the post.
    function _markDemanded(
        uint256 taskId,
        IFederatedTraining.TaskConfig memory c,
        uint256 r,
        uint32 target,
        uint32 index
    ) private returns (bytes32 root, uint16 post) {
        IFederatedTraining.Round memory rd = coordinator.round(taskId, r);
        uint64 demandEnd = rd.postedAt + c.challengeWindow;
        // Only in the post's first challenge window: answers extend the window, demands do
        // not, so a round ends at most two windows after its demand window closes.
        if (rd.status != IFederatedTraining.RoundStatus.Posted || block.timestamp >= demandEnd) {
            revert FlNotDemandable(taskId, r, demandEnd);
        }
        if (index >= c.elementCount) revert IFederatedTraining.FlIndexOutOfRange(index, c.elementCount);
        post = rd.posts;
        if (target == AGGREGATE) {
            root = rd.aggregateRoot;
        } else {
            root = coordinator.updateRoot(taskId, r, target);
            if (
                root == bytes32(0)
                    || IFlAvailabilityCoordinator(address(coordinator)).excludedIn(taskId, r, target) == post
            ) {
                revert FlNotIncluded(taskId, r, target);
            }
        }
        Opening storage o = _openings[taskId][r][target][index];
        if (o.state != OpeningState.None && (target != AGGREGATE || o.post == post)) {
            revert FlAlreadyDemanded(taskId, r, target, index);
        }
        o.state = OpeningState.Pending;
        o.post = post;
        Availability storage av = _availability[taskId][r];
        if (av.post != post) {
            _availability[taskId][r] = Availability({post: post, pending: 0, lastDeadline: 0, challengeEnd: demandEnd});
        }
    }

    /// @dev Records an answered demand's value and, while its post is the game's, counts it
    ///      answered and keeps challenges open one more window from now, so the value stays usable.
    function _recordOpening(Demand storage d, int256 value) private returns (uint64) {
        Opening storage o = _openings[d.taskId][d.round][d.target][d.index];
        // A demand on an aggregate since replaced must not overwrite the new post's state.
        if (o.post == d.post || d.target != AGGREGATE) {
            o.state = OpeningState.Opened;
            o.post = d.post;
            o.value = value;
        }
        Availability storage av = _availability[d.taskId][d.round];
        if (av.post != d.post) return 0;
        --av.pending;
        uint64 end = uint64(block.timestamp) + d.window;
        if (end > av.challengeEnd) av.challengeEnd = end;
        return av.challengeEnd;
    }
}
