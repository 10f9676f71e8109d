// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IEscrow} from "../interfaces/IEscrow.sol";
import {IDisputeGame} from "../interfaces/IDisputeGame.sol";
import {IAgentIdentity} from "../interfaces/IAgentIdentity.sol";
import {IValidationRegistry} from "../interfaces/IValidationRegistry.sol";
import {IReputationRegistry} from "../interfaces/IReputationRegistry.sol";

/// @title ReputationRegistry
/// @notice Reputation from verified work (see IReputationRegistry). Every permissionless
///         record re-reads the fact from the contract that keeps it, so a caller can only
///         choose when a fact is recorded, never what it says.
contract ReputationRegistry is IReputationRegistry {
    bytes32 public constant TAG_REDEEMED = "redeemed";
    bytes32 public constant TAG_DISPUTE_LOST = "dispute-lost";
    bytes32 public constant TAG_VALIDATION = "validation";
    /// @notice A lost dispute weighs as much as this many units of paid work.
    uint256 public constant LOSS_WEIGHT = 100;
    /// @notice A failed validation weighs as much as this many units of paid work.
    uint256 public constant FAIL_WEIGHT = 10;
    /// @notice Of a validator's 0..100, what counts as passed.
    uint8 public constant PASS_RESPONSE = 50;

    IEscrow public immutable escrow;
    IDisputeGame public immutable disputeGame;
    IAgentIdentity public immutable identityRegistry;
    IValidationRegistry public immutable validationRegistry;
    /// @notice Its owner is governance.
    Ownable public immutable params;
    /// @notice Paid work in token base units that counts as one unit of evidence (1 tUSD).
    uint256 public immutable workUnit;

    mapping(address subject => Record) private _records;
    mapping(bytes32 channel => uint256) private _recordedRedeemed;
    mapping(bytes32 fact => bool) private _recorded;
    mapping(address => bool) private _trustedValidators;
    mapping(address => bool) private _trustedSources;

    constructor(
        IEscrow escrow_,
        IDisputeGame disputeGame_,
        IAgentIdentity identityRegistry_,
        IValidationRegistry validationRegistry_,
        Ownable params_,
        uint256 workUnit_
    ) {
        escrow = escrow_;
        disputeGame = disputeGame_;
        identityRegistry = identityRegistry_;
        validationRegistry = validationRegistry_;
        params = params_;
        workUnit = workUnit_ == 0 ? 1 : workUnit_;
    }

    // ------------------------------------------------------------------ writes (anyone)

    /// @inheritdoc IReputationRegistry
    function recordRedemption(address client, address provider, bytes32 modelId) external returns (uint256 added) {
        if (client == provider) revert ReputationSelfDealing(client);
        bytes32 channel = escrow.channelId(client, provider, modelId);
        uint256 redeemed = escrow.redeemed(client, provider, modelId);
        uint256 recorded = _recordedRedeemed[channel];
        if (redeemed <= recorded) revert ReputationNothingNew(channel, redeemed, recorded);
        added = redeemed - recorded;
        _recordedRedeemed[channel] = redeemed;
        _records[provider].paidServed += added;
        _records[client].paidSpent += added;
        emit NewFeedback(provider, address(escrow), TAG_REDEEMED, int256(added), channel);
    }

    /// @inheritdoc IReputationRegistry
    function recordDisputeLoss(IDisputeGame.Receipt calldata receipt) external {
        // The digest binds every field, the provider included: a receipt edited to name
        // another provider is another receipt, one the game never settled.
        bytes32 receiptId = disputeGame.receiptDigest(receipt);
        if (!disputeGame.isSettled(receiptId)) revert ReputationDisputeNotLost(receiptId);
        _once(keccak256(abi.encode(TAG_DISPUTE_LOST, receiptId)));
        _records[receipt.provider].disputesLost += 1;
        emit NewFeedback(receipt.provider, address(disputeGame), TAG_DISPUTE_LOST, -1, receiptId);
    }

    /// @inheritdoc IReputationRegistry
    function recordValidation(bytes32 requestHash) external {
        IValidationRegistry.ValidationStatus memory s = validationRegistry.getValidationStatus(requestHash);
        if (!s.hasResponse) revert ReputationNoResponse(requestHash);
        if (!_trustedValidators[s.validatorAddress]) revert ReputationUntrustedValidator(s.validatorAddress);
        address wallet = identityRegistry.getAgentWallet(s.agentId);
        if (wallet == address(0)) revert ReputationNoWallet(s.agentId);
        _once(keccak256(abi.encode(TAG_VALIDATION, requestHash)));
        bool passed = s.response >= PASS_RESPONSE;
        if (passed) _records[wallet].validationsPassed += 1;
        else _records[wallet].validationsFailed += 1;
        emit NewFeedback(wallet, s.validatorAddress, TAG_VALIDATION, int256(uint256(s.response)), requestHash);
    }

    // ------------------------------------------------------------------ writes (restricted)

    /// @inheritdoc IReputationRegistry
    function giveFeedback(address subject, int8 value, bytes32 tag, bytes32 evidence) external {
        if (!_trustedSources[msg.sender]) revert ReputationNotSource(msg.sender);
        if (subject == msg.sender) revert ReputationSelfFeedback(subject);
        if (value < -100 || value > 100) revert ReputationValueOutOfRange(value);
        _once(keccak256(abi.encode(msg.sender, tag, evidence, subject)));
        Record storage r = _records[subject];
        r.feedbackSum += value;
        r.feedbackCount += 1;
        emit NewFeedback(subject, msg.sender, tag, value, evidence);
    }

    /// @inheritdoc IReputationRegistry
    function setTrustedValidator(address validator, bool trusted) external {
        _onlyGovernance();
        _trustedValidators[validator] = trusted;
        emit ValidatorTrusted(validator, trusted);
    }

    /// @inheritdoc IReputationRegistry
    function setTrustedSource(address source, bool trusted) external {
        _onlyGovernance();
        _trustedSources[source] = trusted;
        emit SourceTrusted(source, trusted);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IReputationRegistry
    function reputationOf(address subject) external view returns (Record memory) {
        return _records[subject];
    }

    /// @inheritdoc IReputationRegistry
    function scoreOf(address subject) public view returns (uint256) {
        Record memory r = _records[subject];
        uint256 good = (r.paidServed + r.paidSpent) / workUnit + r.validationsPassed;
        uint256 bad = uint256(r.disputesLost) * LOSS_WEIGHT + uint256(r.validationsFailed) * FAIL_WEIGHT;
        if (r.feedbackSum > 0) good += uint256(int256(r.feedbackSum)) / 100;
        else bad += uint256(-int256(r.feedbackSum)) / 100;
        // (good + 1) / (good + bad + 2): one imagined success and one failure, so no
        // evidence reads as 5000 and a newcomer never outranks a proven record.
        return (good + 1) * 10_000 / (good + bad + 2);
    }

    /// @inheritdoc IReputationRegistry
    function scoresOf(address[] calldata subjects) external view returns (uint256[] memory scores) {
        scores = new uint256[](subjects.length);
        for (uint256 i; i < subjects.length; ++i) {
            scores[i] = scoreOf(subjects[i]);
        }
    }

    /// @inheritdoc IReputationRegistry
    function getSummary(uint256 agentId) external view returns (address wallet, Record memory record, uint256 score) {
        wallet = identityRegistry.getAgentWallet(agentId);
        record = _records[wallet];
        score = scoreOf(wallet);
    }

    /// @inheritdoc IReputationRegistry
    function isTrustedValidator(address validator) external view returns (bool) {
        return _trustedValidators[validator];
    }

    /// @inheritdoc IReputationRegistry
    function isTrustedSource(address source) external view returns (bool) {
        return _trustedSources[source];
    }

    // ------------------------------------------------------------------ internal

    function _once(bytes32 fact) private {
        if (_recorded[fact]) revert ReputationAlreadyRecorded(fact);
        _recorded[fact] = true;
    }

    function _onlyGovernance() private view {
        address governance = params.owner();
        if (msg.sender != governance) revert ReputationNotGovernance(msg.sender, governance);
    }
}
