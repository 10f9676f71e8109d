// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IDisputeGame} from "./IDisputeGame.sol";

/// @title IReputationRegistry
/// @notice Reputation of providers and agents, per address, from verified work only: nobody
///         writes a score. Each entry points at a fact the chain already holds, and anyone may
///         record it (once):
///         - paid work: the Escrow's redeemed total of a channel (client, provider, model)
///           grew; the growth counts as work served by the provider and paid by the client;
///         - lost disputes: the DisputeGame settled a receipt against its provider;
///         - validations: a validator governance trusts (a Trellis verifier contract)
///           answered a ValidationRegistry request about an agent.
///         Governance may also name source contracts that report outcomes directly
///         (`giveFeedback`), for Trellis contracts that learn facts no view keeps; a source
///         never reports on itself.
/// @dev Shaped after ERC-8004's reputation registry (`giveFeedback`, `NewFeedback`,
///      `getSummary`), keyed by address because providers are addresses in the
///      ProviderRegistry; `getSummary(agentId)` reads an agent's entry through its wallet.
interface IReputationRegistry {
    /// @notice What the record of one address holds.
    struct Record {
        /// @dev Paid work served, in token base units (as provider of redeemed channels).
        uint256 paidServed;
        /// @dev Paid work bought, in token base units (as client of redeemed channels).
        uint256 paidSpent;
        uint64 disputesLost;
        uint64 validationsPassed;
        uint64 validationsFailed;
        /// @dev Sum and count of outcomes reported by trusted source contracts (-100..100 each).
        int64 feedbackSum;
        uint64 feedbackCount;
    }

    // ------------------------------------------------------------------ errors

    /// @notice The channel's redeemed total is not above what was recorded.
    error ReputationNothingNew(bytes32 channel, uint256 redeemed, uint256 recorded);
    /// @notice A channel whose client is its provider proves no work for anyone.
    error ReputationSelfDealing(address account);
    /// @notice The DisputeGame holds no settlement against this receipt.
    error ReputationDisputeNotLost(bytes32 receiptId);
    /// @notice This fact was recorded already.
    error ReputationAlreadyRecorded(bytes32 fact);
    /// @notice The validation has no response yet.
    error ReputationNoResponse(bytes32 requestHash);
    /// @notice The validation's validator is not one governance trusts.
    error ReputationUntrustedValidator(address validator);
    /// @notice The agent has no wallet to credit.
    error ReputationNoWallet(uint256 agentId);
    /// @notice Only governance (the owner of TrellisParams) may do this.
    error ReputationNotGovernance(address caller, address governance);
    /// @notice `giveFeedback` came from a contract governance did not name as a source.
    error ReputationNotSource(address caller);
    /// @notice A source reporting on itself.
    error ReputationSelfFeedback(address subject);
    /// @notice Feedback outside -100..100.
    error ReputationValueOutOfRange(int8 value);

    // ------------------------------------------------------------------ events

    /// @notice An entry was recorded. `source` is the contract that holds the fact (the
    ///         Escrow, the DisputeGame, the validator, or the reporting source); `evidence` is
    ///         the channel, receipt or request it points at.
    event NewFeedback(
        address indexed subject, address indexed source, bytes32 indexed tag, int256 value, bytes32 evidence
    );
    event ValidatorTrusted(address indexed validator, bool trusted);
    event SourceTrusted(address indexed source, bool trusted);

    // ------------------------------------------------------------------ writes (anyone)

    /// @notice Records the growth of a channel's redeemed total since the last record.
    function recordRedemption(address client, address provider, bytes32 modelId) external returns (uint256 added);
    /// @notice Records that `receipt`'s provider lost a dispute on it.
    function recordDisputeLoss(IDisputeGame.Receipt calldata receipt) external;
    /// @notice Records a trusted validator's answer (>= 50 passed) for the agent's wallet.
    function recordValidation(bytes32 requestHash) external;

    // ------------------------------------------------------------------ writes (restricted)

    /// @notice An outcome reported by a trusted source contract.
    function giveFeedback(address subject, int8 value, bytes32 tag, bytes32 evidence) external;
    function setTrustedValidator(address validator, bool trusted) external;
    function setTrustedSource(address source, bool trusted) external;

    // ------------------------------------------------------------------ views

    function reputationOf(address subject) external view returns (Record memory);
    /// @notice A score in basis points for routing: 5000 with no evidence, towards 10000
    ///         with paid work and passed validations, towards 0 with lost disputes (each
    ///         weighs as `LOSS_WEIGHT` units of work) and failed validations.
    function scoreOf(address subject) external view returns (uint256);
    function scoresOf(address[] calldata subjects) external view returns (uint256[] memory);
    /// @notice The record and score of an agent's current wallet.
    function getSummary(uint256 agentId) external view returns (address wallet, Record memory record, uint256 score);
    function isTrustedValidator(address validator) external view returns (bool);
    function isTrustedSource(address source) external view returns (bool);
}
