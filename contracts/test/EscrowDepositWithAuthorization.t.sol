// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {AccountSetup} from "./agents/AccountSetup.sol";
import {AgentAccount} from "../src/agents/AgentAccount.sol";
import {IAgentAccount} from "../src/interfaces/IAgentAccount.sol";
import {IEscrow} from "../src/interfaces/IEscrow.sol";
import {ISpendPermissions} from "../src/interfaces/ISpendPermissions.sol";
import {ITrellisToken} from "../src/interfaces/ITrellisToken.sol";

/// @title EscrowDepositWithAuthorizationTest
/// @notice Deposits made for a client by whoever submits its signed receive authorization
///         (an x402 payee, for the batched scheme), from an externally owned client and from
///         an agent account whose session key is in a thief's hands: only the signer is
///         credited, only the signer withdraws, nobody front-runs the deposit into a plain
///         transfer, and an agent's deposits keep to its permission.
contract EscrowDepositWithAuthorizationTest is AccountSetup {
    uint256 internal constant CLIENT_KEY = 0xC11E;
    address internal client;
    bytes32 internal modelId = keccak256("model");

    function setUp() public {
        setUpAccount();
        client = vm.addr(CLIENT_KEY);
        mint(client, 100e6);
        // The agent's permission names the escrow as a payee: deposits are spends like any other.
        address[] memory payees = new address[](2);
        payees[0] = service;
        payees[1] = address(escrow);
        vm.warp(block.timestamp + 1);
        account = createAccount(permissionWith(10e6, 5e6, true, payees));
    }

    // ------------------------------------------------------------------ helpers

    function _receiveDigest(address from, address to, uint256 value, uint256 validBefore, bytes32 nonce)
        internal
        view
        returns (bytes32)
    {
        bytes32 structHash = keccak256(
            abi.encode(token.RECEIVE_WITH_AUTHORIZATION_TYPEHASH(), from, to, value, 0, validBefore, nonce)
        );
        return keccak256(abi.encodePacked("\x19\x01", token.DOMAIN_SEPARATOR(), structHash));
    }

    /// @dev An externally owned client's receive authorization to the escrow.
    function _clientReceive(uint256 value, bytes32 nonce) internal view returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) =
            vm.sign(CLIENT_KEY, _receiveDigest(client, address(escrow), value, block.timestamp + 120, nonce));
        return abi.encodePacked(r, s, v);
    }

    /// @dev What the agent's batched client sends: kind 0x03, the fields, `key`'s signature.
    function _accountReceive(uint256 key, address to, uint256 value, bytes32 nonce)
        internal
        view
        returns (bytes memory)
    {
        uint256 validBefore = block.timestamp + 120;
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, _receiveDigest(address(account), to, value, validBefore, nonce));
        return abi.encodePacked(bytes1(0x03), abi.encode(to, value, 0, validBefore, nonce, abi.encodePacked(r, s, v)));
    }

    /// @dev The agent's voucher: kind 0x04, the voucher's fields, `key`'s signature.
    function _accountVoucher(uint256 key, IEscrow.Voucher memory voucher) internal view returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, escrow.hashVoucher(voucher));
        return abi.encodePacked(
            bytes1(0x04),
            abi.encode(
                address(escrow), voucher.provider, voucher.modelId, voucher.cumulativeAmount, abi.encodePacked(r, s, v)
            )
        );
    }

    function _depositFor(address from, uint256 value, bytes32 nonce, bytes memory signature) internal {
        vm.prank(facilitator);
        escrow.depositWithAuthorization(from, value, 0, block.timestamp + 120, nonce, signature);
    }

    function _solvent() internal view {
        assertEq(token.balanceOf(address(escrow)), escrow.totalBalances() + escrow.totalEarnings(), "escrow solvent");
    }

    // ------------------------------------------------------------------ an externally owned client

    function test_anyoneSubmitsTheDepositAndOnlyTheSignerIsCredited() public {
        vm.expectEmit(address(escrow));
        emit IEscrow.Deposited(client, 30e6, 30e6);
        _depositFor(client, 30e6, bytes32(uint256(1)), _clientReceive(30e6, bytes32(uint256(1))));
        assertEq(escrow.balanceOf(client), 30e6, "the signer is credited");
        assertEq(escrow.balanceOf(facilitator), 0, "the submitter is credited nothing");
        assertEq(token.balanceOf(client), 70e6, "the tokens left the signer");
        _solvent();
    }

    function test_submitterCannotCreditItselfOrChangeTheAmount() public {
        bytes memory sig = _clientReceive(30e6, bytes32(uint256(1)));
        vm.prank(facilitator);
        vm.expectRevert(abi.encodeWithSelector(ITrellisToken.TokenInvalidSignature.selector, facilitator));
        escrow.depositWithAuthorization(facilitator, 30e6, 0, block.timestamp + 120, bytes32(uint256(1)), sig);
        vm.prank(facilitator);
        vm.expectRevert(abi.encodeWithSelector(ITrellisToken.TokenInvalidSignature.selector, client));
        escrow.depositWithAuthorization(client, 31e6, 0, block.timestamp + 120, bytes32(uint256(1)), sig);
        assertEq(escrow.totalBalances(), 0, "nothing credited");
        assertEq(token.balanceOf(client), 100e6, "nothing moved");
    }

    function test_frontRunnerCannotTurnTheDepositIntoAnUncreditedTransfer() public {
        bytes memory sig = _clientReceive(30e6, bytes32(uint256(1)));
        // Executed by anyone but the escrow, the receive authorization is refused...
        vm.prank(mallory);
        vm.expectRevert(abi.encodeWithSelector(ITrellisToken.TokenCallerNotPayee.selector, address(escrow), mallory));
        token.receiveWithAuthorization(
            client, address(escrow), 30e6, 0, block.timestamp + 120, bytes32(uint256(1)), sig
        );
        // ...and it is no transfer authorization either.
        vm.prank(mallory);
        vm.expectRevert(abi.encodeWithSelector(ITrellisToken.TokenInvalidSignature.selector, client));
        token.transferWithAuthorization(
            client, address(escrow), 30e6, 0, block.timestamp + 120, bytes32(uint256(1)), sig
        );
        _depositFor(client, 30e6, bytes32(uint256(1)), sig);
        assertEq(escrow.balanceOf(client), 30e6, "the honest submission still credits the client");
    }

    function test_aDepositAuthorizationCountsOnce() public {
        bytes memory sig = _clientReceive(30e6, bytes32(uint256(1)));
        _depositFor(client, 30e6, bytes32(uint256(1)), sig);
        vm.prank(facilitator);
        vm.expectRevert(
            abi.encodeWithSelector(ITrellisToken.TokenAuthorizationUsed.selector, client, bytes32(uint256(1)))
        );
        escrow.depositWithAuthorization(client, 30e6, 0, block.timestamp + 120, bytes32(uint256(1)), sig);
        assertEq(escrow.balanceOf(client), 30e6, "credited once");
    }

    function test_zeroDepositIsRefused() public {
        bytes memory sig = _clientReceive(0, bytes32(uint256(1)));
        vm.expectRevert(abi.encodeWithSelector(IEscrow.EscrowZeroAmount.selector));
        _depositFor(client, 0, bytes32(uint256(1)), sig);
    }

    function test_onlyTheClientWithdrawsWhatWasDepositedForIt() public {
        _depositFor(client, 30e6, bytes32(uint256(1)), _clientReceive(30e6, bytes32(uint256(1))));
        vm.prank(facilitator);
        vm.expectRevert(abi.encodeWithSelector(IEscrow.EscrowInsufficientBalance.selector, facilitator, 0, 30e6));
        escrow.requestWithdrawal(30e6);
        vm.prank(facilitator);
        vm.expectRevert(abi.encodeWithSelector(IEscrow.EscrowNoWithdrawalRequest.selector, facilitator));
        escrow.withdraw();
        vm.prank(client);
        escrow.requestWithdrawal(30e6);
        vm.warp(block.timestamp + WITHDRAWAL_NOTICE);
        vm.prank(client);
        escrow.withdraw();
        assertEq(token.balanceOf(client), 100e6, "the client got its deposit back");
        _solvent();
    }

    // ------------------------------------------------------------------ an agent account, key stolen

    function test_agentDepositIsASpendUnderThePermission() public {
        vm.expectEmit(address(escrow));
        emit IEscrow.Deposited(address(account), 5e6, 5e6);
        _depositFor(
            address(account),
            5e6,
            bytes32(uint256(1)),
            _accountReceive(AGENT_KEY, address(escrow), 5e6, bytes32(uint256(1)))
        );
        assertEq(escrow.balanceOf(address(account)), 5e6, "the account is the escrow's client");
        assertEq(OWNER_FUNDS - token.balanceOf(owner), 5e6, "out of the owner's wallet");
        assertEq(token.balanceOf(address(account)), 0, "the account keeps no float");
        assertEq(manager.getCurrentPeriod(accountPermission).spend, 5e6, "counted in the period");
        _solvent();
    }

    function test_stolenKeyCannotDepositAboveTheMaxPerCall() public {
        bytes memory sig = _accountReceive(AGENT_KEY, address(escrow), 6e6, bytes32(uint256(1)));
        vm.expectRevert(abi.encodeWithSelector(ISpendPermissions.SpendAboveMaxPerCall.selector, 6e6, 5e6));
        _depositFor(address(account), 6e6, bytes32(uint256(1)), sig);
        assertEq(escrow.balanceOf(address(account)), 0, "nothing credited");
        assertEq(token.balanceOf(owner), OWNER_FUNDS, "nothing left the owner");
    }

    function test_stolenKeyCannotDepositBeyondThePeriod() public {
        _depositFor(
            address(account),
            5e6,
            bytes32(uint256(1)),
            _accountReceive(AGENT_KEY, address(escrow), 5e6, bytes32(uint256(1)))
        );
        _depositFor(
            address(account),
            5e6,
            bytes32(uint256(2)),
            _accountReceive(AGENT_KEY, address(escrow), 5e6, bytes32(uint256(2)))
        );
        bytes memory sig = _accountReceive(AGENT_KEY, address(escrow), 1, bytes32(uint256(3)));
        vm.expectRevert(abi.encodeWithSelector(ISpendPermissions.SpendLimitExceeded.selector, 1, 0));
        _depositFor(address(account), 1, bytes32(uint256(3)), sig);
        assertEq(escrow.balanceOf(address(account)), 10e6, "the period's allowance and no more");
        assertEq(OWNER_FUNDS - token.balanceOf(owner), 10e6, "the owner lost the allowance at most");
    }

    function test_stolenKeyCannotRedirectADepositToItself() public {
        // A receive to the thief: only the thief can execute it, and the hook refuses the payee.
        bytes memory sig = _accountReceive(AGENT_KEY, agent, 1e6, bytes32(uint256(1)));
        vm.prank(agent);
        vm.expectRevert(abi.encodeWithSelector(ISpendPermissions.SpendPayeeNotAllowed.selector, agent));
        token.receiveWithAuthorization(address(account), agent, 1e6, 0, block.timestamp + 120, bytes32(uint256(1)), sig);
        // The escrow's deposit credits the signer of the authorization, never the submitter.
        bytes memory toEscrow = _accountReceive(AGENT_KEY, address(escrow), 1e6, bytes32(uint256(2)));
        vm.prank(agent);
        escrow.depositWithAuthorization(address(account), 1e6, 0, block.timestamp + 120, bytes32(uint256(2)), toEscrow);
        assertEq(escrow.balanceOf(agent), 0, "the thief is credited nothing");
        assertEq(escrow.balanceOf(address(account)), 1e6, "the account is");
    }

    function test_stolenKeyCannotDepositIfTheEscrowIsNoPayee() public {
        address[] memory payees = new address[](1);
        payees[0] = service;
        vm.warp(block.timestamp + 1);
        account = createAccount(permissionWith(10e6, 5e6, true, payees));
        bytes memory sig = _accountReceive(AGENT_KEY, address(escrow), 1e6, bytes32(uint256(1)));
        vm.expectRevert(abi.encodeWithSelector(ISpendPermissions.SpendPayeeNotAllowed.selector, address(escrow)));
        _depositFor(address(account), 1e6, bytes32(uint256(1)), sig);
    }

    function test_anotherKeyCannotSignTheAccountsDeposit() public {
        bytes memory sig = _accountReceive(MALLORY_KEY, address(escrow), 1e6, bytes32(uint256(1)));
        vm.expectRevert(abi.encodeWithSelector(ITrellisToken.TokenInvalidSignature.selector, address(account)));
        _depositFor(address(account), 1e6, bytes32(uint256(1)), sig);
    }

    function test_accountVouchersRedeemAndPayOnlyWhatIsSigned() public {
        _depositFor(
            address(account),
            5e6,
            bytes32(uint256(1)),
            _accountReceive(AGENT_KEY, address(escrow), 5e6, bytes32(uint256(1)))
        );
        IEscrow.Voucher memory voucher =
            IEscrow.Voucher({client: address(account), provider: provider, modelId: modelId, cumulativeAmount: 3e6});
        bytes memory sig = _accountVoucher(AGENT_KEY, voucher);
        // The provider claims more than the voucher signs: refused.
        IEscrow.Voucher memory inflated =
            IEscrow.Voucher({client: address(account), provider: provider, modelId: modelId, cumulativeAmount: 5e6});
        bytes32 inflatedDigest = escrow.hashVoucher(inflated);
        vm.prank(provider);
        vm.expectRevert(
            abi.encodeWithSelector(IEscrow.EscrowInvalidSignature.selector, address(account), inflatedDigest)
        );
        escrow.redeem(inflated, sig);
        vm.prank(provider);
        assertEq(escrow.redeem(voucher, sig), 3e6, "paid what is signed");
        assertEq(escrow.balanceOf(address(account)), 2e6, "the rest stays the account's");
        _solvent();
    }

    function test_aVoucherSignatureOfTheKeyIsNoOtherSignature() public view {
        IEscrow.Voucher memory voucher =
            IEscrow.Voucher({client: address(account), provider: provider, modelId: modelId, cumulativeAmount: 3e6});
        bytes memory sig = _accountVoucher(AGENT_KEY, voucher);
        assertEq(account.isValidSignature(escrow.hashVoucher(voucher), sig), bytes4(0x1626ba7e), "the key's voucher");
        // The same body presented for a token transfer digest, or by another key, is refused.
        bytes32 transfer = transferDigest(address(account), provider, 3e6, block.timestamp + 120, bytes32(uint256(1)));
        assertEq(account.isValidSignature(transfer, sig), bytes4(0xffffffff), "not a transfer");
        assertEq(
            account.isValidSignature(escrow.hashVoucher(voucher), _accountVoucher(MALLORY_KEY, voucher)),
            bytes4(0xffffffff),
            "not another key's"
        );
    }

    function test_onlyTheOwnerWithdrawsTheAccountsEscrow() public {
        _depositFor(
            address(account),
            5e6,
            bytes32(uint256(1)),
            _accountReceive(AGENT_KEY, address(escrow), 5e6, bytes32(uint256(1)))
        );
        vm.prank(agent);
        vm.expectRevert(abi.encodeWithSelector(IAgentAccount.AccountNotOwner.selector, agent, owner));
        account.requestEscrowWithdrawal(escrow, 5e6);
        vm.prank(owner);
        account.requestEscrowWithdrawal(escrow, 5e6);
        vm.warp(block.timestamp + WITHDRAWAL_NOTICE);
        vm.prank(agent);
        vm.expectRevert(abi.encodeWithSelector(IAgentAccount.AccountNotOwner.selector, agent, owner));
        account.withdrawEscrow(escrow);
        vm.prank(owner);
        assertEq(account.withdrawEscrow(escrow), 5e6, "withdrawn");
        assertEq(token.balanceOf(owner), OWNER_FUNDS, "back in the owner's wallet");
        assertEq(token.balanceOf(address(account)), 0, "the account keeps nothing");
        _solvent();
    }
}
