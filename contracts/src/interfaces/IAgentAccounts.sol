// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ISpendPermissions} from "./ISpendPermissions.sol";

/// @title IAgentAccounts
/// @notice Creates agent accounts (IAgentAccount) as cheap clones at addresses known before
///         they exist, so the owner can sign a permission whose spender is the account first.
/// @dev The address depends on the manager, the session key and every field of the
///      permission except `spender` (which is the address itself), so one configuration has
///      one account and nobody can put another configuration at an owner's address.
interface IAgentAccounts {
    /// @notice The permission's spender is not the account these arguments give.
    error AccountsWrongSpender(address spender, address account);
    /// @notice The session key is the zero address.
    error AccountsZeroSessionKey();

    /// @notice An account was created for `owner`'s agent holding `sessionKey`.
    event AgentAccountCreated(
        address indexed account, address indexed owner, address indexed sessionKey, bytes32 permissionHash
    );

    /// @notice The address of the account for this session key and permission (its
    ///         `spender` is ignored), created or not.
    function accountAddress(address sessionKey, ISpendPermissions.SpendPermission calldata permission)
        external
        view
        returns (address);

    /// @notice Creates the account (if it does not exist yet) and approves its permission with
    ///         the owner's signature; anyone may send it. Returns the account.
    function create(
        address sessionKey,
        ISpendPermissions.SpendPermission calldata permission,
        bytes calldata ownerSignature
    ) external returns (address account);
}
