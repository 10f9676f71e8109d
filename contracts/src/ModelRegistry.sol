// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IModelRegistry} from "./interfaces/IModelRegistry.sol";
import {ITrellisParams} from "./interfaces/ITrellisParams.sol";

/// @title ModelRegistry
/// @notice Holds no tokens: it only records who owns a model and what royalty it charges.
///         Royalty increases wait `royaltyNotice` (TrellisParams) before they apply; decreases
///         apply at once.
contract ModelRegistry is IModelRegistry {
    /// @notice Where the royalty cap is read from.
    ITrellisParams public immutable params;

    mapping(bytes32 modelId => Model) private _models;

    /// @param params_ The TrellisParams contract.
    constructor(ITrellisParams params_) {
        params = params_;
    }

    /// @inheritdoc IModelRegistry
    function publish(bytes32 contentHash, bytes32 weightCommitment, string calldata metadataURI, uint16 royaltyBps)
        external
        returns (bytes32 modelId)
    {
        if (contentHash == bytes32(0)) revert ModelEmptyContentHash();
        modelId = modelIdOf(msg.sender, contentHash);
        if (_models[modelId].owner != address(0)) revert ModelAlreadyPublished(modelId);
        _checkRoyalty(royaltyBps);
        _models[modelId] = Model({
            owner: msg.sender,
            royaltyBps: royaltyBps,
            deprecated: false,
            pendingRoyaltyBps: 0,
            royaltyEffectiveAt: 0,
            contentHash: contentHash,
            weightCommitment: weightCommitment,
            metadataURI: metadataURI
        });
        emit ModelPublished(modelId, msg.sender, contentHash, weightCommitment, metadataURI, royaltyBps);
    }

    /// @inheritdoc IModelRegistry
    function setWeightCommitment(bytes32 modelId, bytes32 weightCommitment) external {
        Model storage model = _ownedBySender(modelId);
        if (weightCommitment == bytes32(0)) revert ModelEmptyCommitment();
        if (model.weightCommitment != bytes32(0)) revert ModelCommitmentAlreadySet(modelId, model.weightCommitment);
        model.weightCommitment = weightCommitment;
        emit WeightCommitmentSet(modelId, weightCommitment);
    }

    /// @inheritdoc IModelRegistry
    function setRoyalty(bytes32 modelId, uint16 royaltyBps) external {
        Model storage model = _ownedBySender(modelId);
        _checkRoyalty(royaltyBps);
        // Fold an increase whose time has come into the royalty in force.
        uint16 current = _royaltyInForce(model);
        uint16 pending = _pendingRoyaltyBps(model);
        model.royaltyBps = current;
        if (royaltyBps > current) {
            uint40 effectiveAt = SafeCast.toUint40(block.timestamp + params.royaltyNotice());
            model.pendingRoyaltyBps = royaltyBps;
            model.royaltyEffectiveAt = effectiveAt;
            emit RoyaltyIncreaseScheduled(modelId, current, royaltyBps, effectiveAt);
        } else {
            model.pendingRoyaltyBps = 0;
            model.royaltyEffectiveAt = 0;
            if (pending != 0) emit RoyaltyIncreaseCancelled(modelId, pending);
            emit RoyaltySet(modelId, current, royaltyBps);
            model.royaltyBps = royaltyBps;
        }
    }

    /// @inheritdoc IModelRegistry
    function transfer(bytes32 modelId, address newOwner) external {
        Model storage model = _ownedBySender(modelId);
        if (newOwner == address(0)) revert ModelZeroOwner();
        emit ModelTransferred(modelId, model.owner, newOwner);
        model.owner = newOwner;
    }

    /// @inheritdoc IModelRegistry
    function deprecate(bytes32 modelId) external {
        Model storage model = _ownedBySender(modelId);
        if (model.deprecated) revert ModelAlreadyDeprecated(modelId);
        model.deprecated = true;
        emit ModelDeprecated(modelId);
    }

    /// @inheritdoc IModelRegistry
    function modelIdOf(address publisher, bytes32 contentHash) public pure returns (bytes32) {
        return keccak256(abi.encode(publisher, contentHash));
    }

    /// @inheritdoc IModelRegistry
    function getModel(bytes32 modelId) external view returns (Model memory model) {
        Model storage stored = _models[modelId];
        model = stored;
        model.royaltyBps = _royaltyInForce(stored);
        model.pendingRoyaltyBps = _pendingRoyaltyBps(stored);
        if (model.pendingRoyaltyBps == 0) model.royaltyEffectiveAt = 0;
    }

    /// @inheritdoc IModelRegistry
    function ownerOf(bytes32 modelId) external view returns (address) {
        return _models[modelId].owner;
    }

    /// @inheritdoc IModelRegistry
    function royaltyBpsOf(bytes32 modelId) external view returns (uint16) {
        return _royaltyInForce(_models[modelId]);
    }

    /// @inheritdoc IModelRegistry
    function pendingRoyalty(bytes32 modelId) external view returns (uint16 royaltyBps, uint64 effectiveAt) {
        Model storage model = _models[modelId];
        royaltyBps = _pendingRoyaltyBps(model);
        if (royaltyBps != 0) effectiveAt = model.royaltyEffectiveAt;
    }

    /// @inheritdoc IModelRegistry
    function weightCommitmentOf(bytes32 modelId) external view returns (bytes32) {
        return _models[modelId].weightCommitment;
    }

    /// @inheritdoc IModelRegistry
    function isDeprecated(bytes32 modelId) external view returns (bool) {
        return _models[modelId].deprecated;
    }

    /// @inheritdoc IModelRegistry
    function royaltyInfo(bytes32 modelId) external view returns (address owner, uint16 royaltyBps) {
        Model storage model = _models[modelId];
        return (model.owner, _royaltyInForce(model));
    }

    // ------------------------------------------------------------------ internal

    function _ownedBySender(bytes32 modelId) private view returns (Model storage model) {
        model = _models[modelId];
        if (model.owner == address(0)) revert ModelUnknown(modelId);
        if (model.owner != msg.sender) revert ModelNotOwner(modelId, model.owner, msg.sender);
    }

    /// @dev The royalty redemptions pay now: a scheduled increase once its time has come.
    function _royaltyInForce(Model storage model) private view returns (uint16) {
        uint256 effectiveAt = model.royaltyEffectiveAt;
        if (effectiveAt != 0 && block.timestamp >= effectiveAt) return model.pendingRoyaltyBps;
        return model.royaltyBps;
    }

    /// @dev The announced increase still waiting for its time, or zero.
    function _pendingRoyaltyBps(Model storage model) private view returns (uint16) {
        uint256 effectiveAt = model.royaltyEffectiveAt;
        if (effectiveAt != 0 && block.timestamp < effectiveAt) return model.pendingRoyaltyBps;
        return 0;
    }

    function _checkRoyalty(uint256 royaltyBps) private view {
        uint256 cap = params.royaltyCapBps();
        if (royaltyBps > cap) revert ModelRoyaltyTooHigh(royaltyBps, cap);
    }
}
