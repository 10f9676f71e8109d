// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Fixture} from "./utils/Fixture.sol";
import {TrellisParams} from "../src/TrellisParams.sol";
import {ITrellisParams} from "../src/interfaces/ITrellisParams.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

contract TrellisParamsTest is Fixture {
    function setUp() public {
        deploySystem();
    }

    function test_constructor_setsEverything() public view {
        assertEq(params.owner(), governance, "owner");
        assertEq(params.treasury(), treasury, "treasury");
        assertEq(params.minStake(), MIN_STAKE, "minStake");
        assertEq(params.unbondingDelay(), UNBONDING_DELAY, "unbondingDelay");
        assertEq(params.challengeWindow(), CHALLENGE_WINDOW, "challengeWindow");
        assertEq(params.withdrawalNotice(), WITHDRAWAL_NOTICE, "withdrawalNotice");
        assertEq(params.protocolFeeBps(), FEE_BPS, "fee");
        assertEq(params.royaltyCapBps(), ROYALTY_CAP_BPS, "royaltyCap");
    }

    function test_constructor_rejectsBadValues() public {
        vm.expectRevert(abi.encodeWithSelector(ITrellisParams.ParamsZeroTreasury.selector));
        new TrellisParams(governance, address(0), 1, 2, 1, 1, 0, 0);
        vm.expectRevert(abi.encodeWithSelector(ITrellisParams.ParamsZeroValue.selector, bytes32("minStake")));
        new TrellisParams(governance, treasury, 0, 2, 1, 1, 0, 0);
        vm.expectRevert(abi.encodeWithSelector(ITrellisParams.ParamsZeroValue.selector, bytes32("challengeWindow")));
        new TrellisParams(governance, treasury, 1, 2, 0, 1, 0, 0);
        vm.expectRevert(abi.encodeWithSelector(ITrellisParams.ParamsUnbondingNotAfterChallenge.selector, 5, 5));
        new TrellisParams(governance, treasury, 1, 5, 5, 1, 0, 0);
        vm.expectRevert(abi.encodeWithSelector(ITrellisParams.ParamsZeroValue.selector, bytes32("withdrawalNotice")));
        new TrellisParams(governance, treasury, 1, 2, 1, 0, 0, 0);
        vm.expectRevert(abi.encodeWithSelector(ITrellisParams.ParamsFeeTooHigh.selector, 1_001, 1_000));
        new TrellisParams(governance, treasury, 1, 2, 1, 1, 1_001, 0);
        vm.expectRevert(abi.encodeWithSelector(ITrellisParams.ParamsRoyaltyCapTooHigh.selector, 3_001, 3_000));
        new TrellisParams(governance, treasury, 1, 2, 1, 1, 0, 3_001);
    }

    function test_setters_updateAndEmit() public {
        vm.startPrank(governance);
        vm.expectEmit(address(params));
        emit ITrellisParams.ParameterSet("minStake", MIN_STAKE, 5);
        params.setMinStake(5);
        assertEq(params.minStake(), 5, "minStake");

        vm.expectEmit(address(params));
        emit ITrellisParams.ParameterSet("unbondingDelay", UNBONDING_DELAY, 3 days);
        params.setUnbondingDelay(3 days);
        assertEq(params.unbondingDelay(), 3 days, "unbondingDelay");

        vm.expectEmit(address(params));
        emit ITrellisParams.ParameterSet("challengeWindow", CHALLENGE_WINDOW, 2 days);
        params.setChallengeWindow(2 days);
        assertEq(params.challengeWindow(), 2 days, "challengeWindow");

        vm.expectEmit(address(params));
        emit ITrellisParams.ParameterSet("withdrawalNotice", WITHDRAWAL_NOTICE, 1 hours);
        params.setWithdrawalNotice(1 hours);
        assertEq(params.withdrawalNotice(), 1 hours, "withdrawalNotice");

        vm.expectEmit(address(params));
        emit ITrellisParams.ParameterSet("protocolFeeBps", FEE_BPS, 1_000);
        params.setProtocolFeeBps(1_000);
        assertEq(params.protocolFeeBps(), 1_000, "fee");

        vm.expectEmit(address(params));
        emit ITrellisParams.ParameterSet("royaltyCapBps", ROYALTY_CAP_BPS, 0);
        params.setRoyaltyCapBps(0);
        assertEq(params.royaltyCapBps(), 0, "royaltyCap");

        vm.expectEmit(address(params));
        emit ITrellisParams.TreasurySet(treasury, address(0xBEEF));
        params.setTreasury(address(0xBEEF));
        assertEq(params.treasury(), address(0xBEEF), "treasury");
        vm.stopPrank();
    }

    function test_setters_rejectBadValues() public {
        vm.startPrank(governance);
        vm.expectRevert(abi.encodeWithSelector(ITrellisParams.ParamsZeroValue.selector, bytes32("minStake")));
        params.setMinStake(0);
        vm.expectRevert(
            abi.encodeWithSelector(ITrellisParams.ParamsUnbondingNotAfterChallenge.selector, CHALLENGE_WINDOW, CHALLENGE_WINDOW)
        );
        params.setUnbondingDelay(CHALLENGE_WINDOW);
        vm.expectRevert(
            abi.encodeWithSelector(ITrellisParams.ParamsUnbondingNotAfterChallenge.selector, UNBONDING_DELAY, UNBONDING_DELAY)
        );
        params.setChallengeWindow(UNBONDING_DELAY);
        vm.expectRevert(abi.encodeWithSelector(ITrellisParams.ParamsZeroValue.selector, bytes32("challengeWindow")));
        params.setChallengeWindow(0);
        vm.expectRevert(abi.encodeWithSelector(ITrellisParams.ParamsZeroValue.selector, bytes32("withdrawalNotice")));
        params.setWithdrawalNotice(0);
        vm.expectRevert(abi.encodeWithSelector(ITrellisParams.ParamsFeeTooHigh.selector, 1_001, 1_000));
        params.setProtocolFeeBps(1_001);
        vm.expectRevert(abi.encodeWithSelector(ITrellisParams.ParamsRoyaltyCapTooHigh.selector, 3_001, 3_000));
        params.setRoyaltyCapBps(3_001);
        vm.expectRevert(abi.encodeWithSelector(ITrellisParams.ParamsZeroTreasury.selector));
        params.setTreasury(address(0));
        vm.stopPrank();
    }

    function test_setters_onlyOwner() public {
        address stranger = address(0xBAD);
        bytes memory notOwner = abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, stranger);
        vm.startPrank(stranger);
        vm.expectRevert(notOwner);
        params.setMinStake(1);
        vm.expectRevert(notOwner);
        params.setUnbondingDelay(10 days);
        vm.expectRevert(notOwner);
        params.setChallengeWindow(1);
        vm.expectRevert(notOwner);
        params.setWithdrawalNotice(1);
        vm.expectRevert(notOwner);
        params.setProtocolFeeBps(1);
        vm.expectRevert(notOwner);
        params.setRoyaltyCapBps(1);
        vm.expectRevert(notOwner);
        params.setTreasury(stranger);
        vm.stopPrank();
    }

    function test_ownership_isTwoStep() public {
        address next = address(0xA11CE);
        vm.prank(governance);
        params.transferOwnership(next);
        assertEq(params.owner(), governance, "owner unchanged until accepted");
        vm.prank(next);
        params.acceptOwnership();
        assertEq(params.owner(), next, "new owner");
    }

    function testFuzz_unbondingAlwaysAfterChallenge(uint256 delay, uint256 window) public {
        delay = bound(delay, 1, 365 days);
        window = bound(window, 1, 365 days);
        vm.startPrank(governance);
        // Try both orders; whatever is accepted must keep delay > window.
        try params.setUnbondingDelay(delay) {} catch {}
        try params.setChallengeWindow(window) {} catch {}
        vm.stopPrank();
        assertTrue(params.unbondingDelay() > params.challengeWindow(), "delay > window");
    }
}
