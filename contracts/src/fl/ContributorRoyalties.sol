// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {IEscrow} from "../interfaces/IEscrow.sol";
import {IFederatedTraining} from "../interfaces/IFederatedTraining.sol";
import {IModelRegistry} from "../interfaces/IModelRegistry.sol";

/// @title ContributorRoyalties
/// @notice Owns one federated task's final model in the ModelRegistry and splits the
///         royalties the Escrow credits to it among the task's data contributors, pro rata to
///         their shares in the coordinator (frozen when the task closed). Pull payments: each
///         claim pulls the Escrow's credit once and pays one account, with no loop over the
///         contributors. The Escrow credits earnings per account, not per model, so each task
///         needs an account of its own; this contract is that account.
/// @dev Paid to an account so far = floor(received * share / totalShares), so the sum of all
///      payments never exceeds what was received (the rounding dust, below one unit per
///      contributor, stays here). With no shares at all (no round scored) the task owner
///      takes everything.
contract ContributorRoyalties is ReentrancyGuard {
    using SafeERC20 for IERC20;

    /// @notice Only the coordinator that created this account may publish through it.
    error RoyaltiesNotCoordinator(address caller);
    /// @notice The model was already published through this account.
    error RoyaltiesAlreadyPublished(bytes32 modelId);
    /// @notice The account has nothing to claim here.
    error RoyaltiesNothingToClaim(address account);

    /// @notice Royalties pulled from the Escrow into this contract.
    event RoyaltiesCollected(uint256 amount, uint256 totalReceived);
    /// @notice An account was paid its part.
    event RoyaltiesPaid(address indexed account, uint256 amount);

    IFederatedTraining public immutable coordinator;
    uint256 public immutable taskId;
    IEscrow public immutable escrow;
    IERC20 public immutable token;
    IModelRegistry public immutable registry;
    /// @notice Takes all royalties when no contributor has a share.
    address public immutable taskOwner;

    bytes32 public modelId;
    /// @notice Everything ever pulled from the Escrow.
    uint256 public totalReceived;
    mapping(address account => uint256) public released;

    constructor(
        IFederatedTraining coordinator_,
        uint256 taskId_,
        IEscrow escrow_,
        IERC20 token_,
        IModelRegistry registry_,
        address taskOwner_
    ) {
        coordinator = coordinator_;
        taskId = taskId_;
        escrow = escrow_;
        token = token_;
        registry = registry_;
        taskOwner = taskOwner_;
    }

    /// @notice Publishes the final model with this contract as its owner (coordinator only, once).
    function publish(
        bytes32 contentHash,
        bytes32 weightCommitment,
        IModelRegistry.Shape calldata shape,
        string calldata metadataURI,
        uint16 royaltyBps
    ) external returns (bytes32) {
        if (msg.sender != address(coordinator)) revert RoyaltiesNotCoordinator(msg.sender);
        if (modelId != bytes32(0)) revert RoyaltiesAlreadyPublished(modelId);
        modelId = registry.publish(contentHash, weightCommitment, shape, metadataURI, royaltyBps);
        return modelId;
    }

    /// @notice Pulls whatever the Escrow credited to this contract (anyone may call).
    function collect() public returns (uint256 amount) {
        if (escrow.earnings(address(this)) == 0) return 0;
        uint256 before = token.balanceOf(address(this));
        escrow.claim();
        amount = token.balanceOf(address(this)) - before;
        totalReceived += amount;
        emit RoyaltiesCollected(amount, totalReceived);
    }

    /// @notice Pays `account` its part of everything received so far (anyone may trigger it;
    ///         the tokens go to `account`).
    function claim(address account) external nonReentrant returns (uint256 amount) {
        collect();
        amount = _entitled(account, totalReceived) - released[account];
        if (amount == 0) revert RoyaltiesNothingToClaim(account);
        released[account] += amount;
        token.safeTransfer(account, amount);
        emit RoyaltiesPaid(account, amount);
    }

    /// @notice What `account` could claim now, counting the Escrow's pending credit.
    function claimable(address account) external view returns (uint256) {
        return _entitled(account, totalReceived + escrow.earnings(address(this))) - released[account];
    }

    function _entitled(address account, uint256 received) private view returns (uint256) {
        uint256 total = coordinator.taskState(taskId).totalShares;
        if (total == 0) return account == taskOwner ? received : 0;
        return (received * coordinator.shareOf(taskId, account)) / total;
    }
}
