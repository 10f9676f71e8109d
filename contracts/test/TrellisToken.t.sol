// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Fixture} from "./utils/Fixture.sol";
import {TrellisToken} from "../src/TrellisToken.sol";
import {ITrellisToken} from "../src/interfaces/ITrellisToken.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";

/// @dev An ERC-1271 wallet that accepts exactly one digest.
contract OneDigestWallet {
    bytes32 public approved;

    function approve(bytes32 digest) external {
        approved = digest;
    }

    function isValidSignature(bytes32 digest, bytes memory) external view returns (bytes4) {
        return digest == approved ? bytes4(0x1626ba7e) : bytes4(0xffffffff);
    }
}

contract TrellisTokenTest is Fixture {
    uint256 internal constant ALICE_KEY = 0xA11CE;
    address internal alice;
    address internal bob = address(0xB0B);

    function setUp() public {
        deploySystem();
        alice = vm.addr(ALICE_KEY);
        mint(alice, 1_000e6);
    }

    // ------------------------------------------------------------------ basics and faucet

    function test_metadata() public view {
        assertEq(token.decimals(), 6, "decimals");
        assertEq(token.name(), "Trellis USD", "name");
        assertEq(token.symbol(), "tUSD", "symbol");
        assertEq(token.faucetChainId(), LOCAL_CHAIN_ID, "faucet chain");
    }

    function test_constructor_mintsInitialSupply() public {
        TrellisToken other = new TrellisToken(0, bob, 123);
        assertEq(other.balanceOf(bob), 123, "initial holder");
        assertEq(other.totalSupply(), 123, "supply");
    }

    function test_faucet_mintsAndEmits() public {
        vm.expectEmit(address(token));
        emit ITrellisToken.FaucetMinted(address(this), bob, 5e6);
        token.faucet(bob, 5e6);
        assertEq(token.balanceOf(bob), 5e6, "minted");
    }

    function test_faucet_revertsAboveCap() public {
        uint256 cap = token.FAUCET_CAP();
        vm.expectRevert(abi.encodeWithSelector(ITrellisToken.TokenFaucetCapExceeded.selector, cap + 1, cap));
        token.faucet(bob, cap + 1);
    }

    function test_faucet_revertsOnOtherChain() public {
        vm.chainId(1);
        vm.expectRevert(abi.encodeWithSelector(ITrellisToken.TokenFaucetDisabled.selector, 1, LOCAL_CHAIN_ID));
        token.faucet(bob, 1);
    }

    function test_faucet_followsConstructorChainId() public {
        TrellisToken mainnetFaucet = new TrellisToken(1, address(0), 0);
        vm.expectRevert(abi.encodeWithSelector(ITrellisToken.TokenFaucetDisabled.selector, LOCAL_CHAIN_ID, 1));
        mainnetFaucet.faucet(bob, 1);
        vm.chainId(1);
        mainnetFaucet.faucet(bob, 1);
        assertEq(mainnetFaucet.balanceOf(bob), 1, "minted on its chain");
    }

    // ------------------------------------------------------------------ permit

    function test_permit_setsAllowance() public {
        uint256 deadline = block.timestamp + 1 hours;
        bytes32 structHash = keccak256(
            abi.encode(
                keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)"),
                alice,
                bob,
                7e6,
                token.nonces(alice),
                deadline
            )
        );
        (uint8 v, bytes32 r, bytes32 s) =
            vm.sign(ALICE_KEY, MessageHashUtils.toTypedDataHash(token.DOMAIN_SEPARATOR(), structHash));
        token.permit(alice, bob, 7e6, deadline, v, r, s);
        assertEq(token.allowance(alice, bob), 7e6, "allowance");
        assertEq(token.nonces(alice), 1, "nonce");
    }

    // ------------------------------------------------------------------ EIP-3009 helpers

    function _digest(
        bytes32 typeHash,
        address from,
        address to,
        uint256 value,
        uint256 afterT,
        uint256 beforeT,
        bytes32 nonce
    ) internal view returns (bytes32) {
        bytes32 structHash = keccak256(abi.encode(typeHash, from, to, value, afterT, beforeT, nonce));
        return MessageHashUtils.toTypedDataHash(token.DOMAIN_SEPARATOR(), structHash);
    }

    function _sign(bytes32 digest) internal pure returns (uint8 v, bytes32 r, bytes32 s) {
        return vm.sign(ALICE_KEY, digest);
    }

    // ------------------------------------------------------------------ transferWithAuthorization

    function test_transferWithAuthorization_movesAndMarksNonce() public {
        bytes32 nonce = keccak256("n1");
        (uint8 v, bytes32 r, bytes32 s) = _sign(
            _digest(token.TRANSFER_WITH_AUTHORIZATION_TYPEHASH(), alice, bob, 10e6, 0, block.timestamp + 60, nonce)
        );
        vm.expectEmit(address(token));
        emit ITrellisToken.AuthorizationUsed(alice, nonce);
        // Any relayer may submit.
        vm.prank(address(0xFACE));
        token.transferWithAuthorization(alice, bob, 10e6, 0, block.timestamp + 60, nonce, v, r, s);
        assertEq(token.balanceOf(bob), 10e6, "payee");
        assertEq(token.balanceOf(alice), 990e6, "payer");
        assertTrue(token.authorizationState(alice, nonce), "nonce used");
    }

    function test_transferWithAuthorization_packedSignature() public {
        bytes32 nonce = keccak256("packed");
        (uint8 v, bytes32 r, bytes32 s) = _sign(
            _digest(token.TRANSFER_WITH_AUTHORIZATION_TYPEHASH(), alice, bob, 1e6, 0, block.timestamp + 60, nonce)
        );
        token.transferWithAuthorization(alice, bob, 1e6, 0, block.timestamp + 60, nonce, abi.encodePacked(r, s, v));
        assertEq(token.balanceOf(bob), 1e6, "payee");
    }

    function test_transferWithAuthorization_revertsOnReplay() public {
        bytes32 nonce = keccak256("n1");
        (uint8 v, bytes32 r, bytes32 s) = _sign(
            _digest(token.TRANSFER_WITH_AUTHORIZATION_TYPEHASH(), alice, bob, 10e6, 0, block.timestamp + 60, nonce)
        );
        token.transferWithAuthorization(alice, bob, 10e6, 0, block.timestamp + 60, nonce, v, r, s);
        vm.expectRevert(abi.encodeWithSelector(ITrellisToken.TokenAuthorizationUsed.selector, alice, nonce));
        token.transferWithAuthorization(alice, bob, 10e6, 0, block.timestamp + 60, nonce, v, r, s);
    }

    function test_transferWithAuthorization_revertsBeforeValidAfter() public {
        uint256 afterT = block.timestamp;
        vm.expectRevert(
            abi.encodeWithSelector(ITrellisToken.TokenAuthorizationNotYetValid.selector, afterT, block.timestamp)
        );
        token.transferWithAuthorization(alice, bob, 1, afterT, afterT + 60, bytes32(0), 27, bytes32(0), bytes32(0));
    }

    function test_transferWithAuthorization_revertsAtValidBefore() public {
        uint256 beforeT = block.timestamp;
        vm.expectRevert(
            abi.encodeWithSelector(ITrellisToken.TokenAuthorizationExpired.selector, beforeT, block.timestamp)
        );
        token.transferWithAuthorization(alice, bob, 1, 0, beforeT, bytes32(0), 27, bytes32(0), bytes32(0));
    }

    function test_transferWithAuthorization_revertsOnWrongSigner() public {
        bytes32 nonce = keccak256("n1");
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(
            0xB0B,
            _digest(token.TRANSFER_WITH_AUTHORIZATION_TYPEHASH(), alice, bob, 10e6, 0, block.timestamp + 60, nonce)
        );
        vm.expectRevert(abi.encodeWithSelector(ITrellisToken.TokenInvalidSignature.selector, alice));
        token.transferWithAuthorization(alice, bob, 10e6, 0, block.timestamp + 60, nonce, v, r, s);
    }

    function test_transferWithAuthorization_revertsOnChangedValue() public {
        bytes32 nonce = keccak256("n1");
        (uint8 v, bytes32 r, bytes32 s) = _sign(
            _digest(token.TRANSFER_WITH_AUTHORIZATION_TYPEHASH(), alice, bob, 10e6, 0, block.timestamp + 60, nonce)
        );
        vm.expectRevert(abi.encodeWithSelector(ITrellisToken.TokenInvalidSignature.selector, alice));
        token.transferWithAuthorization(alice, bob, 11e6, 0, block.timestamp + 60, nonce, v, r, s);
    }

    function test_transferWithAuthorization_revertsOnInsufficientBalance() public {
        bytes32 nonce = keccak256("big");
        (uint8 v, bytes32 r, bytes32 s) = _sign(
            _digest(token.TRANSFER_WITH_AUTHORIZATION_TYPEHASH(), alice, bob, 2_000e6, 0, block.timestamp + 60, nonce)
        );
        vm.expectRevert(abi.encodeWithSelector(IERC20Errors.ERC20InsufficientBalance.selector, alice, 1_000e6, 2_000e6));
        token.transferWithAuthorization(alice, bob, 2_000e6, 0, block.timestamp + 60, nonce, v, r, s);
    }

    function test_transferWithAuthorization_contractSigner() public {
        OneDigestWallet wallet = new OneDigestWallet();
        mint(address(wallet), 5e6);
        bytes32 nonce = keccak256("wallet");
        bytes32 digest = _digest(
            token.TRANSFER_WITH_AUTHORIZATION_TYPEHASH(), address(wallet), bob, 5e6, 0, block.timestamp + 60, nonce
        );
        vm.expectRevert(abi.encodeWithSelector(ITrellisToken.TokenInvalidSignature.selector, address(wallet)));
        token.transferWithAuthorization(address(wallet), bob, 5e6, 0, block.timestamp + 60, nonce, hex"01");
        wallet.approve(digest);
        token.transferWithAuthorization(address(wallet), bob, 5e6, 0, block.timestamp + 60, nonce, hex"01");
        assertEq(token.balanceOf(bob), 5e6, "moved by ERC-1271 signer");
    }

    // ------------------------------------------------------------------ receiveWithAuthorization

    function test_receiveWithAuthorization_byPayee() public {
        bytes32 nonce = keccak256("r1");
        (uint8 v, bytes32 r, bytes32 s) =
            _sign(_digest(token.RECEIVE_WITH_AUTHORIZATION_TYPEHASH(), alice, bob, 3e6, 0, block.timestamp + 60, nonce));
        vm.prank(bob);
        token.receiveWithAuthorization(alice, bob, 3e6, 0, block.timestamp + 60, nonce, v, r, s);
        assertEq(token.balanceOf(bob), 3e6, "payee");
        assertTrue(token.authorizationState(alice, nonce), "nonce used");
    }

    function test_receiveWithAuthorization_packedByPayee() public {
        bytes32 nonce = keccak256("r2");
        (uint8 v, bytes32 r, bytes32 s) =
            _sign(_digest(token.RECEIVE_WITH_AUTHORIZATION_TYPEHASH(), alice, bob, 3e6, 0, block.timestamp + 60, nonce));
        vm.prank(bob);
        token.receiveWithAuthorization(alice, bob, 3e6, 0, block.timestamp + 60, nonce, abi.encodePacked(r, s, v));
        assertEq(token.balanceOf(bob), 3e6, "payee");
    }

    function test_receiveWithAuthorization_revertsForOtherCaller() public {
        vm.expectRevert(abi.encodeWithSelector(ITrellisToken.TokenCallerNotPayee.selector, bob, address(this)));
        token.receiveWithAuthorization(alice, bob, 3e6, 0, block.timestamp + 60, bytes32(0), 27, bytes32(0), bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(ITrellisToken.TokenCallerNotPayee.selector, bob, address(this)));
        token.receiveWithAuthorization(alice, bob, 3e6, 0, block.timestamp + 60, bytes32(0), hex"");
    }

    function test_receiveWithAuthorization_rejectsTransferTypeSignature() public {
        // A transfer authorization must not be usable as a receive authorization.
        bytes32 nonce = keccak256("r3");
        (uint8 v, bytes32 r, bytes32 s) = _sign(
            _digest(token.TRANSFER_WITH_AUTHORIZATION_TYPEHASH(), alice, bob, 3e6, 0, block.timestamp + 60, nonce)
        );
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(ITrellisToken.TokenInvalidSignature.selector, alice));
        token.receiveWithAuthorization(alice, bob, 3e6, 0, block.timestamp + 60, nonce, v, r, s);
    }

    // ------------------------------------------------------------------ cancelAuthorization

    function _cancelDigest(bytes32 nonce) internal view returns (bytes32) {
        return MessageHashUtils.toTypedDataHash(
            token.DOMAIN_SEPARATOR(), keccak256(abi.encode(token.CANCEL_AUTHORIZATION_TYPEHASH(), alice, nonce))
        );
    }

    function test_cancelAuthorization_burnsNonce() public {
        bytes32 nonce = keccak256("c1");
        (uint8 v, bytes32 r, bytes32 s) = _sign(_cancelDigest(nonce));
        vm.expectEmit(address(token));
        emit ITrellisToken.AuthorizationCanceled(alice, nonce);
        token.cancelAuthorization(alice, nonce, v, r, s);
        assertTrue(token.authorizationState(alice, nonce), "canceled");

        (v, r, s) =
            _sign(_digest(token.TRANSFER_WITH_AUTHORIZATION_TYPEHASH(), alice, bob, 1, 0, block.timestamp + 60, nonce));
        vm.expectRevert(abi.encodeWithSelector(ITrellisToken.TokenAuthorizationUsed.selector, alice, nonce));
        token.transferWithAuthorization(alice, bob, 1, 0, block.timestamp + 60, nonce, v, r, s);
    }

    function test_cancelAuthorization_packed() public {
        bytes32 nonce = keccak256("c2");
        (uint8 v, bytes32 r, bytes32 s) = _sign(_cancelDigest(nonce));
        token.cancelAuthorization(alice, nonce, abi.encodePacked(r, s, v));
        assertTrue(token.authorizationState(alice, nonce), "canceled");
    }

    function test_cancelAuthorization_revertsWhenUsed() public {
        bytes32 nonce = keccak256("c3");
        (uint8 v, bytes32 r, bytes32 s) = _sign(_cancelDigest(nonce));
        token.cancelAuthorization(alice, nonce, v, r, s);
        vm.expectRevert(abi.encodeWithSelector(ITrellisToken.TokenAuthorizationUsed.selector, alice, nonce));
        token.cancelAuthorization(alice, nonce, v, r, s);
    }

    function test_cancelAuthorization_revertsOnWrongSigner() public {
        bytes32 nonce = keccak256("c4");
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(0xB0B, _cancelDigest(nonce));
        vm.expectRevert(abi.encodeWithSelector(ITrellisToken.TokenInvalidSignature.selector, alice));
        token.cancelAuthorization(alice, nonce, v, r, s);
    }

    // ------------------------------------------------------------------ fuzz

    function testFuzz_transferWithAuthorization_window(uint256 value, uint256 afterT, uint256 beforeT, uint256 atTime)
        public
    {
        value = bound(value, 0, 1_000e6);
        afterT = bound(afterT, 0, 2_000_000_000);
        beforeT = bound(beforeT, 0, 2_000_000_000);
        atTime = bound(atTime, 1, 2_000_000_000);
        bytes32 nonce = keccak256(abi.encode(value, afterT, beforeT));
        (uint8 v, bytes32 r, bytes32 s) =
            _sign(_digest(token.TRANSFER_WITH_AUTHORIZATION_TYPEHASH(), alice, bob, value, afterT, beforeT, nonce));
        vm.warp(atTime);
        if (atTime <= afterT) {
            vm.expectRevert(
                abi.encodeWithSelector(ITrellisToken.TokenAuthorizationNotYetValid.selector, afterT, atTime)
            );
        } else if (atTime >= beforeT) {
            vm.expectRevert(abi.encodeWithSelector(ITrellisToken.TokenAuthorizationExpired.selector, beforeT, atTime));
        }
        token.transferWithAuthorization(alice, bob, value, afterT, beforeT, nonce, v, r, s);
        bool valid = atTime > afterT && atTime < beforeT;
        assertEq(token.balanceOf(bob), valid ? value : 0, "moved only inside the window");
        assertEq(token.authorizationState(alice, nonce), valid, "nonce used only when moved");
    }

    function testFuzz_faucet_cap(uint256 amount) public {
        uint256 cap = token.FAUCET_CAP();
        if (amount > cap) {
            vm.expectRevert(abi.encodeWithSelector(ITrellisToken.TokenFaucetCapExceeded.selector, amount, cap));
        }
        token.faucet(bob, amount);
        assertEq(token.balanceOf(bob), amount > cap ? 0 : amount, "minted atTime most the cap");
    }
}
