// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {ITrellisParams} from "./interfaces/ITrellisParams.sol";

/// @title TrellisParams
/// @notice Governance parameters read by the registry and the escrow. One contract holds them
///         so there is exactly one value of each; its owner is also the account that authorizes
///         slashers in the provider registry.
contract TrellisParams is ITrellisParams, Ownable2Step {
    /// @notice Hard ceiling on the protocol fee: 10%.
    uint256 public constant MAX_FEE_BPS = 1_000;
    /// @notice Hard ceiling on the royalty cap: 30%. With the fee ceiling this keeps
    ///         royalty + fee below 100%, so a provider's share can never go negative.
    uint256 public constant MAX_ROYALTY_CAP_BPS = 3_000;

    uint256 public minStake;
    uint256 public unbondingDelay;
    uint256 public challengeWindow;
    uint256 public withdrawalNotice;
    uint256 public protocolFeeBps;
    uint256 public royaltyCapBps;
    address public treasury;

    /// @param initialOwner Governance account (two-step transferable).
    /// @param treasury_ Account credited with protocol fees.
    /// @param minStake_ Minimum active stake, in payment token units.
    /// @param unbondingDelay_ Seconds; must exceed `challengeWindow_`.
    /// @param challengeWindow_ Seconds.
    /// @param withdrawalNotice_ Seconds.
    /// @param protocolFeeBps_ Basis points, at most `MAX_FEE_BPS`.
    /// @param royaltyCapBps_ Basis points, at most `MAX_ROYALTY_CAP_BPS`.
    constructor(
        address initialOwner,
        address treasury_,
        uint256 minStake_,
        uint256 unbondingDelay_,
        uint256 challengeWindow_,
        uint256 withdrawalNotice_,
        uint256 protocolFeeBps_,
        uint256 royaltyCapBps_
    ) Ownable(initialOwner) {
        _setTreasury(treasury_);
        _setPositive("minStake", minStake_);
        // The window goes first so the delay check compares against the new window.
        _setPositive("challengeWindow", challengeWindow_);
        _setUnbondingDelay(unbondingDelay_);
        _setPositive("withdrawalNotice", withdrawalNotice_);
        _setProtocolFeeBps(protocolFeeBps_);
        _setRoyaltyCapBps(royaltyCapBps_);
    }

    /// @inheritdoc ITrellisParams
    function setMinStake(uint256 value) external onlyOwner {
        _setPositive("minStake", value);
    }

    /// @inheritdoc ITrellisParams
    function setUnbondingDelay(uint256 value) external onlyOwner {
        _setUnbondingDelay(value);
    }

    /// @inheritdoc ITrellisParams
    function setChallengeWindow(uint256 value) external onlyOwner {
        if (unbondingDelay <= value) revert ParamsUnbondingNotAfterChallenge(unbondingDelay, value);
        _setPositive("challengeWindow", value);
    }

    /// @inheritdoc ITrellisParams
    function setWithdrawalNotice(uint256 value) external onlyOwner {
        _setPositive("withdrawalNotice", value);
    }

    /// @inheritdoc ITrellisParams
    function setProtocolFeeBps(uint256 value) external onlyOwner {
        _setProtocolFeeBps(value);
    }

    /// @inheritdoc ITrellisParams
    function setRoyaltyCapBps(uint256 value) external onlyOwner {
        _setRoyaltyCapBps(value);
    }

    /// @inheritdoc ITrellisParams
    function setTreasury(address value) external onlyOwner {
        _setTreasury(value);
    }

    /// @inheritdoc ITrellisParams
    function owner() public view override(ITrellisParams, Ownable) returns (address) {
        return super.owner();
    }

    // ------------------------------------------------------------------ internal

    function _setUnbondingDelay(uint256 value) private {
        if (value <= challengeWindow) revert ParamsUnbondingNotAfterChallenge(value, challengeWindow);
        emit ParameterSet("unbondingDelay", unbondingDelay, value);
        unbondingDelay = value;
    }

    function _setProtocolFeeBps(uint256 value) private {
        if (value > MAX_FEE_BPS) revert ParamsFeeTooHigh(value, MAX_FEE_BPS);
        emit ParameterSet("protocolFeeBps", protocolFeeBps, value);
        protocolFeeBps = value;
    }

    function _setRoyaltyCapBps(uint256 value) private {
        if (value > MAX_ROYALTY_CAP_BPS) revert ParamsRoyaltyCapTooHigh(value, MAX_ROYALTY_CAP_BPS);
        emit ParameterSet("royaltyCapBps", royaltyCapBps, value);
        royaltyCapBps = value;
    }

    function _setTreasury(address value) private {
        if (value == address(0)) revert ParamsZeroTreasury();
        emit TreasurySet(treasury, value);
        treasury = value;
    }

    /// @dev Shared path for the parameters whose only rule is "positive".
    function _setPositive(bytes32 name, uint256 value) private {
        if (value == 0) revert ParamsZeroValue(name);
        uint256 old;
        if (name == "minStake") {
            old = minStake;
            minStake = value;
        } else if (name == "challengeWindow") {
            old = challengeWindow;
            challengeWindow = value;
        } else {
            old = withdrawalNotice;
            withdrawalNotice = value;
        }
        emit ParameterSet(name, old, value);
    }
}
