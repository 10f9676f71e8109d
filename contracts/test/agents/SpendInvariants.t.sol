// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {SpendSetup} from "./SpendSetup.sol";
import {SpendHandler} from "./SpendHandler.sol";
import {PathTally} from "../invariant/PathTally.sol";
import {ISpendPermissions} from "../../src/interfaces/ISpendPermissions.sol";

/// @title SpendInvariants
/// @notice However a session key times its spends, no period pays out more than the
///         allowance, and the owner loses exactly what the spends that went through paid.
/// forge-config: ci.invariant.runs = 96
/// forge-config: ci.invariant.depth = 32
/// forge-config: default.invariant.runs = 96
/// forge-config: default.invariant.depth = 32
contract SpendInvariants is SpendSetup, PathTally {
    SpendHandler internal handler;

    function setUp() public {
        setUpSpend();
        address[] memory named = new address[](1);
        named[0] = service;
        ISpendPermissions.SpendPermission memory p = permissionWith(5e6, 2e6, true, named);
        p.end = uint48(block.timestamp + 20 days);
        approved(p);
        handler = new SpendHandler(manager, p, provider, service);
    }

    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    function invariant_noPeriodPaysMoreThanTheAllowance() public view {
        uint256[] memory periods = handler.periodsTouched();
        for (uint256 i; i < periods.length; ++i) {
            assertLe(handler.ghost_spentIn(periods[i]), handler.allowance(), "period over its allowance");
        }
    }

    function invariant_ownerLosesExactlyWhatWasSpent() public view {
        uint256 spent = handler.ghost_totalSpent();
        assertEq(token.balanceOf(owner), OWNER_FUNDS - spent, "owner balance");
        assertEq(token.balanceOf(provider) + token.balanceOf(service), spent, "payees received it all");
        assertEq(token.balanceOf(address(manager)), 0, "the manager holds nothing");
    }

    function invariant_everyDecisionMatchesTheLimit() public view {
        assertEq(handler.ghost_wrongDecisions(), 0, "a spend was refused or allowed against the limit");
    }

    /// @notice The limit is hit, and spends reach periods after the first.
    function afterInvariant() public {
        Path[] memory p = new Path[](2);
        p[0] = Path("spend in a later period", handler.ghost_laterPeriodSpends(), 1);
        p[1] = Path("spend refused by the period limit", handler.ghost_limitRefused(), 1);
        tallyPaths("TRELLIS_SPEND_PATHS", p);
    }
}
