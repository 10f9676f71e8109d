// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IFederatedTraining} from "../interfaces/IFederatedTraining.sol";
import {DpAccountant} from "../libraries/DpAccountant.sol";

/// @title FlTaskRules
/// @notice The rules of a federated task that need no storage: whether a config is valid
///         (docs/fl.md) and the epsilon a private task has spent after some rounds
///         (docs/privacy.md). The coordinator creates one and asks it; inside the
///         coordinator they would take it past the contract size limit (EIP-170).
/// @dev Its errors are the coordinator's (same signatures): they pass through its calls.
contract FlTaskRules {
    uint256 public constant MAX_PARTICIPANTS = 256;
    uint256 public constant MAX_ROUNDS = 1_000;

    /// @notice A config field is out of range.
    error FlConfigInvalid(bytes32 field, uint256 value);
    /// @notice Round `round` would take the epsilon past the budget (task 0: the one being created).
    error FlPrivacyBudgetExceeded(uint256 taskId, uint256 round, uint256 epsilonMicros, uint256 budgetMicros);

    /// @notice Refuses a new task's config by the first field out of range.
    function checkConfig(IFederatedTraining.TaskConfig calldata c) external view {
        _want(c.initialRoot != bytes32(0), "initialRoot", 0);
        // Joins close at the start: a start in the past would admit nobody.
        _want(c.startsAt > block.timestamp, "startsAt", c.startsAt);
        _want(c.elementCount != 0, "elementCount", 0);
        _want(c.rounds != 0 && c.rounds <= MAX_ROUNDS, "rounds", c.rounds);
        _want(c.maxParticipants != 0 && c.maxParticipants <= MAX_PARTICIPANTS, "maxParticipants", c.maxParticipants);
        _want(c.quorum != 0 && c.quorum <= c.maxParticipants, "quorum", c.quorum);
        _want(c.submitWindow != 0, "submitWindow", 0);
        _want(c.aggregateWindow != 0, "aggregateWindow", 0);
        _want(c.challengeWindow != 0, "challengeWindow", 0);
        _want(c.joinStake != 0, "joinStake", 0);
        _want(c.aggregatorStake != 0, "aggregatorStake", 0);
        _want(c.aggregator != address(0), "aggregator", 0);
        _want(c.trimBetaBps < 5_000, "trimBetaBps", c.trimBetaBps);
        _want(c.royaltyBps <= 10_000, "royaltyBps", c.royaltyBps);
        if (c.strategy == IFederatedTraining.Strategy.Krum || c.strategy == IFederatedTraining.Strategy.MultiKrum) {
            _want(uint256(c.quorum) > 2 * uint256(c.krumByzantine) + 2, "quorum", c.quorum);
            if (c.strategy == IFederatedTraining.Strategy.MultiKrum) {
                _want(c.krumSelect != 0 && c.krumSelect <= c.quorum, "krumSelect", c.krumSelect);
            }
        }
        _checkPrivacy(c);
    }

    /// @notice The epsilon (millionths, rounded up) after `rounds` rounds with noise multiplier
    ///         `noiseMicros` (millionths) for delta `deltaAtto` (1e-18): DpAccountant.
    function epsilonAfter(uint256 noiseMicros, uint256 deltaAtto, uint256 rounds) external pure returns (uint256) {
        return DpAccountant.epsilonAfter(noiseMicros, deltaAtto, rounds);
    }

    /// @dev All four DP fields zero (no DP), or a budget with a real delta, noise and clipping
    ///      norm that round 1 already fits in: a budget with no noise bounds nothing, and half
    ///      a config is not read as "no DP".
    function _checkPrivacy(IFederatedTraining.TaskConfig calldata c) private pure {
        if (c.dpEpsilonMicros == 0) {
            _want(c.dpDeltaAtto == 0, "dpDeltaAtto", c.dpDeltaAtto);
            _want(c.dpNoiseMicros == 0, "dpNoiseMicros", c.dpNoiseMicros);
            _want(c.dpClipMicros == 0, "dpClipMicros", c.dpClipMicros);
            return;
        }
        _want(c.dpDeltaAtto != 0 && c.dpDeltaAtto < DpAccountant.WAD, "dpDeltaAtto", c.dpDeltaAtto);
        _want(c.dpNoiseMicros != 0, "dpNoiseMicros", 0);
        _want(c.dpClipMicros != 0, "dpClipMicros", 0);
        uint256 first = DpAccountant.epsilonAfter(c.dpNoiseMicros, c.dpDeltaAtto, 1);
        if (first > c.dpEpsilonMicros) revert FlPrivacyBudgetExceeded(0, 1, first, c.dpEpsilonMicros);
    }

    /// @dev One config check: refuses `field` with its value unless `ok`.
    function _want(bool ok, bytes32 field, uint256 value) private pure {
        if (!ok) revert FlConfigInvalid(field, value);
    }
}
