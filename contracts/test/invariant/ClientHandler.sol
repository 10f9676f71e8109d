// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {TestBase} from "../utils/TestBase.sol";
import {Ledger} from "./Ledger.sol";
import {Escrow} from "../../src/Escrow.sol";
import {TrellisToken} from "../../src/TrellisToken.sol";
import {IEscrow} from "../../src/interfaces/IEscrow.sol";

/// @title ClientHandler
/// @notice Clients deposit, request and complete withdrawals, and sign vouchers.
contract ClientHandler is TestBase {
    Ledger internal immutable ledger;
    Escrow internal immutable escrow;
    TrellisToken internal immutable token;

    mapping(address client => uint256) public ghost_deposited;
    mapping(address client => uint256) public ghost_withdrawn;
    uint256 public ghost_vouchersSigned;

    constructor(Ledger ledger_, Escrow escrow_, TrellisToken token_) {
        ledger = ledger_;
        escrow = escrow_;
        token = token_;
    }

    function _client(uint256 seed) internal view returns (address client, uint256 key) {
        uint256 i = seed % ledger.clientCount();
        return (ledger.clients(i), ledger.clientKeys(i));
    }

    function deposit(uint256 seed, uint256 amount) external {
        (address client,) = _client(seed);
        amount = bound(amount, 1, 500e6);
        token.faucet(client, amount);
        vm.startPrank(client);
        token.approve(address(escrow), amount);
        escrow.deposit(amount);
        vm.stopPrank();
        ghost_deposited[client] += amount;
    }

    /// @dev Starting at `seed`, the first client for which `ready` holds (so sequences that
    ///      need a prior step reach their last step often).
    function _clientWith(uint256 seed, function(address) internal view returns (bool) ready)
        internal
        view
        returns (address)
    {
        uint256 count = ledger.clientCount();
        for (uint256 k; k < count; ++k) {
            address client = ledger.clients((seed % count + k) % count);
            if (ready(client)) return client;
        }
        return address(0);
    }

    function _hasBalance(address client) internal view returns (bool) {
        return escrow.balanceOf(client) != 0;
    }

    function _hasRequest(address client) internal view returns (bool) {
        return escrow.pendingWithdrawal(client).amount != 0;
    }

    function requestWithdrawal(uint256 seed, uint256 amount) external {
        address client = _clientWith(seed, _hasBalance);
        if (client == address(0)) return;
        uint256 balance = escrow.balanceOf(client);
        amount = bound(amount, 1, balance);
        vm.prank(client);
        escrow.requestWithdrawal(amount);
    }

    function completeWithdrawal(uint256 seed, uint256 waitTime) external {
        address client = _clientWith(seed, _hasRequest);
        if (client == address(0)) return;
        IEscrow.WithdrawalRequest memory request = escrow.pendingWithdrawal(client);
        vm.warp(block.timestamp + bound(waitTime, 0, 2 days));
        if (block.timestamp < request.readyAt) return;
        // An expired request is dead: the client asks again instead.
        if (block.timestamp > request.expiresAt) {
            uint256 balance = escrow.balanceOf(client);
            if (balance == 0) return;
            vm.prank(client);
            escrow.requestWithdrawal(request.amount < balance ? request.amount : balance);
            return;
        }
        uint256 before = token.balanceOf(client);
        vm.prank(client);
        escrow.withdraw();
        ghost_withdrawn[client] += token.balanceOf(client) - before;
    }

    /// @notice The client raises the cumulative amount on one of its channels and signs it.
    ///         Model ids include one nobody published, to cover unknown models.
    function signVoucher(uint256 clientSeed, uint256 providerSeed, uint256 modelSeed, uint256 increment) external {
        (address client, uint256 key) = _client(clientSeed);
        address provider = ledger.providers(providerSeed % ledger.providerCount());
        uint256 modelCount = ledger.modelCount();
        bytes32 modelId = modelSeed % (modelCount + 1) == modelCount
            ? keccak256("unpublished model")
            : ledger.modelIds(modelSeed % (modelCount + 1));
        bytes32 channel = escrow.channelId(client, provider, modelId);
        uint256 cumulative = ledger.maxSigned(channel) + bound(increment, 1, 50e6);
        IEscrow.Voucher memory voucher = IEscrow.Voucher(client, provider, modelId, cumulative);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, escrow.hashVoucher(voucher));
        ledger.recordVoucher(channel, voucher, abi.encodePacked(r, s, v));
        ++ghost_vouchersSigned;
    }
}
