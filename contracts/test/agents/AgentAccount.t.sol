// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {AccountSetup} from "./AccountSetup.sol";
import {PlainWallet} from "./PlainWallet.sol";
import {ReplayingHookWallet} from "./ReplayingHookWallet.sol";
import {AgentAccount} from "../../src/agents/AgentAccount.sol";
import {IAgentAccount} from "../../src/interfaces/IAgentAccount.sol";
import {IAgentAccounts} from "../../src/interfaces/IAgentAccounts.sol";
import {ISpendPermissions} from "../../src/interfaces/ISpendPermissions.sol";
import {ITrellisToken} from "../../src/interfaces/ITrellisToken.sol";

/// @title AgentAccountTest
/// @notice The session key of an agent account, in a thief's hands: whatever it signs and
///         whoever submits it, the owner pays only allowed payees, at most the per-call
///         maximum and the period's allowance, and nothing after a revoke or the kill switch.
contract AgentAccountTest is AccountSetup {
    address internal thief;

    function setUp() public {
        setUpAccount();
        thief = agent; // the thief holds the agent's session key
    }

    function _ownerLost() internal view returns (uint256) {
        return OWNER_FUNDS - token.balanceOf(owner);
    }

    // ------------------------------------------------------------------ the honest path

    function test_sessionKeyPaysAllowedPayeesFromTheOwnersWallet() public {
        settle(provider, 2e6, bytes32(uint256(1)), authorize(AGENT_KEY, provider, 2e6, bytes32(uint256(1))));
        settle(service, 1e6, bytes32(uint256(2)), authorize(AGENT_KEY, service, 1e6, bytes32(uint256(2))));
        assertEq(_ownerLost(), 3e6, "owner paid 3");
        assertEq(token.balanceOf(provider), 2e6, "provider paid");
        assertEq(token.balanceOf(service), 1e6, "service paid");
        assertEq(token.balanceOf(address(account)), 0, "the account keeps no float");
        assertEq(token.balanceOf(agent), 0, "the session key holds nothing");
        assertEq(manager.getCurrentPeriod(accountPermission).spend, 3e6, "period total");
        assertTrue(token.authorizationState(address(account), bytes32(uint256(1))), "nonce used");
    }

    function test_accountReportsItsConfiguration() public view {
        IAgentAccount.Config memory c = account.config();
        assertEq(address(c.manager), address(manager), "manager");
        assertEq(c.sessionKey, agent, "session key");
        assertEq(c.permission.account, owner, "owner");
        assertEq(c.permission.spender, address(account), "the account spends");
        assertEq(manager.getHash(c.permission), manager.getHash(accountPermission), "the permission approved");
        assertTrue(manager.isValid(accountPermission), "approved at creation");
    }

    // ------------------------------------------------------------------ the thief's moves

    function test_thiefCannotPayItself() public {
        bytes memory sig = authorize(AGENT_KEY, thief, 1e6, bytes32(uint256(1)));
        vm.expectRevert(abi.encodeWithSelector(ISpendPermissions.SpendPayeeNotAllowed.selector, thief));
        settle(thief, 1e6, bytes32(uint256(1)), sig);
        assertEq(_ownerLost(), 0, "nothing moved");
        assertFalse(token.authorizationState(address(account), bytes32(uint256(1))), "the nonce is still unused");
    }

    function test_thiefCannotPayAnUnlistedAddress() public {
        bytes memory sig = authorize(AGENT_KEY, stranger, 1e6, bytes32(uint256(1)));
        vm.expectRevert(abi.encodeWithSelector(ISpendPermissions.SpendPayeeNotAllowed.selector, stranger));
        settle(stranger, 1e6, bytes32(uint256(1)), sig);
        assertEq(token.balanceOf(stranger), 0, "nothing moved");
    }

    function test_thiefCannotPayTheAccountItself() public {
        bytes memory sig = authorize(AGENT_KEY, address(account), 1e6, bytes32(uint256(1)));
        vm.expectRevert(abi.encodeWithSelector(ISpendPermissions.SpendPayeeNotAllowed.selector, address(account)));
        settle(address(account), 1e6, bytes32(uint256(1)), sig);
        assertEq(_ownerLost(), 0, "nothing moved");
    }

    function test_thiefCannotExceedMaxPerCall() public {
        bytes memory sig = authorize(AGENT_KEY, provider, 2e6 + 1, bytes32(uint256(1)));
        vm.expectRevert(abi.encodeWithSelector(ISpendPermissions.SpendAboveMaxPerCall.selector, 2e6 + 1, 2e6));
        settle(provider, 2e6 + 1, bytes32(uint256(1)), sig);
        assertEq(_ownerLost(), 0, "nothing moved");
    }

    function test_thiefCannotExceedThePeriodOverSeveralCalls() public {
        for (uint256 i = 1; i <= 5; ++i) {
            settle(provider, 2e6, bytes32(i), authorize(AGENT_KEY, provider, 2e6, bytes32(i)));
        }
        bytes memory sig = authorize(AGENT_KEY, provider, 1, bytes32(uint256(6)));
        vm.expectRevert(abi.encodeWithSelector(ISpendPermissions.SpendLimitExceeded.selector, 1, 0));
        settle(provider, 1, bytes32(uint256(6)), sig);
        assertEq(_ownerLost(), 10e6, "one period's allowance, nothing more");
        // The next period pays again, from zero.
        vm.warp(block.timestamp + 1 days);
        settle(provider, 1, bytes32(uint256(6)), authorize(AGENT_KEY, provider, 1, bytes32(uint256(6))));
        assertEq(_ownerLost(), 10e6 + 1, "the next period");
    }

    function test_thiefCannotReplayAnAuthorization() public {
        bytes memory sig = authorize(AGENT_KEY, provider, 1e6, bytes32(uint256(1)));
        settle(provider, 1e6, bytes32(uint256(1)), sig);
        vm.expectRevert(
            abi.encodeWithSelector(ITrellisToken.TokenAuthorizationUsed.selector, address(account), bytes32(uint256(1)))
        );
        settle(provider, 1e6, bytes32(uint256(1)), sig);
        assertEq(_ownerLost(), 1e6, "paid once");
    }

    function test_thiefCannotPayAfterRevoke() public {
        bytes memory sig = authorize(AGENT_KEY, provider, 1e6, bytes32(uint256(1)));
        vm.prank(owner);
        manager.revoke(accountPermission);
        vm.expectRevert(
            abi.encodeWithSelector(
                ISpendPermissions.SpendPermissionIsRevoked.selector, manager.getHash(accountPermission)
            )
        );
        settle(provider, 1e6, bytes32(uint256(1)), sig);
        assertEq(_ownerLost(), 0, "nothing moved");
    }

    function test_thiefCannotPayAfterTheKillSwitch() public {
        bytes memory sig = authorize(AGENT_KEY, provider, 1e6, bytes32(uint256(1)));
        vm.prank(owner);
        manager.killAll();
        vm.expectRevert(abi.encodeWithSelector(ISpendPermissions.SpendPermissionKilled.selector, owner, 0, 1));
        settle(provider, 1e6, bytes32(uint256(1)), sig);
        assertEq(_ownerLost(), 0, "nothing moved");
    }

    function test_thiefCannotPayAfterTheEnd() public {
        vm.warp(accountPermission.end);
        bytes memory sig = authorize(AGENT_KEY, provider, 1e6, bytes32(uint256(1)));
        vm.expectRevert(
            abi.encodeWithSelector(
                ISpendPermissions.SpendAfterEnd.selector, accountPermission.end, accountPermission.end
            )
        );
        settle(provider, 1e6, bytes32(uint256(1)), sig);
        assertEq(_ownerLost(), 0, "nothing moved");
    }

    function test_thiefCannotCallTheHookDirectly() public {
        vm.prank(thief);
        vm.expectRevert(abi.encodeWithSelector(IAgentAccount.AccountNotToken.selector, thief, address(token)));
        account.onAuthorizedTransfer(thief, 1e6, bytes32(uint256(1)));
        vm.prank(thief);
        vm.expectRevert(abi.encodeWithSelector(IAgentAccount.AccountNotToken.selector, thief, address(token)));
        account.onAuthorizedTransfer(provider, 1e6, bytes32(uint256(1)));
        assertEq(_ownerLost(), 0, "nothing moved");
    }

    function test_thiefCannotSpendWithTheKeyDirectly() public {
        vm.prank(thief);
        vm.expectRevert(abi.encodeWithSelector(ISpendPermissions.SpendNotSpender.selector, thief, address(account)));
        manager.spend(accountPermission, thief, 1e6);
        vm.prank(thief);
        vm.expectRevert(abi.encodeWithSelector(ISpendPermissions.SpendNotSpender.selector, thief, address(account)));
        manager.spendThrough(accountPermission, provider, 1e6);
        assertEq(_ownerLost(), 0, "nothing moved");
    }

    function test_frontRunnerCannotRedirectTheFacilitatorsAuthorization() public {
        bytes32 nonce = bytes32(uint256(7));
        bytes memory sig = authorize(AGENT_KEY, provider, 1e6, nonce);
        // The same signature with another payee: the digest differs, so it is no signature.
        vm.prank(thief);
        vm.expectRevert(abi.encodeWithSelector(ITrellisToken.TokenInvalidSignature.selector, address(account)));
        token.transferWithAuthorization(address(account), service, 1e6, 0, block.timestamp + 120, nonce, sig);
        // Or with the fields inside the signature changed too: the session key never signed it.
        bytes memory forged = abi.encodePacked(
            bytes1(0x01), abi.encode(service, 1e6, 0, block.timestamp + 120, nonce, _innerSignature(sig))
        );
        vm.prank(thief);
        vm.expectRevert(abi.encodeWithSelector(ITrellisToken.TokenInvalidSignature.selector, address(account)));
        token.transferWithAuthorization(address(account), service, 1e6, 0, block.timestamp + 120, nonce, forged);
        // The facilitator still settles the real one; a front-run with it only pays the same payee.
        settle(provider, 1e6, nonce, sig);
        assertEq(token.balanceOf(provider), 1e6, "the provider is paid");
        assertEq(_ownerLost(), 1e6, "once");
    }

    function test_sessionKeySignsForTheAccountOnlyTokenTransfers() public {
        // A bare 65-byte signature by the session key is not the account's.
        bytes32 digest = transferDigest(address(account), provider, 1e6, block.timestamp + 120, bytes32(uint256(1)));
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(AGENT_KEY, digest);
        assertEq(account.isValidSignature(digest, abi.encodePacked(r, s, v)), bytes4(0xffffffff), "bare signature");
        // Nor is a wrapped one over any digest but a transfer's from the account: a spend
        // permission with the account as its account, say.
        ISpendPermissions.SpendPermission memory p = permissionWith(10e6, 2e6, true, new address[](0));
        p.account = address(account);
        p.spender = thief;
        bytes32 hash = manager.getHash(p);
        (v, r, s) = vm.sign(AGENT_KEY, hash);
        bytes memory wrapped = abi.encodePacked(
            bytes1(0x01), abi.encode(thief, 1e6, 0, block.timestamp + 120, hash, abi.encodePacked(r, s, v))
        );
        vm.expectRevert(
            abi.encodeWithSelector(ISpendPermissions.SpendInvalidSignature.selector, address(account), hash)
        );
        manager.approveWithSignature(p, wrapped);
        // Nor with the owner's kind byte.
        vm.expectRevert(
            abi.encodeWithSelector(ISpendPermissions.SpendInvalidSignature.selector, address(account), hash)
        );
        manager.approveWithSignature(p, abi.encodePacked(bytes1(0x02), r, s, v));
        // Nor can it cancel the agent's authorizations.
        bytes32 cancelDigest = keccak256(
            abi.encodePacked(
                "\x19\x01",
                token.DOMAIN_SEPARATOR(),
                keccak256(abi.encode(token.CANCEL_AUTHORIZATION_TYPEHASH(), address(account), bytes32(uint256(1))))
            )
        );
        (v, r, s) = vm.sign(AGENT_KEY, cancelDigest);
        vm.expectRevert(abi.encodeWithSelector(ITrellisToken.TokenInvalidSignature.selector, address(account)));
        token.cancelAuthorization(address(account), bytes32(uint256(1)), abi.encodePacked(bytes1(0x02), r, s, v));
    }

    function test_ownerSignsForItsAccount() public view {
        bytes32 digest = keccak256("anything the owner agrees to");
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(OWNER_KEY, digest);
        assertEq(
            account.isValidSignature(digest, abi.encodePacked(bytes1(0x02), r, s, v)),
            account.isValidSignature.selector,
            "the owner's signature"
        );
        (v, r, s) = vm.sign(MALLORY_KEY, digest);
        assertEq(
            account.isValidSignature(digest, abi.encodePacked(bytes1(0x02), r, s, v)),
            bytes4(0xffffffff),
            "not mallory's"
        );
        assertEq(account.isValidSignature(digest, hex"02"), bytes4(0xffffffff), "too short");
    }

    function test_anOwnerSignedTransferStillKeepsTheLimits() public {
        bytes32 nonce = bytes32(uint256(1));
        uint256 validBefore = block.timestamp + 120;
        (uint8 v, bytes32 r, bytes32 s) =
            vm.sign(OWNER_KEY, transferDigest(address(account), stranger, 1e6, validBefore, nonce));
        vm.expectRevert(abi.encodeWithSelector(ISpendPermissions.SpendPayeeNotAllowed.selector, stranger));
        settle(stranger, 1e6, nonce, abi.encodePacked(bytes1(0x02), r, s, v));
    }

    function test_strayTokensInTheAccountAreTheOwnersOnly() public {
        mint(address(account), 5e6);
        // A payment still pulls its whole value from the owner: the stray tokens pay nothing.
        settle(provider, 2e6, bytes32(uint256(1)), authorize(AGENT_KEY, provider, 2e6, bytes32(uint256(1))));
        assertEq(_ownerLost(), 2e6, "the owner paid the call");
        assertEq(token.balanceOf(address(account)), 5e6, "the stray tokens stay");
        vm.prank(thief);
        vm.expectRevert(abi.encodeWithSelector(IAgentAccount.AccountNotOwner.selector, thief, owner));
        account.recover(address(token), thief, 5e6);
        vm.prank(owner);
        account.recover(address(token), owner, 5e6);
        assertEq(token.balanceOf(address(account)), 0, "recovered");
        assertEq(token.balanceOf(owner), OWNER_FUNDS - 2e6 + 5e6, "the owner holds them");
    }

    // ------------------------------------------------------------------ spendThrough and the factory

    function test_spendThroughRefusesAKeySpender() public {
        ISpendPermissions.SpendPermission memory p = permission();
        approved(p);
        vm.prank(agent);
        vm.expectRevert(abi.encodeWithSelector(ISpendPermissions.SpendThroughNotContract.selector, agent));
        manager.spendThrough(p, provider, 1e6);
        // Nor a key that delegated its code with EIP-7702: its key chooses the code.
        vm.etch(agent, abi.encodePacked(hex"ef0100", address(account)));
        vm.prank(agent);
        vm.expectRevert(abi.encodeWithSelector(ISpendPermissions.SpendThroughNotContract.selector, agent));
        manager.spendThrough(p, provider, 1e6);
        assertEq(_ownerLost(), 0, "nothing moved");
    }

    function test_factoryRefusesAPermissionForAnotherSpender() public {
        ISpendPermissions.SpendPermission memory p = permission();
        address expected = accounts.accountAddress(agent, p);
        bytes memory signature = sign(OWNER_KEY, p);
        vm.expectRevert(abi.encodeWithSelector(IAgentAccounts.AccountsWrongSpender.selector, agent, expected));
        accounts.create(agent, p, signature);
        vm.expectRevert(IAgentAccounts.AccountsZeroSessionKey.selector);
        accounts.create(address(0), p, signature);
    }

    function test_nobodyPutsAnotherSessionKeyAtTheOwnersAccount() public {
        // Mallory's key with the owner's permission gives another address, which the
        // permission does not name.
        address other = accounts.accountAddress(mallory, accountPermission);
        assertTrue(other != address(account), "another key, another account");
        bytes memory signature = sign(OWNER_KEY, accountPermission);
        vm.expectRevert(abi.encodeWithSelector(IAgentAccounts.AccountsWrongSpender.selector, address(account), other));
        accounts.create(mallory, accountPermission, signature);
        // The same creation again is a no-op that returns the same account.
        assertEq(accounts.create(agent, accountPermission, signature), address(account), "same");
    }

    function test_aPermissionNotSignedByTheOwnerCreatesNothing() public {
        ISpendPermissions.SpendPermission memory p = permissionWith(10e6, 2e6, true, new address[](0));
        p.salt = 99;
        p.spender = accounts.accountAddress(agent, p);
        bytes memory bad = sign(MALLORY_KEY, p);
        vm.expectRevert(
            abi.encodeWithSelector(ISpendPermissions.SpendInvalidSignature.selector, owner, manager.getHash(p))
        );
        accounts.create(agent, p, bad);
        assertEq(p.spender.code.length, 0, "no account");
    }

    function test_contractWalletsWithoutTheHookPayAsBefore() public {
        PlainWallet wallet = new PlainWallet(mallory);
        mint(address(wallet), 1e6);
        bytes32 nonce = bytes32(uint256(1));
        (uint8 v, bytes32 r, bytes32 s) =
            vm.sign(MALLORY_KEY, transferDigest(address(wallet), stranger, 1e6, block.timestamp + 120, nonce));
        token.transferWithAuthorization(
            address(wallet), stranger, 1e6, 0, block.timestamp + 120, nonce, abi.encodePacked(r, s, v)
        );
        assertEq(token.balanceOf(stranger), 1e6, "paid without a hook");
    }

    function test_aHookCannotSpendTheAuthorizationBeingSettledAgain() public {
        ReplayingHookWallet wallet = new ReplayingHookWallet(token, mallory);
        mint(address(wallet), 2e6);
        bytes32 nonce = bytes32(uint256(1));
        uint256 validBefore = block.timestamp + 120;
        (uint8 v, bytes32 r, bytes32 s) =
            vm.sign(MALLORY_KEY, transferDigest(address(wallet), stranger, 1e6, validBefore, nonce));
        bytes memory signature = abi.encodePacked(r, s, v);
        wallet.arm(
            abi.encodeWithSignature(
                "transferWithAuthorization(address,address,uint256,uint256,uint256,bytes32,bytes)",
                address(wallet),
                stranger,
                1e6,
                0,
                validBefore,
                nonce,
                signature
            )
        );
        token.transferWithAuthorization(address(wallet), stranger, 1e6, 0, validBefore, nonce, signature);
        assertEq(wallet.hookCalls(), 1, "the hook ran once");
        assertFalse(wallet.replayWentThrough(), "the nonce was used before the hook ran");
        assertEq(token.balanceOf(stranger), 1e6, "paid once");
    }

    function _innerSignature(bytes memory wrapped) internal pure returns (bytes memory inner) {
        bytes memory body = new bytes(wrapped.length - 1);
        for (uint256 i = 1; i < wrapped.length; ++i) {
            body[i - 1] = wrapped[i];
        }
        (,,,,, inner) = abi.decode(body, (address, uint256, uint256, uint256, bytes32, bytes));
    }
}
