// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IEscrow} from "../../src/interfaces/IEscrow.sol";

/// @title Ledger
/// @notice State shared by the invariant handlers: who the actors are, which models exist,
///         and the latest voucher each client signed per channel. Not a fuzz target.
contract Ledger {
    address[] public clients;
    uint256[] public clientKeys;
    address[] public providers;
    address[] public modelOwners;
    bytes32[] public modelIds;

    /// @dev Channels with at least one signed voucher, in first-signed order.
    bytes32[] public channels;
    mapping(bytes32 channel => IEscrow.Voucher) private _latest;
    mapping(bytes32 channel => bytes) private _latestSignature;

    /// @dev Each client's escrow balance as the handlers' actions make it: deposits, less
    ///      withdrawals and redemptions, each computed by the escrow's rules, never read back.
    mapping(address client => uint256) public ghost_balance;
    /// @dev Per channel, what redemptions paid by the same rules.
    mapping(bytes32 channel => uint256) public ghost_redeemed;

    function bookDeposit(address client, uint256 amount) external {
        ghost_balance[client] += amount;
    }

    function bookWithdrawal(address client, uint256 amount) external {
        ghost_balance[client] -= amount;
    }

    /// @notice What redeeming `voucher` pays now: what the channel still owes, as far as the
    ///         client's balance goes.
    function redemptionDue(bytes32 channel, IEscrow.Voucher memory voucher)
        public
        view
        returns (uint256 paid, uint256 owed)
    {
        uint256 already = ghost_redeemed[channel];
        owed = voucher.cumulativeAmount > already ? voucher.cumulativeAmount - already : 0;
        uint256 balance = ghost_balance[voucher.client];
        paid = owed < balance ? owed : balance;
    }

    function bookRedemption(bytes32 channel, address client, uint256 paid) external {
        ghost_redeemed[channel] += paid;
        ghost_balance[client] -= paid;
    }

    function addClient(address client, uint256 key) external {
        clients.push(client);
        clientKeys.push(key);
    }

    function addProvider(address provider) external {
        providers.push(provider);
    }

    function addModelOwner(address owner) external {
        modelOwners.push(owner);
    }

    function addModel(bytes32 modelId) external {
        modelIds.push(modelId);
    }

    function recordVoucher(bytes32 channel, IEscrow.Voucher calldata voucher, bytes calldata signature) external {
        if (_latest[channel].client == address(0)) channels.push(channel);
        _latest[channel] = voucher;
        _latestSignature[channel] = signature;
    }

    function latest(bytes32 channel) external view returns (IEscrow.Voucher memory, bytes memory) {
        return (_latest[channel], _latestSignature[channel]);
    }

    /// @notice The highest cumulative amount the client has signed on `channel` (vouchers only
    ///         ever go up, so the latest is the maximum).
    function maxSigned(bytes32 channel) external view returns (uint256) {
        return _latest[channel].cumulativeAmount;
    }

    function clientCount() external view returns (uint256) {
        return clients.length;
    }

    function providerCount() external view returns (uint256) {
        return providers.length;
    }

    function modelOwnerCount() external view returns (uint256) {
        return modelOwners.length;
    }

    function modelCount() external view returns (uint256) {
        return modelIds.length;
    }

    function channelCount() external view returns (uint256) {
        return channels.length;
    }
}
