// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {TestBase} from "../utils/TestBase.sol";
import {FlHandler} from "./FlHandler.sol";
import {IFederatedTraining} from "../../src/interfaces/IFederatedTraining.sol";
import {FederatedTraining} from "../../src/fl/FederatedTraining.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title FlInvariants
/// @notice Money is conserved by the coordinator: what it holds equals what went in minus
///         what was paid out, and equals what it owes (pools, bonuses, live stakes, credits);
///         its availability game holds exactly the bonds of pending demands.
contract FlInvariants is TestBase {
    FlHandler internal handler;

    function setUp() public {
        handler = new FlHandler();
    }

    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    struct FuzzSelector {
        address addr;
        bytes4[] selectors;
    }

    function targetSelectors() public view returns (FuzzSelector[] memory targets) {
        bytes4[] memory s = new bytes4[](2);
        s[0] = handler.act.selector;
        s[1] = handler.warp.selector;
        targets = new FuzzSelector[](1);
        targets[0] = FuzzSelector(address(handler), s);
    }

    /// forge-config: default.invariant.runs = 32
    /// forge-config: ci.invariant.runs = 32
    /// forge-config: default.invariant.depth = 100
    /// forge-config: ci.invariant.depth = 100
    /// forge-config: default.invariant.fail-on-revert = true
    /// forge-config: ci.invariant.fail-on-revert = true
    function invariant_moneyConserved() public view {
        FederatedTraining fl = _fl();
        IERC20 token = fl.token();
        uint256 held = token.balanceOf(address(fl));
        assertEq(held, handler.ghost_in() - handler.ghost_out(), "held == in - out");

        uint256 owed;
        for (uint256 t = 1; t <= fl.taskCount(); ++t) {
            IFederatedTraining.TaskState memory s = fl.taskState(t);
            IFederatedTraining.TaskConfig memory c = fl.taskConfig(t);
            owed += s.poolLeft + s.bonus;
            if (s.aggregatorStaked) owed += c.aggregatorStake;
            for (uint32 i; i < s.participantCount; ++i) {
                (IFederatedTraining.ParticipantStatus status,,) = fl.participant(t, fl.participantAt(t, i));
                if (status == IFederatedTraining.ParticipantStatus.Active) owed += c.joinStake;
            }
        }
        for (uint256 i; i < handler.ACTORS(); ++i) {
            owed += fl.claimable(handler.actor(i));
        }
        assertEq(held, owed, "held == pools + bonuses + live stakes + credits");
        assertLe(handler.ghost_rewards(), handler.ghost_poolsIn() + handler.ghost_toPool(), "rewards within pools");
        assertLe(handler.ghost_refusedChallenges(), type(uint256).max / 4, "no honest aggregate was slashed");
        assertLe(handler.ghost_refusedAnswers(), type(uint256).max / 4, "no wrong opening was taken");
        assertEq(
            token.balanceOf(address(fl.availability())),
            handler.ghost_bondsIn() - handler.ghost_bondsOut(),
            "the availability game holds exactly the pending bonds"
        );
    }

    /// @notice Each run reached a proven wrong aggregate, demands answered, refused and left
    ///         to run out (voiding a post), and paid out claims.
    function afterInvariant() public view {
        assertGe(handler.ghost_challenges(), 1, "a wrong aggregate was challenged and slashed");
        assertGe(handler.ghost_claims(), 1, "claims were paid");
        assertGe(handler.ghost_demands(), 2, "openings were demanded");
        assertGe(handler.ghost_answers(), 1, "a demand was answered");
        assertGe(handler.ghost_refusedAnswers(), 1, "a wrong opening was refused");
        assertGe(handler.ghost_unanswered(), 1, "a demand ran out unanswered");
        assertGe(handler.ghost_voids(), 1, "an unanswered demand voided a post");
    }

    function _fl() internal view returns (FederatedTraining) {
        return FederatedTraining(address(_flAddress()));
    }

    function _flAddress() internal view returns (address) {
        return address(handler.flContract());
    }
}
