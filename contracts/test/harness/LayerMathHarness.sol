// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {FixedPointMath} from "../../src/libraries/FixedPointMath.sol";
import {LayerMath} from "../../src/libraries/LayerMath.sol";
import {TraceMerkle} from "../../src/libraries/TraceMerkle.sol";

/// @title LayerMathHarness
/// @notice Exposes the fixed-point library for differential tests against the TypeScript
///         engine: whole layers computed element by element through `LayerMath.evaluate`,
///         many cases per call.
contract LayerMathHarness {
    /// @notice One random layer and its inputs.
    struct Case {
        LayerMath.Params params;
        int256[] a;
        int256[] b;
        /// @dev All rows, packed int16 big-endian, row after row.
        bytes weights;
        int256[] bias;
    }

    /// @notice Every output element of every case.
    function evaluateMany(Case[] calldata cases) external pure returns (int256[][] memory out) {
        out = new int256[][](cases.length);
        for (uint256 c; c < cases.length; ++c) {
            out[c] = evaluateLayer(cases[c]);
        }
    }

    /// @notice Every output element of one layer.
    function evaluateLayer(Case calldata t) public pure returns (int256[] memory out) {
        LayerMath.Params memory p = t.params;
        uint256 n = LayerMath.outSize(p);
        out = new int256[](n);
        for (uint256 index; index < n; ++index) {
            out[index] = _element(p, t, index);
        }
    }

    /// @notice requantizeRoundHalfUp over many accumulators.
    function requantizeMany(int256[] calldata acc, uint256[] calldata shifts)
        external
        pure
        returns (int256[] memory out)
    {
        out = new int256[](acc.length);
        for (uint256 i; i < acc.length; ++i) {
            out[i] = FixedPointMath.requantizeRoundHalfUp(acc[i], shifts[i]);
        }
    }

    /// @notice The Merkle roots of tensors, as the trace defines them, from one value per
    ///         element (as ModelBounty takes an output) and from the packed elements (as
    ///         DisputeGame.open takes an input); zero where a value is not an int16.
    function tensorRootsMany(int256[][] calldata values, bytes[] calldata packed)
        external
        pure
        returns (bytes32[] memory fromValues, bytes32[] memory fromPacked)
    {
        fromValues = new bytes32[](values.length);
        fromPacked = new bytes32[](packed.length);
        for (uint256 t; t < values.length; ++t) {
            (bytes32 root, bool inRange) = TraceMerkle.rootOfValues(values[t]);
            fromValues[t] = inRange ? root : bytes32(0);
        }
        for (uint256 t; t < packed.length; ++t) {
            fromPacked[t] = TraceMerkle.rootOfPacked(packed[t]);
        }
    }

    function _element(LayerMath.Params memory p, Case calldata t, uint256 index) private pure returns (int256) {
        uint256[] memory pos = LayerMath.window(p, index);
        int256[] memory a = new int256[](pos.length);
        for (uint256 k; k < pos.length; ++k) {
            if (pos[k] != LayerMath.PAD) a[k] = t.a[pos[k]];
        }
        bytes memory row;
        int256 bias;
        if (LayerMath.isWeighted(p)) {
            uint256 r = LayerMath.rowOf(p, index);
            uint256 len = 2 * LayerMath.rowLength(p);
            row = t.weights[r * len:(r + 1) * len];
            bias = t.bias[r];
        }
        int256 b = p.op == LayerMath.OP_ADD ? t.b[index] : int256(0);
        return LayerMath.evaluate(p, pos, a, b, row, bias, p.shift);
    }
}
