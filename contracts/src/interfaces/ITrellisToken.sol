// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title ITrellisToken
/// @notice The payment token: ERC-20 with EIP-2612 permit and EIP-3009 transfers with
///         authorization, plus a capped faucet that works on the local chain only.
interface ITrellisToken {
    // ------------------------------------------------------------------ errors

    /// @notice The faucet was called on a chain other than the one it was built for.
    error TokenFaucetDisabled(uint256 chainId, uint256 faucetChainId);
    /// @notice One faucet call asked for more than the per-call cap.
    error TokenFaucetCapExceeded(uint256 amount, uint256 cap);
    /// @notice The authorization's `validAfter` time has not passed yet.
    error TokenAuthorizationNotYetValid(uint256 validAfter, uint256 timestamp);
    /// @notice The authorization's `validBefore` time has passed.
    error TokenAuthorizationExpired(uint256 validBefore, uint256 timestamp);
    /// @notice The authorization nonce was already used or canceled.
    error TokenAuthorizationUsed(address authorizer, bytes32 nonce);
    /// @notice The signature does not come from `signer` (ECDSA or ERC-1271).
    error TokenInvalidSignature(address signer);
    /// @notice `receiveWithAuthorization` must be called by the payee.
    error TokenCallerNotPayee(address payee, address caller);

    // ------------------------------------------------------------------ events

    /// @notice An EIP-3009 authorization was consumed.
    event AuthorizationUsed(address indexed authorizer, bytes32 indexed nonce);
    /// @notice An EIP-3009 authorization was canceled before use.
    event AuthorizationCanceled(address indexed authorizer, bytes32 indexed nonce);
    /// @notice The faucet minted tokens (a `Transfer` from zero is emitted too).
    event FaucetMinted(address indexed caller, address indexed to, uint256 amount);

    // ------------------------------------------------------------------ writes

    /// @notice Mints up to `FAUCET_CAP` to `to`; only on the faucet chain (31337 locally).
    /// @param to Recipient.
    /// @param amount Token units (6 decimals).
    function faucet(address to, uint256 amount) external;

    /// @notice EIP-3009: moves `value` from `from` to `to` with `from`'s signed authorization.
    /// @dev Anyone may submit it (a relayer, an x402 facilitator). A contract `from` that
    ///      reports IAuthorizedTransferHook (ERC-165) is called back before the tokens move and
    ///      may refuse or fetch them (an agent's account pulling the price from its owner).
    /// @param from Payer and signer.
    /// @param to Payee.
    /// @param value Token units.
    /// @param validAfter Unix time after which the authorization is valid (exclusive).
    /// @param validBefore Unix time before which the authorization is valid (exclusive).
    /// @param nonce Unique 32-byte nonce chosen by the signer.
    /// @param v Signature recovery byte.
    /// @param r Signature r.
    /// @param s Signature s.
    function transferWithAuthorization(
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external;

    /// @notice EIP-3009 with a packed signature, which also admits ERC-1271 contract signers.
    /// @param signature 65-byte ECDSA signature, or any bytes an ERC-1271 `from` accepts.
    function transferWithAuthorization(
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        bytes memory signature
    ) external;

    /// @notice EIP-3009: like `transferWithAuthorization` but only the payee `to` may submit it,
    ///         which stops a front-runner from using the authorization out of context.
    function receiveWithAuthorization(
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external;

    /// @notice `receiveWithAuthorization` with a packed or ERC-1271 signature.
    function receiveWithAuthorization(
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        bytes memory signature
    ) external;

    /// @notice EIP-3009: cancels an unused authorization.
    /// @param authorizer The account whose nonce is canceled (the signer).
    /// @param nonce The nonce to burn.
    function cancelAuthorization(address authorizer, bytes32 nonce, uint8 v, bytes32 r, bytes32 s) external;

    /// @notice `cancelAuthorization` with a packed or ERC-1271 signature.
    function cancelAuthorization(address authorizer, bytes32 nonce, bytes memory signature) external;

    // ------------------------------------------------------------------ views

    /// @notice Whether `nonce` of `authorizer` was used or canceled.
    function authorizationState(address authorizer, bytes32 nonce) external view returns (bool);
}
