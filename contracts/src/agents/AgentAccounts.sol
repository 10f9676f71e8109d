// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {IAgentAccount} from "../interfaces/IAgentAccount.sol";
import {IAgentAccounts} from "../interfaces/IAgentAccounts.sol";
import {ISpendPermissions} from "../interfaces/ISpendPermissions.sol";
import {AgentAccount} from "./AgentAccount.sol";

/// @title AgentAccounts
/// @notice Creates agents' payer accounts (AgentAccount clones with their Config as immutable
///         arguments) and approves each one's permission in the same transaction.
contract AgentAccounts is IAgentAccounts {
    /// @notice The manager every account spends through.
    ISpendPermissions public immutable manager;
    /// @notice The code every account runs.
    address public immutable implementation;

    constructor(ISpendPermissions manager_) {
        manager = manager_;
        implementation = address(new AgentAccount());
    }

    /// @inheritdoc IAgentAccounts
    function accountAddress(address sessionKey, ISpendPermissions.SpendPermission calldata permission)
        public
        view
        returns (address)
    {
        return Clones.predictDeterministicAddressWithImmutableArgs(
            implementation, _args(sessionKey, permission), bytes32(0)
        );
    }

    /// @inheritdoc IAgentAccounts
    function create(
        address sessionKey,
        ISpendPermissions.SpendPermission calldata permission,
        bytes calldata ownerSignature
    ) external returns (address account) {
        if (sessionKey == address(0)) revert AccountsZeroSessionKey();
        bytes memory args = _args(sessionKey, permission);
        account = Clones.predictDeterministicAddressWithImmutableArgs(implementation, args, bytes32(0));
        if (permission.spender != account) revert AccountsWrongSpender(permission.spender, account);
        if (account.code.length == 0) {
            Clones.cloneDeterministicWithImmutableArgs(implementation, args, bytes32(0));
            emit AgentAccountCreated(account, permission.account, sessionKey, manager.getHash(permission));
        }
        manager.approveWithSignature(permission, ownerSignature);
    }

    function _args(address sessionKey, ISpendPermissions.SpendPermission calldata permission)
        private
        view
        returns (bytes memory)
    {
        ISpendPermissions.SpendPermission memory p = permission;
        p.spender = address(0);
        return abi.encode(IAgentAccount.Config({manager: manager, sessionKey: sessionKey, permission: p}));
    }
}
