// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title IAuthorizedTransferHook
/// @notice A contract account that wants a say in its own EIP-3009 transfers. The token calls
///         `onAuthorizedTransfer` on a `from` that reports this interface through ERC-165,
///         after the authorization's signature was checked and its nonce marked used, and
///         before it moves the tokens: the account may refuse (revert), or fetch `value` so
///         that it holds it when the transfer runs.
/// @dev ERC-1271's `isValidSignature` is a view, so it cannot record what a payment used up;
///      this hook is the state-changing step of the same transfer.
interface IAuthorizedTransferHook {
    /// @param to The payee of the authorization.
    /// @param value Token units about to move from the account to `to`.
    /// @param nonce The authorization's nonce (already marked used).
    function onAuthorizedTransfer(address to, uint256 value, bytes32 nonce) external;
}
