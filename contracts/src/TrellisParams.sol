// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {ITrellisParams} from "./interfaces/ITrellisParams.sol";

/// @title TrellisParams
/// @notice Governance parameters read by the registries and the escrow. One contract holds them
///         so there is exactly one value of each; its owner is also the account that authorizes
///         slashers in the provider registry. Every value is kept inside hard bounds, so the
///         owner can tune the network but never use a parameter to freeze funds or void a notice.
contract TrellisParams is ITrellisParams, Ownable2Step {
    // The bounds. Each pair says what the owner can never go below or above, and why.

    /// @notice 1 tUSD: below this a provider identity costs nothing and a slash takes nothing.
    uint256 public constant MIN_MIN_STAKE = 1e6;
    /// @notice 1,000,000 tUSD: `isActive` compares against the current minimum, so a higher
    ///         value would deactivate every provider at once.
    uint256 public constant MAX_MIN_STAKE = 1_000_000e6;

    /// @notice 1 hour: a watcher needs time to re-execute a result and send a challenge; a
    ///         shorter window makes receipts unchallengeable in practice.
    uint256 public constant MIN_CHALLENGE_WINDOW = 1 hours;
    /// @notice 30 days: the unbonding delay must exceed the window, so a longer window would
    ///         lock provider stake for months.
    uint256 public constant MAX_CHALLENGE_WINDOW = 30 days;

    /// @notice 1 day: stake must stay slashable while a dispute opened at the end of the
    ///         window runs its moves (each move has its own timeout).
    uint256 public constant MIN_UNBONDING_DELAY = 1 days;
    /// @notice 90 days: stake must be able to leave; an unbounded delay freezes it forever.
    uint256 public constant MAX_UNBONDING_DELAY = 90 days;

    /// @notice 1 hour: providers redeem signed vouchers during the notice; a shorter one lets
    ///         a client withdraw before a batch of redemptions can be mined.
    uint256 public constant MIN_WITHDRAWAL_NOTICE = 1 hours;
    /// @notice 30 days: client funds must be able to leave; an unbounded notice freezes them.
    uint256 public constant MAX_WITHDRAWAL_NOTICE = 30 days;

    /// @notice 1 day: a client needs a realistic chance to send `withdraw` once the notice ends.
    uint256 public constant MIN_WITHDRAWAL_WINDOW = 1 days;
    /// @notice 30 days: providers watching a request treat it as live until it expires; a
    ///         longer window keeps them watching a stale request for too long.
    uint256 public constant MAX_WITHDRAWAL_WINDOW = 30 days;

    /// @notice 2 hours: above the shortest withdrawal notice, so the two rules can always hold.
    uint256 public constant MIN_ROYALTY_NOTICE = 2 hours;
    /// @notice 60 days: above the longest withdrawal notice, and still lets a model owner
    ///         change its price within two months.
    uint256 public constant MAX_ROYALTY_NOTICE = 60 days;

    /// @notice No fee is a legitimate choice.
    uint256 public constant MIN_FEE_BPS = 0;
    /// @notice Hard ceiling on the protocol fee: 10%.
    uint256 public constant MAX_FEE_BPS = 1_000;

    /// @notice A cap of zero (no royalties) is a legitimate choice.
    uint256 public constant MIN_ROYALTY_CAP_BPS = 0;
    /// @notice Hard ceiling on the royalty cap: 30%. With the fee ceiling this keeps
    ///         royalty + fee below 100%, so a provider's share can never go negative.
    uint256 public constant MAX_ROYALTY_CAP_BPS = 3_000;

    uint256 public minStake;
    uint256 public unbondingDelay;
    uint256 public challengeWindow;
    uint256 public withdrawalNotice;
    uint256 public withdrawalWindow;
    uint256 public royaltyNotice;
    uint256 public protocolFeeBps;
    uint256 public royaltyCapBps;
    address public treasury;

    /// @param initialOwner Governance account (two-step transferable; a timelock in deployments).
    /// @param treasury_ Account credited with protocol fees.
    /// @param minStake_ Minimum active stake, in payment token units.
    /// @param unbondingDelay_ Seconds; must exceed `challengeWindow_`.
    /// @param challengeWindow_ Seconds.
    /// @param withdrawalNotice_ Seconds.
    /// @param protocolFeeBps_ Basis points, at most `MAX_FEE_BPS`.
    /// @param royaltyCapBps_ Basis points, at most `MAX_ROYALTY_CAP_BPS`.
    /// @param royaltyNotice_ Seconds; must exceed `withdrawalNotice_`.
    /// @param withdrawalWindow_ Seconds.
    constructor(
        address initialOwner,
        address treasury_,
        uint256 minStake_,
        uint256 unbondingDelay_,
        uint256 challengeWindow_,
        uint256 withdrawalNotice_,
        uint256 protocolFeeBps_,
        uint256 royaltyCapBps_,
        uint256 royaltyNotice_,
        uint256 withdrawalWindow_
    ) Ownable(initialOwner) {
        _setTreasury(treasury_);
        _setMinStake(minStake_);
        // The window goes first so the delay check compares against the new window, and the
        // withdrawal notice before the royalty notice for the same reason.
        _setChallengeWindow(challengeWindow_);
        _setUnbondingDelay(unbondingDelay_);
        _setWithdrawalNotice(withdrawalNotice_);
        _setRoyaltyNotice(royaltyNotice_);
        _setWithdrawalWindow(withdrawalWindow_);
        _setProtocolFeeBps(protocolFeeBps_);
        _setRoyaltyCapBps(royaltyCapBps_);
    }

    /// @inheritdoc ITrellisParams
    function setMinStake(uint256 value) external onlyOwner {
        _setMinStake(value);
    }

    /// @inheritdoc ITrellisParams
    function setUnbondingDelay(uint256 value) external onlyOwner {
        _setUnbondingDelay(value);
    }

    /// @inheritdoc ITrellisParams
    function setChallengeWindow(uint256 value) external onlyOwner {
        if (unbondingDelay <= value) revert ParamsUnbondingNotAfterChallenge(unbondingDelay, value);
        _setChallengeWindow(value);
    }

    /// @inheritdoc ITrellisParams
    function setWithdrawalNotice(uint256 value) external onlyOwner {
        if (royaltyNotice <= value) revert ParamsRoyaltyNoticeNotAfterWithdrawalNotice(royaltyNotice, value);
        _setWithdrawalNotice(value);
    }

    /// @inheritdoc ITrellisParams
    function setWithdrawalWindow(uint256 value) external onlyOwner {
        _setWithdrawalWindow(value);
    }

    /// @inheritdoc ITrellisParams
    function setRoyaltyNotice(uint256 value) external onlyOwner {
        _setRoyaltyNotice(value);
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

    /// @notice Always reverts: without an owner nobody could authorize slashers or adjust a
    ///         parameter again. Hand ownership to another account (or timelock) instead.
    function renounceOwnership() public pure override {
        revert ParamsRenounceDisabled();
    }

    /// @inheritdoc ITrellisParams
    function owner() public view override(ITrellisParams, Ownable) returns (address) {
        return super.owner();
    }

    // ------------------------------------------------------------------ internal

    function _setMinStake(uint256 value) private {
        _checkBounds("minStake", value, MIN_MIN_STAKE, MAX_MIN_STAKE);
        emit ParameterSet("minStake", minStake, value);
        minStake = value;
    }

    function _setChallengeWindow(uint256 value) private {
        _checkBounds("challengeWindow", value, MIN_CHALLENGE_WINDOW, MAX_CHALLENGE_WINDOW);
        emit ParameterSet("challengeWindow", challengeWindow, value);
        challengeWindow = value;
    }

    function _setUnbondingDelay(uint256 value) private {
        _checkBounds("unbondingDelay", value, MIN_UNBONDING_DELAY, MAX_UNBONDING_DELAY);
        if (value <= challengeWindow) revert ParamsUnbondingNotAfterChallenge(value, challengeWindow);
        emit ParameterSet("unbondingDelay", unbondingDelay, value);
        unbondingDelay = value;
    }

    function _setWithdrawalNotice(uint256 value) private {
        _checkBounds("withdrawalNotice", value, MIN_WITHDRAWAL_NOTICE, MAX_WITHDRAWAL_NOTICE);
        emit ParameterSet("withdrawalNotice", withdrawalNotice, value);
        withdrawalNotice = value;
    }

    function _setWithdrawalWindow(uint256 value) private {
        _checkBounds("withdrawalWindow", value, MIN_WITHDRAWAL_WINDOW, MAX_WITHDRAWAL_WINDOW);
        emit ParameterSet("withdrawalWindow", withdrawalWindow, value);
        withdrawalWindow = value;
    }

    function _setRoyaltyNotice(uint256 value) private {
        _checkBounds("royaltyNotice", value, MIN_ROYALTY_NOTICE, MAX_ROYALTY_NOTICE);
        if (value <= withdrawalNotice) revert ParamsRoyaltyNoticeNotAfterWithdrawalNotice(value, withdrawalNotice);
        emit ParameterSet("royaltyNotice", royaltyNotice, value);
        royaltyNotice = value;
    }

    function _setProtocolFeeBps(uint256 value) private {
        _checkBounds("protocolFeeBps", value, MIN_FEE_BPS, MAX_FEE_BPS);
        emit ParameterSet("protocolFeeBps", protocolFeeBps, value);
        protocolFeeBps = value;
    }

    function _setRoyaltyCapBps(uint256 value) private {
        _checkBounds("royaltyCapBps", value, MIN_ROYALTY_CAP_BPS, MAX_ROYALTY_CAP_BPS);
        emit ParameterSet("royaltyCapBps", royaltyCapBps, value);
        royaltyCapBps = value;
    }

    function _setTreasury(address value) private {
        if (value == address(0)) revert ParamsZeroTreasury();
        emit TreasurySet(treasury, value);
        treasury = value;
    }

    function _checkBounds(bytes32 name, uint256 value, uint256 min, uint256 max) private pure {
        if (value < min || value > max) revert ParamsOutOfBounds(name, value, min, max);
    }
}
