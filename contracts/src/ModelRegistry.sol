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
    /// @notice Most layers a verifiable model may have: `revealRoots` carries one root per
    ///         tensor, so this bounds that move.
    uint256 public constant MAX_LAYERS = 128;
    /// @notice Most elements of one tensor (2^24): trees stay at most 24 levels deep.
    uint256 public constant MAX_TENSOR_SIZE = 1 << 24;
    /// @notice Most 32-byte calldata words a dispute step may need (operands, their paths,
    ///         the weight row and its path): 3072 words are 96 KiB, under the 128 KiB
    ///         transaction size most nodes accept, and about 3.5 M gas (docs/disputes.md).
    uint256 public constant MAX_STEP_WORDS = 3072;

    /// @notice Where the royalty cap is read from.
    ITrellisParams public immutable params;

    mapping(bytes32 modelId => Model) private _models;

    /// @dev The model-wide part of a shape; `layerCount` 0 means no shape.
    struct ShapeHeader {
        uint32 inputSize;
        uint32 rowCount;
        uint32 layerCount;
    }

    mapping(bytes32 modelId => ShapeHeader) private _shapeHeaders;
    mapping(bytes32 modelId => LayerShape[]) private _layerShapes;

    /// @param params_ The TrellisParams contract.
    constructor(ITrellisParams params_) {
        params = params_;
    }

    /// @inheritdoc IModelRegistry
    function publish(
        bytes32 contentHash,
        bytes32 weightCommitment,
        Shape calldata shape,
        string calldata metadataURI,
        uint16 royaltyBps
    ) external returns (bytes32 modelId) {
        if (contentHash == bytes32(0)) revert ModelEmptyContentHash();
        modelId = modelIdOf(msg.sender, contentHash);
        if (_models[modelId].owner != address(0)) revert ModelAlreadyPublished(modelId);
        _checkRoyalty(royaltyBps);
        if ((weightCommitment == bytes32(0)) != (shape.layers.length == 0)) revert ModelShapeMissing(modelId);
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
        if (weightCommitment != bytes32(0)) _setShape(modelId, shape);
    }

    /// @inheritdoc IModelRegistry
    function setWeightCommitment(bytes32 modelId, bytes32 weightCommitment, Shape calldata shape) external {
        Model storage model = _ownedBySender(modelId);
        if (weightCommitment == bytes32(0)) revert ModelEmptyCommitment();
        if (model.weightCommitment != bytes32(0)) revert ModelCommitmentAlreadySet(modelId, model.weightCommitment);
        if (shape.layers.length == 0) revert ModelShapeMissing(modelId);
        model.weightCommitment = weightCommitment;
        emit WeightCommitmentSet(modelId, weightCommitment);
        _setShape(modelId, shape);
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
    function shapeOf(bytes32 modelId) external view returns (Shape memory shape) {
        ShapeHeader memory header = _shapeHeaders[modelId];
        shape.inputSize = header.inputSize;
        shape.rowCount = header.rowCount;
        shape.layers = _layerShapes[modelId];
    }

    /// @inheritdoc IModelRegistry
    function shapeSummary(bytes32 modelId)
        external
        view
        returns (uint32 inputSize, uint32 rowCount, uint256 layerCount)
    {
        ShapeHeader memory header = _shapeHeaders[modelId];
        return (header.inputSize, header.rowCount, header.layerCount);
    }

    /// @inheritdoc IModelRegistry
    function layerShape(bytes32 modelId, uint256 layer) external view returns (LayerShape memory) {
        LayerShape[] storage layers = _layerShapes[modelId];
        if (layer == 0 || layer > layers.length) revert ModelShapeInvalid(layer, "layer", layer);
        return layers[layer - 1];
    }

    /// @inheritdoc IModelRegistry
    function maxStepWords() external pure returns (uint256) {
        return MAX_STEP_WORDS;
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

    /// @dev Checks what can be checked of a shape without the weights, then stores it: sizes
    ///      and positions in range, layers reading only earlier tensors, and every layer's
    ///      dispute step within MAX_STEP_WORDS (so no model can make an honest defence or an
    ///      honest challenge impossible to fit in a transaction).
    function _setShape(bytes32 modelId, Shape calldata shape) private {
        uint256 count = shape.layers.length;
        if (count > MAX_LAYERS) revert ModelShapeInvalid(0, "layerCount", count);
        _checkSize(0, "inputSize", shape.inputSize);
        // `open` carries the input packed, 16 elements a word.
        uint256 inputWords = _chunksOf(shape.inputSize);
        if (inputWords > MAX_STEP_WORDS) revert ModelStepTooLarge(0, inputWords, MAX_STEP_WORDS);
        uint256 rowDepth = _depthOf(uint256(shape.rowCount) + count);
        LayerShape[] storage stored = _layerShapes[modelId];
        for (uint256 l = 1; l <= count; ++l) {
            LayerShape calldata layer = shape.layers[l - 1];
            _checkSize(l, "outSize", layer.outSize);
            if (layer.inputA >= l) revert ModelShapeInvalid(l, "inputA", layer.inputA);
            if (layer.inputB >= l) revert ModelShapeInvalid(l, "inputB", layer.inputB);
            uint256 sizeA = _sizeOf(shape, layer.inputA);
            if (layer.fanIn == 0 || layer.fanIn > sizeA) revert ModelShapeInvalid(l, "fanIn", layer.fanIn);
            if (layer.rowStart > shape.rowCount) revert ModelShapeInvalid(l, "rowStart", layer.rowStart);
            // The step opens input A's chunks (16 elements each) all at once or one by one
            // with their paths, whichever is smaller (a window reads at most one chunk per
            // element), one chunk of input B (add), and the weight row with its path.
            uint256 chunksA = _chunksOf(sizeA);
            uint256 read = layer.fanIn < chunksA ? layer.fanIn : chunksA;
            uint256 byChunk = read * (1 + _depthOf(chunksA));
            uint256 words =
                (byChunk < chunksA ? byChunk : chunksA) + 1 + _depthOf(_chunksOf(_sizeOf(shape, layer.inputB)));
            if (layer.rowLength != 0) words += (2 * uint256(layer.rowLength) + 31) / 32 + rowDepth;
            if (words > MAX_STEP_WORDS) revert ModelStepTooLarge(l, words, MAX_STEP_WORDS);
            stored.push(layer);
        }
        _shapeHeaders[modelId] =
            ShapeHeader({inputSize: shape.inputSize, rowCount: shape.rowCount, layerCount: uint32(count)});
        emit ModelShapeSet(modelId, shape.inputSize, shape.rowCount, count);
    }

    function _checkSize(uint256 layer, bytes32 field, uint256 size) private pure {
        if (size == 0 || size > MAX_TENSOR_SIZE) revert ModelShapeInvalid(layer, field, size);
    }

    function _sizeOf(Shape calldata shape, uint256 tensor) private pure returns (uint256) {
        return tensor == 0 ? shape.inputSize : shape.layers[tensor - 1].outSize;
    }

    /// @dev Chunks (trace tree leaves, 16 elements each) of a tensor of n elements.
    function _chunksOf(uint256 n) private pure returns (uint256) {
        return (n + 15) / 16;
    }

    /// @dev ceil(log2(n)), the depth of the engine's Merkle tree over n leaves.
    function _depthOf(uint256 n) private pure returns (uint256 d) {
        while ((uint256(1) << d) < n) ++d;
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
