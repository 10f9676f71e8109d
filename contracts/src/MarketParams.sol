// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {IMarketParams} from "./interfaces/IMarketParams.sol";

/// @title MarketParams
/// @notice The model market's parameters, owned by governance (the timelock in deployments)
///         like TrellisParams. Every value stays inside hard bounds so governance can tune the
///         market but never make a bond free, a window unanswerable or a stake unwithdrawable.
contract MarketParams is IMarketParams, Ownable2Step {
    /// @notice 1 tUSD: a free challenge would let anyone make every staker answer for nothing.
    uint256 public constant MIN_BOND = 1e6;
    /// @notice 100,000 tUSD: a higher bond would price honest challengers and submitters out.
    uint256 public constant MAX_BOND = 100_000e6;
    /// @notice 1 hour: the least time to see a challenge and send an answer.
    uint256 public constant MIN_WINDOW = 1 hours;
    /// @notice 14 days: longer answers keep stakes and rewards locked for too long.
    uint256 public constant MAX_RESPONSE_WINDOW = 14 days;
    /// @notice 30 days: a claim must become final within a month.
    uint256 public constant MAX_CHALLENGE_WINDOW = 30 days;
    /// @notice 1 day: watchers need time to challenge a staker that starts leaving.
    uint256 public constant MIN_UNSTAKE_DELAY = 1 days;
    /// @notice 90 days: stake must be able to leave.
    uint256 public constant MAX_UNSTAKE_DELAY = 90 days;
    /// @notice 10%: below this, proving a commitment malformed is not worth a bond.
    uint256 public constant MIN_CHALLENGER_BPS = 1_000;
    /// @notice 90%: the treasury keeps at least a tenth, so a staker challenging its own model
    ///         through a second account still loses by it.
    uint256 public constant MAX_CHALLENGER_BPS = 9_000;

    uint256 public modelChallengeBond;
    uint256 public modelResponseWindow;
    uint256 public modelUnstakeDelay;
    uint256 public modelSlashChallengerBps;
    uint256 public bountySubmitBond;
    uint256 public bountyChallengeBond;
    uint256 public bountyChallengeWindow;
    uint256 public bountyResponseWindow;

    /// @notice Values in the order of the setters below.
    struct Values {
        uint256 modelChallengeBond;
        uint256 modelResponseWindow;
        uint256 modelUnstakeDelay;
        uint256 modelSlashChallengerBps;
        uint256 bountySubmitBond;
        uint256 bountyChallengeBond;
        uint256 bountyChallengeWindow;
        uint256 bountyResponseWindow;
    }

    /// @param initialOwner Governance account (two-step transferable).
    /// @param v Initial values, each checked against its bounds.
    constructor(address initialOwner, Values memory v) Ownable(initialOwner) {
        _set("modelChallengeBond", modelChallengeBond, v.modelChallengeBond, MIN_BOND, MAX_BOND);
        modelChallengeBond = v.modelChallengeBond;
        _set("modelResponseWindow", modelResponseWindow, v.modelResponseWindow, MIN_WINDOW, MAX_RESPONSE_WINDOW);
        modelResponseWindow = v.modelResponseWindow;
        _set("modelUnstakeDelay", modelUnstakeDelay, v.modelUnstakeDelay, MIN_UNSTAKE_DELAY, MAX_UNSTAKE_DELAY);
        modelUnstakeDelay = v.modelUnstakeDelay;
        _set(
            "modelSlashChallengerBps",
            modelSlashChallengerBps,
            v.modelSlashChallengerBps,
            MIN_CHALLENGER_BPS,
            MAX_CHALLENGER_BPS
        );
        modelSlashChallengerBps = v.modelSlashChallengerBps;
        _set("bountySubmitBond", bountySubmitBond, v.bountySubmitBond, MIN_BOND, MAX_BOND);
        bountySubmitBond = v.bountySubmitBond;
        _set("bountyChallengeBond", bountyChallengeBond, v.bountyChallengeBond, MIN_BOND, MAX_BOND);
        bountyChallengeBond = v.bountyChallengeBond;
        _set("bountyChallengeWindow", bountyChallengeWindow, v.bountyChallengeWindow, MIN_WINDOW, MAX_CHALLENGE_WINDOW);
        bountyChallengeWindow = v.bountyChallengeWindow;
        _set("bountyResponseWindow", bountyResponseWindow, v.bountyResponseWindow, MIN_WINDOW, MAX_RESPONSE_WINDOW);
        bountyResponseWindow = v.bountyResponseWindow;
    }

    /// @inheritdoc IMarketParams
    function setModelChallengeBond(uint256 value) external onlyOwner {
        _set("modelChallengeBond", modelChallengeBond, value, MIN_BOND, MAX_BOND);
        modelChallengeBond = value;
    }

    /// @inheritdoc IMarketParams
    function setModelResponseWindow(uint256 value) external onlyOwner {
        _set("modelResponseWindow", modelResponseWindow, value, MIN_WINDOW, MAX_RESPONSE_WINDOW);
        modelResponseWindow = value;
    }

    /// @inheritdoc IMarketParams
    function setModelUnstakeDelay(uint256 value) external onlyOwner {
        _set("modelUnstakeDelay", modelUnstakeDelay, value, MIN_UNSTAKE_DELAY, MAX_UNSTAKE_DELAY);
        modelUnstakeDelay = value;
    }

    /// @inheritdoc IMarketParams
    function setModelSlashChallengerBps(uint256 value) external onlyOwner {
        _set("modelSlashChallengerBps", modelSlashChallengerBps, value, MIN_CHALLENGER_BPS, MAX_CHALLENGER_BPS);
        modelSlashChallengerBps = value;
    }

    /// @inheritdoc IMarketParams
    function setBountySubmitBond(uint256 value) external onlyOwner {
        _set("bountySubmitBond", bountySubmitBond, value, MIN_BOND, MAX_BOND);
        bountySubmitBond = value;
    }

    /// @inheritdoc IMarketParams
    function setBountyChallengeBond(uint256 value) external onlyOwner {
        _set("bountyChallengeBond", bountyChallengeBond, value, MIN_BOND, MAX_BOND);
        bountyChallengeBond = value;
    }

    /// @inheritdoc IMarketParams
    function setBountyChallengeWindow(uint256 value) external onlyOwner {
        _set("bountyChallengeWindow", bountyChallengeWindow, value, MIN_WINDOW, MAX_CHALLENGE_WINDOW);
        bountyChallengeWindow = value;
    }

    /// @inheritdoc IMarketParams
    function setBountyResponseWindow(uint256 value) external onlyOwner {
        _set("bountyResponseWindow", bountyResponseWindow, value, MIN_WINDOW, MAX_RESPONSE_WINDOW);
        bountyResponseWindow = value;
    }

    /// @notice Always reverts: without an owner the market could never be tuned again.
    function renounceOwnership() public pure override {
        revert MarketParamsRenounceDisabled();
    }

    /// @dev Checks the bounds and announces the change; the caller stores the value.
    function _set(bytes32 name, uint256 old, uint256 value, uint256 min, uint256 max) private {
        if (value < min || value > max) revert MarketParamsOutOfBounds(name, value, min, max);
        emit MarketParameterSet(name, old, value);
    }
}
