// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title ITrellisParams
/// @notice The single place of truth for the network's governance parameters. Every other
///         Trellis contract reads its limits from here at call time, so a change by the owner
///         takes effect everywhere at once. Every parameter has hard bounds fixed in the code
///         (`MIN_*` and `MAX_*` constants of the implementation), so no owner, however
///         compromised, can freeze exits or void the notices that protect clients and providers.
interface ITrellisParams {
    // ------------------------------------------------------------------ errors

    /// @notice A parameter was set outside its hard bounds.
    /// @param name The parameter's name as a left-aligned ASCII bytes32, e.g. "minStake".
    error ParamsOutOfBounds(bytes32 name, uint256 value, uint256 min, uint256 max);
    /// @notice The unbonding delay must be strictly longer than the challenge window, so that a
    ///         provider cannot withdraw stake before a challenge against it can be settled.
    error ParamsUnbondingNotAfterChallenge(uint256 unbondingDelay, uint256 challengeWindow);
    /// @notice The royalty notice must be strictly longer than the withdrawal notice, so that a
    ///         provider redeeming within the withdrawal notice always redeems past work at the
    ///         royalty announced before it.
    error ParamsRoyaltyNoticeNotAfterWithdrawalNotice(uint256 royaltyNotice, uint256 withdrawalNotice);
    /// @notice The treasury cannot be the zero address.
    error ParamsZeroTreasury();
    /// @notice Ownership cannot be renounced: slasher management in the provider registry and
    ///         every parameter would be stranded.
    error ParamsRenounceDisabled();

    // ------------------------------------------------------------------ events

    /// @notice A numeric parameter changed (also emitted once per parameter at construction).
    /// @param name The parameter's name as a left-aligned ASCII bytes32, e.g. "minStake".
    event ParameterSet(bytes32 indexed name, uint256 oldValue, uint256 newValue);
    /// @notice The treasury that receives protocol fees changed.
    event TreasurySet(address indexed oldTreasury, address indexed newTreasury);

    // ------------------------------------------------------------------ writes (owner only)

    /// @notice Sets the minimum active stake a provider needs to be active.
    /// @param value Token amount (payment token units, 6 decimals), within
    ///        [`MIN_MIN_STAKE`, `MAX_MIN_STAKE`].
    function setMinStake(uint256 value) external;

    /// @notice Sets how long unbonding stake stays slashable before it can be withdrawn.
    /// @param value Seconds within [`MIN_UNBONDING_DELAY`, `MAX_UNBONDING_DELAY`], strictly
    ///        greater than the challenge window.
    function setUnbondingDelay(uint256 value) external;

    /// @notice Sets how long a result can be challenged after it is produced.
    /// @param value Seconds within [`MIN_CHALLENGE_WINDOW`, `MAX_CHALLENGE_WINDOW`], strictly
    ///        less than the unbonding delay.
    function setChallengeWindow(uint256 value) external;

    /// @notice Sets how long a client's escrow withdrawal request waits before it can complete.
    /// @param value Seconds within [`MIN_WITHDRAWAL_NOTICE`, `MAX_WITHDRAWAL_NOTICE`], strictly
    ///        less than the royalty notice.
    function setWithdrawalNotice(uint256 value) external;

    /// @notice Sets how long a matured withdrawal request stays executable before it expires.
    /// @param value Seconds within [`MIN_WITHDRAWAL_WINDOW`, `MAX_WITHDRAWAL_WINDOW`].
    function setWithdrawalWindow(uint256 value) external;

    /// @notice Sets how long a model's royalty increase waits before it applies.
    /// @param value Seconds within [`MIN_ROYALTY_NOTICE`, `MAX_ROYALTY_NOTICE`], strictly
    ///        greater than the withdrawal notice.
    function setRoyaltyNotice(uint256 value) external;

    /// @notice Sets the protocol fee taken from every redemption, in basis points.
    /// @param value Within [`MIN_FEE_BPS`, `MAX_FEE_BPS`].
    function setProtocolFeeBps(uint256 value) external;

    /// @notice Sets the highest royalty a model may charge, in basis points.
    /// @param value Within [`MIN_ROYALTY_CAP_BPS`, `MAX_ROYALTY_CAP_BPS`].
    function setRoyaltyCapBps(uint256 value) external;

    /// @notice Sets the account credited with protocol fees.
    /// @param value Non-zero address.
    function setTreasury(address value) external;

    // ------------------------------------------------------------------ views

    /// @notice Minimum active stake for an active provider.
    function minStake() external view returns (uint256);
    /// @notice Seconds between starting to unbond and being able to withdraw.
    function unbondingDelay() external view returns (uint256);
    /// @notice Seconds during which a result can be challenged.
    function challengeWindow() external view returns (uint256);
    /// @notice Seconds between requesting and completing an escrow withdrawal.
    function withdrawalNotice() external view returns (uint256);
    /// @notice Seconds after the notice during which a withdrawal request can be completed.
    function withdrawalWindow() external view returns (uint256);
    /// @notice Seconds between announcing a royalty increase and its taking effect.
    function royaltyNotice() external view returns (uint256);
    /// @notice Protocol fee in basis points of each redeemed amount.
    function protocolFeeBps() external view returns (uint256);
    /// @notice Highest royalty, in basis points, that any model is paid.
    function royaltyCapBps() external view returns (uint256);
    /// @notice Account credited with protocol fees.
    function treasury() external view returns (address);
    /// @notice Governance account (also the owner of privileged functions elsewhere).
    function owner() external view returns (address);
}
