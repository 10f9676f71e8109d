// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title ITrellisParams
/// @notice The single place of truth for the network's governance parameters. Every other
///         Trellis contract reads its limits from here at call time, so a change by the owner
///         takes effect everywhere at once.
interface ITrellisParams {
    // ------------------------------------------------------------------ errors

    /// @notice A protocol fee above the hard ceiling was requested.
    error ParamsFeeTooHigh(uint256 feeBps, uint256 maxFeeBps);
    /// @notice A royalty cap above the hard ceiling was requested.
    error ParamsRoyaltyCapTooHigh(uint256 royaltyCapBps, uint256 maxRoyaltyCapBps);
    /// @notice The unbonding delay must be strictly longer than the challenge window, so that a
    ///         provider cannot withdraw stake before a challenge against it can be settled.
    error ParamsUnbondingNotAfterChallenge(uint256 unbondingDelay, uint256 challengeWindow);
    /// @notice A parameter that must be positive was set to zero.
    error ParamsZeroValue(bytes32 name);
    /// @notice The treasury cannot be the zero address.
    error ParamsZeroTreasury();

    // ------------------------------------------------------------------ events

    /// @notice A numeric parameter changed (also emitted once per parameter at construction).
    /// @param name The parameter's name as a left-aligned ASCII bytes32, e.g. "minStake".
    event ParameterSet(bytes32 indexed name, uint256 oldValue, uint256 newValue);
    /// @notice The treasury that receives protocol fees changed.
    event TreasurySet(address indexed oldTreasury, address indexed newTreasury);

    // ------------------------------------------------------------------ writes (owner only)

    /// @notice Sets the minimum active stake a provider needs to be active.
    /// @param value Token amount (payment token units, 6 decimals); must be positive.
    function setMinStake(uint256 value) external;

    /// @notice Sets how long unbonding stake stays slashable before it can be withdrawn.
    /// @param value Seconds; must be strictly greater than the challenge window.
    function setUnbondingDelay(uint256 value) external;

    /// @notice Sets how long a result can be challenged after it is produced.
    /// @param value Seconds; must be positive and strictly less than the unbonding delay.
    function setChallengeWindow(uint256 value) external;

    /// @notice Sets how long a client's escrow withdrawal request waits before it can complete.
    /// @param value Seconds; must be positive.
    function setWithdrawalNotice(uint256 value) external;

    /// @notice Sets the protocol fee taken from every redemption, in basis points.
    /// @param value At most `MAX_FEE_BPS`.
    function setProtocolFeeBps(uint256 value) external;

    /// @notice Sets the highest royalty a model may charge, in basis points.
    /// @param value At most `MAX_ROYALTY_CAP_BPS`.
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
    /// @notice Protocol fee in basis points of each redeemed amount.
    function protocolFeeBps() external view returns (uint256);
    /// @notice Highest royalty, in basis points, that any model is paid.
    function royaltyCapBps() external view returns (uint256);
    /// @notice Account credited with protocol fees.
    function treasury() external view returns (address);
    /// @notice Governance account (also the owner of privileged functions elsewhere).
    function owner() external view returns (address);
}
