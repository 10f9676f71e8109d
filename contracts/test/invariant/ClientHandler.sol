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
    /// @notice A withdrawal paid `paid` where the escrow's rules give `expected`.
    error WithdrawalOffRules(address client, uint256 paid, uint256 expected);

    /// @dev The notice and window of the Fixture's parameters (none of the handlers changes them).
    uint256 internal constant WITHDRAWAL_NOTICE = 1 days;
    uint256 internal constant WITHDRAWAL_WINDOW = 7 days;

    Ledger internal immutable ledger;
    Escrow internal immutable escrow;
    TrellisToken internal immutable token;

    mapping(address client => uint256) public ghost_deposited;
    mapping(address client => uint256) public ghost_withdrawn;
    uint256 public ghost_vouchersSigned;
    /// @dev Withdrawals that paid something.
    uint256 public ghost_withdrawals;
    /// @dev Each client's pending request as the handler made it.
    mapping(address client => IEscrow.WithdrawalRequest) public ghost_request;

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
        // Of the order of a few vouchers, so balances run short and redemptions pay in part.
        _deposit(client, bound(amount, 1, 100e6));
    }

    function _deposit(address client, uint256 amount) internal {
        token.faucet(client, amount);
        vm.startPrank(client);
        token.approve(address(escrow), amount);
        escrow.deposit(amount);
        vm.stopPrank();
        ghost_deposited[client] += amount;
        ledger.bookDeposit(client, amount);
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
        return ledger.ghost_balance(client) != 0;
    }

    function _hasRequest(address client) internal view returns (bool) {
        return ghost_request[client].amount != 0;
    }

    function requestWithdrawal(uint256 seed, uint256 amount) external {
        address client = _clientWith(seed, _hasBalance);
        if (client == address(0)) return;
        _request(client, bound(amount, 1, ledger.ghost_balance(client)));
    }

    function _request(address client, uint256 amount) internal {
        vm.prank(client);
        escrow.requestWithdrawal(amount);
        uint256 readyAt = block.timestamp + WITHDRAWAL_NOTICE;
        ghost_request[client] = IEscrow.WithdrawalRequest({
            amount: amount, readyAt: uint64(readyAt), expiresAt: uint64(readyAt + WITHDRAWAL_WINDOW)
        });
    }

    /// @notice Waits out the notice of a pending request and up to a day past its window, then
    ///         withdraws: it pays the smaller of the request and the balance left after
    ///         redemptions. An expired request is dead: the client asks again instead.
    function completeWithdrawal(uint256 seed, uint256 waitTime) external {
        address client = _clientWith(seed, _hasRequest);
        if (client == address(0)) {
            // Nobody has asked yet: a client with a balance asks for all of it.
            client = _clientWith(seed, _hasBalance);
            if (client != address(0)) _request(client, ledger.ghost_balance(client));
            return;
        }
        IEscrow.WithdrawalRequest memory request = ghost_request[client];
        uint256 from = block.timestamp > request.readyAt ? block.timestamp : request.readyAt;
        vm.warp(from + bound(waitTime, 0, WITHDRAWAL_WINDOW + 1 days));
        uint256 balance = ledger.ghost_balance(client);
        if (block.timestamp > request.expiresAt) {
            delete ghost_request[client];
            if (balance != 0) _request(client, request.amount < balance ? request.amount : balance);
            return;
        }
        uint256 amount = request.amount < balance ? request.amount : balance;
        uint256 before = token.balanceOf(client);
        vm.prank(client);
        escrow.withdraw();
        uint256 got = token.balanceOf(client) - before;
        if (got != amount) revert WithdrawalOffRules(client, got, amount);
        delete ghost_request[client];
        ghost_withdrawn[client] += amount;
        ledger.bookWithdrawal(client, amount);
        if (amount != 0) ++ghost_withdrawals;
    }

    /// @notice The client raises the cumulative amount on one of its channels and signs it,
    ///         topping its balance up by at most the increment first (from nothing, so
    ///         the balance may fall short of the voucher). Model ids include one nobody
    ///         published, to cover unknown models.
    function signVoucher(uint256 clientSeed, uint256 providerSeed, uint256 modelSeed, uint256 increment, uint256 topUp)
        external
    {
        (address client, uint256 key) = _client(clientSeed);
        address provider = ledger.providers(providerSeed % ledger.providerCount());
        uint256 modelCount = ledger.modelCount();
        bytes32 modelId = modelSeed % (modelCount + 1) == modelCount
            ? keccak256("unpublished model")
            : ledger.modelIds(modelSeed % (modelCount + 1));
        bytes32 channel = escrow.channelId(client, provider, modelId);
        increment = bound(increment, 1, 50e6);
        topUp = bound(topUp, 0, increment);
        if (topUp != 0) _deposit(client, topUp);
        uint256 cumulative = ledger.maxSigned(channel) + increment;
        IEscrow.Voucher memory voucher = IEscrow.Voucher(client, provider, modelId, cumulative);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, escrow.hashVoucher(voucher));
        ledger.recordVoucher(channel, voucher, abi.encodePacked(r, s, v));
        ++ghost_vouchersSigned;
    }
}
