// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IModelRegistry} from "../interfaces/IModelRegistry.sol";
import {LayerMath} from "./LayerMath.sol";

/// @title WeightLeaves
/// @notice The leaves of a model's weight commitment (docs/engine-spec.md, section 6): one per
///         weight row, then one parameter leaf per layer. Every contract that opens a leaf of
///         a commitment checks it the same way against the published shape.
library WeightLeaves {
    /// @notice The leaf node of weight row `row` of `layer`: its shift, bias and int16 weights.
    function rowLeaf(uint256 layer, uint256 row, uint256 rowShift, int256 bias, bytes memory weights)
        internal
        pure
        returns (bytes32)
    {
        return keccak256(abi.encodePacked(uint32(layer), uint32(row), uint8(rowShift), int64(bias), weights));
    }

    /// @notice Whether a row's shift and bias fit the widths the leaf encodes them in.
    function rowFieldsFit(uint256 rowShift, int256 bias) internal pure returns (bool) {
        return rowShift <= type(uint8).max && bias == int64(bias);
    }

    /// @notice Whether proven layer parameters agree with the published shape of their layer.
    function matchesShape(
        IModelRegistry registry,
        bytes32 modelId,
        LayerMath.Params memory p,
        IModelRegistry.LayerShape memory shape,
        uint256 layerCount,
        uint256 inputSize
    ) internal view returns (bool) {
        if (p.layerCount != layerCount || LayerMath.outSize(p) != shape.outSize) return false;
        if (p.inputA != shape.inputA || p.inputB != shape.inputB || p.inputA >= p.layer) return false;
        uint256 sizeA = p.inputA == 0 ? inputSize : registry.layerShape(modelId, p.inputA).outSize;
        if (LayerMath.inSize(p) != sizeA) return false;
        if (LayerMath.window(p, 0).length != shape.fanIn) return false;
        return LayerMath.isWeighted(p) ? LayerMath.rowLength(p) == shape.rowLength : shape.rowLength == 0;
    }
}
