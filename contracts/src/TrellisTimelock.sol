// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

/// @title TrellisTimelock
/// @notice The owner of TrellisParams in a deployment: every parameter change and slasher
///         authorization is scheduled, public for at least `getMinDelay()` seconds, then
///         executed. OpenZeppelin's TimelockController without changes; this file exists so
///         the build compiles it and generates its binding for the deployer.
contract TrellisTimelock is TimelockController {
    /// @param minDelay Seconds between scheduling and executing an operation.
    /// @param proposers Accounts that may schedule and cancel operations.
    /// @param executors Accounts that may execute ready operations (address(0): anyone).
    /// @param admin Optional extra admin for role setup; address(0) leaves the timelock its
    ///        own only admin, so roles change only through scheduled operations.
    constructor(uint256 minDelay, address[] memory proposers, address[] memory executors, address admin)
        TimelockController(minDelay, proposers, executors, admin)
    {}
}
