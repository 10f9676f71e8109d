// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {TestBase} from "../utils/TestBase.sol";
import {ISpendPermissions} from "../../src/interfaces/ISpendPermissions.sol";

/// @title SpendHandler
/// @notice The agent's session key spending as fast as it can, and time passing. Ghost sums
///         come from the handler's own clock arithmetic and the spends that went through, never
///         from the manager's period records.
contract SpendHandler is TestBase {
    ISpendPermissions internal immutable manager;
    ISpendPermissions.SpendPermission internal permission;
    address internal immutable agent;
    address[2] internal payees;

    mapping(uint256 period => uint256) public ghost_spentIn;
    uint256[] internal _periodsTouched;
    uint256 public ghost_totalSpent;
    uint256 public ghost_laterPeriodSpends;
    uint256 public ghost_limitRefused;
    uint256 public ghost_afterEndRefused;
    /// @notice Refusals the limit did not call for, or spends it should have refused.
    uint256 public ghost_wrongDecisions;

    constructor(
        ISpendPermissions manager_,
        ISpendPermissions.SpendPermission memory p,
        address provider,
        address service
    ) {
        manager = manager_;
        permission = p;
        agent = p.spender;
        payees = [provider, service];
    }

    function spend(uint256 value, uint256 payeeSeed) external {
        ISpendPermissions.SpendPermission memory p = permission;
        address payee = payees[payeeSeed % 2];
        bool ended = block.timestamp >= p.end;
        uint256 period = ended ? 0 : (block.timestamp - p.start) / p.period;
        uint160 amount = uint160(bound(value, 1, 2e6));
        // One spend in four aims at the edge of what the period has left: one below, at, or
        // one above it, where an off-by-one in the limit would show.
        if (value % 4 == 0) {
            uint256 left = p.allowance - ghost_spentIn[period];
            amount = uint160(bound(left + (value / 4) % 3, 2, 2e6 + 1) - 1);
        }
        bool fits = !ended && ghost_spentIn[period] + amount <= p.allowance;
        vm.prank(agent);
        try manager.spend(p, payee, amount) {
            if (!fits) ++ghost_wrongDecisions;
            if (ghost_spentIn[period] == 0) _periodsTouched.push(period);
            ghost_spentIn[period] += amount;
            ghost_totalSpent += amount;
            if (period != 0) ++ghost_laterPeriodSpends;
        } catch (bytes memory reason) {
            bytes4 selector = bytes4(reason);
            if (selector == ISpendPermissions.SpendLimitExceeded.selector) ++ghost_limitRefused;
            else if (selector == ISpendPermissions.SpendAfterEnd.selector) ++ghost_afterEndRefused;
            if (fits) ++ghost_wrongDecisions;
        }
    }

    /// @notice Mostly up to a quarter period, so several spends share a period and meet its
    ///         limit; one time in eight up to two periods, so a period is left untouched.
    function warp(uint256 dt) external {
        uint256 period = permission.period;
        uint256 step = dt % 8 == 7 ? bound(dt / 8, 1, 2 * period) : bound(dt / 8, 1, period / 4);
        vm.warp(block.timestamp + step);
    }

    function periodsTouched() external view returns (uint256[] memory) {
        return _periodsTouched;
    }

    function allowance() external view returns (uint256) {
        return permission.allowance;
    }
}
