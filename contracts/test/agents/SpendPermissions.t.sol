// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {SpendSetup} from "./SpendSetup.sol";
import {ISpendPermissions} from "../../src/interfaces/ISpendPermissions.sol";
import {SpendPermissions} from "../../src/agents/SpendPermissions.sol";
import {IProviderRegistry} from "../../src/interfaces/IProviderRegistry.sol";
import {ReenteringSpendToken} from "./ReenteringSpendToken.sol";

/// @title SpendPermissionsTest
/// @notice What a session key can make the owner pay, told from the side of whoever holds
///         the key (or tries to forge one): every refused spend leaves the owner's balance whole.
contract SpendPermissionsTest is SpendSetup {
    function setUp() public {
        setUpSpend();
    }

    // ------------------------------------------------------------------ the honest path

    function test_agentSpendsWithinTheLimitFromTheOwnersWallet() public {
        ISpendPermissions.SpendPermission memory p = permission();
        bytes32 hash = approved(p);
        assertTrue(manager.isValid(p), "valid after approval");
        spendAs(agent, p, provider, 2e6);
        spendAs(agent, p, service, 1e6);
        assertEq(token.balanceOf(owner), OWNER_FUNDS - 3e6, "owner paid 3");
        assertEq(token.balanceOf(provider), 2e6, "provider paid directly");
        assertEq(token.balanceOf(service), 1e6, "service paid directly");
        assertEq(token.balanceOf(address(manager)), 0, "the manager holds nothing");
        assertEq(token.balanceOf(agent), 0, "the session key holds nothing");
        assertEq(manager.getCurrentPeriod(p).spend, 3e6, "period total");
        assertEq(manager.getLastUpdatedPeriod(p).spend, 3e6, "last period");
        assertEq(hash, manager.getHash(p), "hash is stable");
    }

    function test_ownerMayApproveDirectly() public {
        ISpendPermissions.SpendPermission memory p = permission();
        vm.prank(owner);
        manager.approve(p);
        spendAs(agent, p, service, 1e6);
        assertEq(token.balanceOf(service), 1e6, "paid");
    }

    // ------------------------------------------------------------------ limits per period

    function test_periodLimitHoldsAndDoesNotRollOver() public {
        ISpendPermissions.SpendPermission memory p = permission();
        approved(p);
        for (uint256 i; i < 5; ++i) {
            spendAs(agent, p, provider, 2e6);
        }
        vm.expectRevert(abi.encodeWithSelector(ISpendPermissions.SpendLimitExceeded.selector, 1, 0));
        spendAs(agent, p, provider, 1);

        // A day with nothing spent, then the next: the unspent day is not carried over.
        vm.warp(block.timestamp + 2 days);
        for (uint256 i; i < 5; ++i) {
            spendAs(agent, p, provider, 2e6);
        }
        vm.expectRevert(abi.encodeWithSelector(ISpendPermissions.SpendLimitExceeded.selector, 1, 0));
        spendAs(agent, p, provider, 1);
        assertEq(token.balanceOf(owner), OWNER_FUNDS - 20e6, "two periods of 10, nothing more");
    }

    function test_periodBoundariesAreFixedFromStart() public {
        ISpendPermissions.SpendPermission memory p = permission();
        approved(p);
        vm.warp(p.start + 1 days - 1);
        ISpendPermissions.PeriodSpend memory first = manager.getCurrentPeriod(p);
        assertEq(first.start, p.start, "first period starts at start");
        assertEq(first.end, p.start + 1 days, "and ends a period later");
        spendAs(agent, p, provider, 2e6);
        vm.warp(p.start + 1 days);
        ISpendPermissions.PeriodSpend memory second = manager.getCurrentPeriod(p);
        assertEq(second.start, p.start + 1 days, "second period start");
        assertEq(second.spend, 0, "a new period starts at zero");
    }

    function test_lastPeriodIsCutAtEnd() public {
        ISpendPermissions.SpendPermission memory p = permission();
        p.end = p.start + 1 days + 1 hours;
        approved(p);
        vm.warp(p.start + 1 days + 1);
        assertEq(manager.getCurrentPeriod(p).end, p.end, "the last period ends at end");
    }

    function test_spendOverTheRemainderNamesWhatIsLeft() public {
        ISpendPermissions.SpendPermission memory p = permission();
        approved(p);
        for (uint256 i; i < 4; ++i) {
            spendAs(agent, p, provider, 2e6);
        }
        spendAs(agent, p, provider, 1e6);
        uint256 before = token.balanceOf(owner);
        vm.expectRevert(abi.encodeWithSelector(ISpendPermissions.SpendLimitExceeded.selector, 2e6, 1e6));
        spendAs(agent, p, provider, 2e6);
        assertEq(token.balanceOf(owner), before, "nothing moved");
    }

    // ------------------------------------------------------------------ per call and payees

    function test_perCallMaximum() public {
        ISpendPermissions.SpendPermission memory p = permission();
        approved(p);
        vm.expectRevert(abi.encodeWithSelector(ISpendPermissions.SpendAboveMaxPerCall.selector, 2e6 + 1, 2e6));
        spendAs(agent, p, provider, 2e6 + 1);
        assertEq(token.balanceOf(owner), OWNER_FUNDS, "nothing moved");
    }

    function test_agentCannotPayItselfOrAStranger() public {
        ISpendPermissions.SpendPermission memory p = permission();
        approved(p);
        vm.expectRevert(abi.encodeWithSelector(ISpendPermissions.SpendPayeeNotAllowed.selector, agent));
        spendAs(agent, p, agent, 1e6);
        vm.expectRevert(abi.encodeWithSelector(ISpendPermissions.SpendPayeeNotAllowed.selector, mallory));
        spendAs(agent, p, mallory, 1e6);
        vm.expectRevert(abi.encodeWithSelector(ISpendPermissions.SpendPayeeNotAllowed.selector, address(0)));
        spendAs(agent, p, address(0), 1e6);
        assertEq(token.balanceOf(owner), OWNER_FUNDS, "nothing moved");
    }

    function test_jailedProviderIsNoLongerAPayee() public {
        ISpendPermissions.SpendPermission memory p = permission();
        approved(p);
        vm.prank(governance);
        registry.setSlasher(address(this), true);
        registry.jail(provider, uint64(block.timestamp + 1 days));
        vm.expectRevert(abi.encodeWithSelector(ISpendPermissions.SpendPayeeNotAllowed.selector, provider));
        spendAs(agent, p, provider, 1e6);
    }

    function test_namedPayeesOnlyWhenProvidersAreNotAllowed() public {
        address[] memory payees = new address[](1);
        payees[0] = service;
        ISpendPermissions.SpendPermission memory p = permissionWith(10e6, 2e6, false, payees);
        approved(p);
        vm.expectRevert(abi.encodeWithSelector(ISpendPermissions.SpendPayeeNotAllowed.selector, provider));
        spendAs(agent, p, provider, 1e6);
        spendAs(agent, p, service, 1e6);
        assertEq(token.balanceOf(service), 1e6, "the named service is paid");
    }

    // ------------------------------------------------------------------ time window

    function test_startInTheFuture() public {
        ISpendPermissions.SpendPermission memory p = permission();
        p.start = uint48(block.timestamp + 1 hours);
        approved(p);
        vm.expectRevert(
            abi.encodeWithSelector(ISpendPermissions.SpendBeforeStart.selector, uint48(block.timestamp), p.start)
        );
        spendAs(agent, p, provider, 1e6);
        vm.warp(p.start);
        spendAs(agent, p, provider, 1e6);
    }

    function test_expiryIsExclusive() public {
        ISpendPermissions.SpendPermission memory p = permission();
        approved(p);
        vm.warp(p.end - 1);
        spendAs(agent, p, provider, 1e6);
        vm.warp(p.end);
        vm.expectRevert(abi.encodeWithSelector(ISpendPermissions.SpendAfterEnd.selector, p.end, p.end));
        spendAs(agent, p, provider, 1e6);
        assertEq(token.balanceOf(owner), OWNER_FUNDS - 1e6, "only the spend before end");
    }

    // ------------------------------------------------------------------ revocation and the kill switch

    function test_revokedMidPeriodStopsAtOnce() public {
        ISpendPermissions.SpendPermission memory p = permission();
        bytes32 hash = approved(p);
        spendAs(agent, p, provider, 2e6);
        vm.prank(owner);
        manager.revoke(p);
        assertFalse(manager.isValid(p), "invalid after revoke");
        assertTrue(manager.isRevoked(p), "revoked");
        vm.expectRevert(abi.encodeWithSelector(ISpendPermissions.SpendPermissionIsRevoked.selector, hash));
        spendAs(agent, p, provider, 1e6);
        vm.warp(block.timestamp + 1 days);
        vm.expectRevert(abi.encodeWithSelector(ISpendPermissions.SpendPermissionIsRevoked.selector, hash));
        spendAs(agent, p, provider, 1e6);
        assertEq(token.balanceOf(owner), OWNER_FUNDS - 2e6, "only the spend before the revocation");
    }

    function test_replayOfTheSignatureAfterRevokeIsRefused() public {
        ISpendPermissions.SpendPermission memory p = permission();
        bytes memory signature = sign(OWNER_KEY, p);
        manager.approveWithSignature(p, signature);
        vm.prank(owner);
        manager.revoke(p);
        bytes32 hash = manager.getHash(p);
        vm.expectRevert(abi.encodeWithSelector(ISpendPermissions.SpendPermissionIsRevoked.selector, hash));
        manager.approveWithSignature(p, signature);
        assertFalse(manager.isValid(p), "still revoked");
    }

    function test_onlyTheAccountRevokes() public {
        ISpendPermissions.SpendPermission memory p = permission();
        approved(p);
        vm.expectRevert(abi.encodeWithSelector(ISpendPermissions.SpendNotAccount.selector, mallory, owner));
        vm.prank(mallory);
        manager.revoke(p);
        vm.prank(agent);
        manager.revokeAsSpender(p);
        assertTrue(manager.isRevoked(p), "the spender may give its key up");
    }

    function test_killSwitchStopsEveryPermissionApprovedOrOnlySigned() public {
        ISpendPermissions.SpendPermission memory a = permission();
        ISpendPermissions.SpendPermission memory b = permission();
        b.salt = 2;
        ISpendPermissions.SpendPermission memory signedOnly = permission();
        signedOnly.salt = 3;
        bytes memory pending = sign(OWNER_KEY, signedOnly);
        approved(a);
        approved(b);
        vm.prank(owner);
        assertEq(manager.killAll(), 1, "epoch 1");
        assertFalse(manager.isValid(a), "a is dead");
        assertFalse(manager.isValid(b), "b is dead");
        vm.expectRevert(abi.encodeWithSelector(ISpendPermissions.SpendPermissionKilled.selector, owner, 0, 1));
        spendAs(agent, a, provider, 1e6);
        vm.expectRevert(abi.encodeWithSelector(ISpendPermissions.SpendPermissionKilled.selector, owner, 0, 1));
        spendAs(agent, b, provider, 1e6);
        // The agent kept a signed permission it never submitted: it is dead too.
        vm.expectRevert(abi.encodeWithSelector(ISpendPermissions.SpendPermissionKilled.selector, owner, 0, 1));
        manager.approveWithSignature(signedOnly, pending);
        assertEq(token.balanceOf(owner), OWNER_FUNDS, "nothing moved");

        // The owner starts over with a permission of the new epoch.
        ISpendPermissions.SpendPermission memory fresh = permission();
        approved(fresh);
        spendAs(agent, fresh, provider, 1e6);
        assertEq(token.balanceOf(provider), 1e6, "the new permission works");
    }

    function test_killSwitchOfAnotherAccountChangesNothing() public {
        ISpendPermissions.SpendPermission memory p = permission();
        approved(p);
        vm.prank(mallory);
        manager.killAll();
        spendAs(agent, p, provider, 1e6);
        assertEq(manager.epochOf(owner), 0, "the owner's epoch is untouched");
    }

    // ------------------------------------------------------------------ forged approvals and stolen keys

    function test_signatureBySomeoneElseIsRefused() public {
        ISpendPermissions.SpendPermission memory p = permission();
        bytes32 hash = manager.getHash(p);
        bytes memory forged = sign(MALLORY_KEY, p);
        vm.expectRevert(abi.encodeWithSelector(ISpendPermissions.SpendInvalidSignature.selector, owner, hash));
        manager.approveWithSignature(p, forged);
        bytes memory byAgent = sign(AGENT_KEY, p);
        vm.expectRevert(abi.encodeWithSelector(ISpendPermissions.SpendInvalidSignature.selector, owner, hash));
        manager.approveWithSignature(p, byAgent);
        assertFalse(manager.isApproved(p), "not approved");
    }

    function test_signatureForOtherTermsDoesNotCarryOver() public {
        ISpendPermissions.SpendPermission memory p = permission();
        bytes memory signature = sign(OWNER_KEY, p);
        p.allowance = 1_000e6; // the agent raises its own allowance
        vm.expectRevert(
            abi.encodeWithSelector(ISpendPermissions.SpendInvalidSignature.selector, owner, manager.getHash(p))
        );
        manager.approveWithSignature(p, signature);
        ISpendPermissions.SpendPermission memory q = permission();
        q.extraData = terms(1_000e6, 0, true, new address[](0)); // or its per-call maximum
        vm.expectRevert(
            abi.encodeWithSelector(ISpendPermissions.SpendInvalidSignature.selector, owner, manager.getHash(q))
        );
        manager.approveWithSignature(q, signature);
    }

    function test_onlyTheSpenderSpends() public {
        ISpendPermissions.SpendPermission memory p = permission();
        approved(p);
        vm.expectRevert(abi.encodeWithSelector(ISpendPermissions.SpendNotSpender.selector, mallory, agent));
        spendAs(mallory, p, provider, 1e6);
        vm.expectRevert(abi.encodeWithSelector(ISpendPermissions.SpendNotSpender.selector, owner, agent));
        spendAs(owner, p, provider, 1e6);
    }

    function test_sessionKeyCannotSpendForAnotherAccount() public {
        ISpendPermissions.SpendPermission memory p = permission();
        approved(p);
        // Mallory also funded the manager; the agent rewrites the permission to her account.
        mint(mallory, 100e6);
        vm.prank(mallory);
        token.approve(address(manager), type(uint256).max);
        p.account = mallory;
        bytes32 hash = manager.getHash(p);
        vm.expectRevert(abi.encodeWithSelector(ISpendPermissions.SpendPermissionNotApproved.selector, hash));
        spendAs(agent, p, provider, 1e6);
        assertEq(token.balanceOf(mallory), 100e6, "mallory keeps hers");
    }

    function test_unapprovedPermissionIsRefused() public {
        ISpendPermissions.SpendPermission memory p = permission();
        bytes32 hash = manager.getHash(p);
        vm.expectRevert(abi.encodeWithSelector(ISpendPermissions.SpendPermissionNotApproved.selector, hash));
        spendAs(agent, p, provider, 1e6);
    }

    function test_zeroSpendIsRefused() public {
        ISpendPermissions.SpendPermission memory p = permission();
        approved(p);
        vm.expectRevert(ISpendPermissions.SpendZeroValue.selector);
        spendAs(agent, p, provider, 0);
    }

    // ------------------------------------------------------------------ bad permissions

    function test_badFieldsAreRefusedByName() public {
        ISpendPermissions.SpendPermission memory p = permission();
        p.token = address(0);
        vm.expectRevert(ISpendPermissions.SpendZeroToken.selector);
        vm.prank(owner);
        manager.approve(p);

        p = permission();
        p.spender = address(0);
        vm.expectRevert(ISpendPermissions.SpendZeroSpender.selector);
        vm.prank(owner);
        manager.approve(p);

        p = permission();
        p.allowance = 0;
        vm.expectRevert(ISpendPermissions.SpendZeroAllowance.selector);
        vm.prank(owner);
        manager.approve(p);

        p = permission();
        p.period = 0;
        vm.expectRevert(ISpendPermissions.SpendZeroPeriod.selector);
        vm.prank(owner);
        manager.approve(p);

        p = permission();
        p.end = p.start;
        vm.expectRevert(abi.encodeWithSelector(ISpendPermissions.SpendInvalidStartEnd.selector, p.start, p.end));
        vm.prank(owner);
        manager.approve(p);
    }

    function test_malformedTermsAreRefused() public {
        ISpendPermissions.SpendPermission memory p = permission();
        p.extraData = hex"1234";
        vm.expectRevert(abi.encodeWithSelector(ISpendPermissions.SpendBadTerms.selector, manager.getHash(p)));
        vm.prank(owner);
        manager.approve(p);

        p.extraData = terms(0, 0, true, new address[](0));
        vm.expectRevert(abi.encodeWithSelector(ISpendPermissions.SpendBadTerms.selector, manager.getHash(p)));
        vm.prank(owner);
        manager.approve(p);
    }

    function test_onlyTheAccountApprovesDirectly() public {
        ISpendPermissions.SpendPermission memory p = permission();
        vm.expectRevert(abi.encodeWithSelector(ISpendPermissions.SpendNotAccount.selector, agent, owner));
        vm.prank(agent);
        manager.approve(p);
    }

    // ------------------------------------------------------------------ a token that calls back

    function test_reentrantTokenCannotSpendTwiceOverTheLimit() public {
        ReenteringSpendToken evil = new ReenteringSpendToken();
        evil.mint(owner, 100e6);
        vm.prank(owner);
        evil.approve(address(manager), type(uint256).max);
        ISpendPermissions.SpendPermission memory p = permission();
        p.token = address(evil);
        p.spender = address(evil); // the token itself holds the session key
        approved(p);
        evil.arm(manager, p, provider, 2e6);
        vm.prank(address(evil));
        manager.spend(p, provider, 2e6);
        assertTrue(evil.attempted(), "the token called back");
        assertFalse(evil.reentered(), "the nested spend was refused");
        assertEq(evil.balanceOf(provider), 2e6, "one spend only");
        assertEq(manager.getCurrentPeriod(p).spend, 2e6, "recorded once");
    }

    function test_permissionsOfAnotherManagerDoNotApplyHere() public {
        ISpendPermissions.SpendPermission memory p = permission();
        bytes memory signature = sign(OWNER_KEY, p);
        SpendPermissions other = new SpendPermissions(IProviderRegistry(address(registry)));
        vm.expectRevert(
            abi.encodeWithSelector(ISpendPermissions.SpendInvalidSignature.selector, owner, other.getHash(p))
        );
        other.approveWithSignature(p, signature);
    }
}
