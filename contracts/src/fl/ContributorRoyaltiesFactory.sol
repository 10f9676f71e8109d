// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IEscrow} from "../interfaces/IEscrow.sol";
import {IFederatedTraining} from "../interfaces/IFederatedTraining.sol";
import {IModelRegistry} from "../interfaces/IModelRegistry.sol";
import {ContributorRoyalties} from "./ContributorRoyalties.sol";

/// @title ContributorRoyaltiesFactory
/// @notice Creates a task's royalty account with the caller as its coordinator. A separate
///         contract only so that the coordinator stays under the contract size limit; an
///         account created by anyone else names that caller as coordinator and is useless
///         to it, so the factory needs no access rule.
contract ContributorRoyaltiesFactory {
    IEscrow public immutable escrow;
    IERC20 public immutable token;
    IModelRegistry public immutable registry;

    constructor(IEscrow escrow_, IERC20 token_, IModelRegistry registry_) {
        escrow = escrow_;
        token = token_;
        registry = registry_;
    }

    /// @notice A new royalty account for task `taskId` of the calling coordinator.
    function create(uint256 taskId, address taskOwner) external returns (ContributorRoyalties) {
        return new ContributorRoyalties(IFederatedTraining(msg.sender), taskId, escrow, token, registry, taskOwner);
    }
}
