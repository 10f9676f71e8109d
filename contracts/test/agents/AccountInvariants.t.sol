// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {AccountSetup} from "./AccountSetup.sol";
import {AccountThiefHandler} from "./AccountThiefHandler.sol";
import {PathTally} from "../invariant/PathTally.sol";
import {ISpendPermissions} from "../../src/interfaces/ISpendPermissions.sol";

/// @title AccountInvariants
/// @notice However a thief with an agent account's session key signs and times its
///         payments, the owner's outflow never exceeds the allowance in any period, goes only
///         to allowed payees, and equals what the payments that went through paid.
/// forge-config: ci.invariant.runs = 32
/// forge-config: ci.invariant.depth = 32
/// forge-config: default.invariant.runs = 32
/// forge-config: default.invariant.depth = 32
contract AccountInvariants is AccountSetup, PathTally {
    AccountThiefHandler internal handler;

    function setUp() public {
        setUpAccount();
        // A tighter allowance than the unit tests' (3 tUSD a day, 2 a call), so the period's
        // limit is met within a few payments.
        address[] memory named = new address[](1);
        named[0] = service;
        ISpendPermissions.SpendPermission memory p = permissionWith(3e6, 2e6, true, named);
        p.salt = 2;
        account = createAccount(p);
        handler = new AccountThiefHandler(
            token, account, AGENT_KEY, accountPermission, 2e6, [provider, service, agent, stranger]
        );
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

    function invariant_ownerPaysOnlyAllowedPayeesWhatWentThrough() public view {
        uint256 paid = handler.ghost_totalPaid();
        assertEq(token.balanceOf(owner), OWNER_FUNDS - paid, "owner balance");
        assertEq(token.balanceOf(provider) + token.balanceOf(service), paid, "allowed payees received it all");
        assertEq(token.balanceOf(agent) + token.balanceOf(stranger), 0, "the thief and strangers got nothing");
        assertEq(handler.ghost_paidToDisallowed(), 0, "no payment reached a payee not allowed");
        assertEq(token.balanceOf(address(account)), 0, "the account keeps no float");
    }

    function invariant_everyDecisionMatchesThePermission() public view {
        assertEq(handler.ghost_wrongDecisions(), 0, "a payment was refused or allowed against the permission");
    }

    /// @notice The thief meets every refusal, and payments reach later periods.
    function afterInvariant() public {
        Path[] memory p = new Path[](6);
        p[0] = Path("payee refused", handler.ghost_payeeRefused(), 1);
        p[1] = Path("per-call maximum refused", handler.ghost_perCallRefused(), 1);
        p[2] = Path("period limit refused", handler.ghost_limitRefused(), 1);
        p[3] = Path("replay refused", handler.ghost_replayRefused(), 1);
        p[4] = Path("hook called directly refused", handler.ghost_hookRefused(), 1);
        p[5] = Path("payment in a later period", handler.ghost_laterPeriodPayments(), 1);
        tallyPaths("TRELLIS_ACCOUNT_PATHS", p);
    }
}
