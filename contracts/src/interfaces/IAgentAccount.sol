// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ISpendPermissions} from "./ISpendPermissions.sol";
import {IEscrow} from "./IEscrow.sol";

/// @title IAgentAccount
/// @notice The payer of an agent's x402 calls: a contract account per agent, created by its
///         owner (AgentAccounts), that holds no float. A payment is an EIP-3009 authorization
///         from the account, signed by the agent's session key; during the transfer the token
///         calls the account's hook, which pays exactly `value` out of the owner's wallet
///         through `SpendPermissions.spendThrough` under the one permission the account was
///         made with. So the session key can pay only what that permission allows: allowed
///         payees, at most `maxPerCall` a call and `allowance` a period, nothing after a
///         revoke or the kill switch.
/// @dev Signatures the account accepts (ERC-1271), always one kind byte and a body, so never
///      65 bytes long (x402's facilitator sends such signatures through the token's
///      `bytes signature` overload):
///      - `0x01 ‖ abi.encode(to, value, validAfter, validBefore, nonce, sessionKeySignature)`:
///        the session key's ECDSA signature over the token's TransferWithAuthorization digest
///        from this account with those fields. The account rebuilds the digest, so the session
///        key's signature is the account's for token transfers only, never for anything else.
///      - `0x03 ‖ abi.encode(to, value, validAfter, validBefore, nonce, sessionKeySignature)`:
///        the same over the token's ReceiveWithAuthorization, which only `to` can execute: how
///        the account deposits into the Escrow (`depositWithAuthorization`), through the hook
///        and so within the permission like any payment.
///      - `0x04 ‖ abi.encode(escrow, provider, modelId, cumulativeAmount, sessionKeySignature)`:
///        the session key's signature over the Escrow voucher from this account with those
///        fields (rebuilt under `escrow.domainSeparator()`): the account's batched x402
///        payments. A voucher draws only on what the account deposited in that escrow.
///      - `0x02 ‖ ownerSignature`: the owner's signature (ECDSA, or ERC-1271 for a contract
///        owner) over any digest: the owner speaks for its account (an identity's wallet
///        consent, say). A transfer signed so still runs the hook and the permission's limits.
interface IAgentAccount {
    /// @notice What the account was made with (its clone arguments); `permission.spender` is
    ///         the account itself.
    struct Config {
        ISpendPermissions manager;
        address sessionKey;
        ISpendPermissions.SpendPermission permission;
    }

    /// @notice Only the token may call the transfer hook.
    error AccountNotToken(address caller, address token);
    /// @notice Only the owner (the permission's account) may do this.
    error AccountNotOwner(address caller, address owner);
    /// @notice A transfer's value does not fit a spend (uint160).
    error AccountValueTooLarge(uint256 value);

    /// @notice A payment went through: `value` left the owner's wallet for `to`.
    event AgentAccountPaid(address indexed to, uint256 value, bytes32 indexed nonce);
    /// @notice The owner took back tokens the account held (sent to it by someone).
    event AgentAccountRecovered(address indexed token, address indexed to, uint256 amount);

    /// @notice The account's configuration.
    function config() external view returns (Config memory);

    /// @notice The owner (the permission's account) takes back any `token` the account holds.
    function recover(address token, address to, uint256 amount) external;

    /// @notice The owner starts the withdrawal notice of the account's escrow balance
    ///         (`IEscrow.requestWithdrawal`, called as the account). Only the owner may.
    function requestEscrowWithdrawal(IEscrow escrow, uint256 amount) external;

    /// @notice The owner completes that withdrawal; what the escrow pays the account goes on
    ///         to the owner at once. Only the owner may.
    /// @return amount What the escrow paid out.
    function withdrawEscrow(IEscrow escrow) external returns (uint256 amount);
}
