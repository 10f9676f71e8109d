// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {FixedPointMath} from "./FixedPointMath.sol";

/// @title LayerMath
/// @notice One output element of one layer of the fixed-point engine: which input elements
///         it reads (its window) and the value it takes (docs/engine-spec.md, sections 3 and 7).
///         The layer's geometry is its committed parameter leaf (section 6, "Layer parameters").
library LayerMath {
    uint256 internal constant OP_DENSE = 1;
    uint256 internal constant OP_CONV = 2;
    uint256 internal constant OP_RELU = 3;
    uint256 internal constant OP_MAXPOOL = 4;
    uint256 internal constant OP_AVGPOOL = 5;
    uint256 internal constant OP_ADD = 6;

    /// @notice A window position that falls in the zero padding.
    uint256 internal constant PAD = type(uint256).max;

    /// @notice The 26 words of a parameter leaf, in specification order. Its leaf node is
    ///         keccak256(abi.encode(params)).
    struct Params {
        uint256 layer;
        uint256 layerCount;
        uint256 op;
        uint256 inputA;
        uint256 inputB;
        uint256 inC;
        uint256 inH;
        uint256 inW;
        uint256 outC;
        uint256 outH;
        uint256 outW;
        uint256 kh;
        uint256 kw;
        uint256 sh;
        uint256 sw;
        uint256 pt;
        uint256 pl;
        uint256 pb;
        uint256 pr;
        uint256 dh;
        uint256 dw;
        uint256 group;
        uint256 shift;
        uint256 alignA;
        uint256 alignB;
        uint256 reciprocal;
    }

    /// @notice The parameter leaf node.
    function leaf(Params memory p) internal pure returns (bytes32) {
        return keccak256(abi.encode(p));
    }

    /// @notice Elements of the input tensor(s) the layer reads.
    function inSize(Params memory p) internal pure returns (uint256) {
        return p.inC * p.inH * p.inW;
    }

    /// @notice Elements of the layer's output tensor.
    function outSize(Params memory p) internal pure returns (uint256) {
        return p.outC * p.outH * p.outW;
    }

    /// @notice Dense and conv layers have weight rows.
    function isWeighted(Params memory p) internal pure returns (bool) {
        return p.op == OP_DENSE || p.op == OP_CONV;
    }

    /// @notice The weight row output element `index` uses: its neuron (dense) or channel (conv).
    function rowOf(Params memory p, uint256 index) internal pure returns (uint256) {
        return p.op == OP_DENSE ? index : index / (p.outH * p.outW);
    }

    /// @notice Weights per row: K (dense) or C/g * kh * kw (conv).
    function rowLength(Params memory p) internal pure returns (uint256) {
        return p.op == OP_DENSE ? p.inC : (p.inC / p.group) * p.kh * p.kw;
    }

    /// @notice The positions in input A that output element `index` reads, in the order the
    ///         formula sums them; PAD marks a position in the zero padding. Input B (add) is
    ///         read at `index` itself.
    function window(Params memory p, uint256 index) internal pure returns (uint256[] memory pos) {
        uint256 op = p.op;
        if (op == OP_DENSE) {
            pos = new uint256[](p.inC);
            for (uint256 k; k < pos.length; ++k) {
                pos[k] = k;
            }
        } else if (op == OP_RELU || op == OP_ADD) {
            pos = new uint256[](1);
            pos[0] = index;
        } else {
            pos = _spatialWindow(p, index);
        }
    }

    /// @notice The value of output element `index` from its window of input A (zeros at PAD
    ///         positions), input B's element (add), and for weighted layers the row.
    /// @param pos The window positions from `window` (marks padding).
    /// @param a Values at `pos` in input A (0 where pos is PAD).
    /// @param b Input B's element at `index` (add only).
    /// @param weights The row as int16 big-endian (weighted layers only).
    /// @param bias The row's bias (weighted layers only).
    /// @param rowShift The row's shift (weighted layers only; add uses the parameter leaf's).
    function evaluate(
        Params memory p,
        uint256[] memory pos,
        int256[] memory a,
        int256 b,
        bytes memory weights,
        int256 bias,
        uint256 rowShift
    ) internal pure returns (int256) {
        uint256 op = p.op;
        if (op == OP_DENSE || op == OP_CONV) {
            return FixedPointMath.dotRequantizeRoundHalfUp(a, weights, bias, rowShift);
        }
        if (op == OP_RELU) return FixedPointMath.relu(a[0]);
        if (op == OP_ADD) return FixedPointMath.addRequantizeRoundHalfUp(a[0], b, p.alignA, p.alignB, p.shift);
        if (op == OP_MAXPOOL) {
            int256 best = type(int256).min;
            for (uint256 k; k < pos.length; ++k) {
                if (pos[k] != PAD && a[k] > best) best = a[k];
            }
            return best;
        }
        int256 sum;
        for (uint256 k; k < a.length; ++k) {
            sum += a[k];
        }
        return FixedPointMath.averageRoundHalfUp(sum, p.reciprocal);
    }

    /// @dev Conv and pool windows over CHW input with zero padding: (c, i, j) order.
    function _spatialWindow(Params memory p, uint256 index) private pure returns (uint256[] memory pos) {
        uint256 plane = p.outH * p.outW;
        uint256 oc = index / plane;
        uint256 channels = 1;
        uint256 c0 = oc;
        // Pools have no dilation: a step of one.
        uint256[2] memory dilation = [uint256(1), uint256(1)];
        if (p.op == OP_CONV) {
            channels = p.inC / p.group;
            c0 = (oc / (p.outC / p.group)) * channels;
            dilation = [p.dh, p.dw];
        }
        // Top-left corner of the window in padded coordinates.
        uint256[2] memory corner = [((index % plane) / p.outW) * p.sh, (index % p.outW) * p.sw];
        pos = new uint256[](channels * p.kh * p.kw);
        uint256 k;
        for (uint256 c; c < channels; ++c) {
            uint256 base = (c0 + c) * p.inH * p.inW;
            for (uint256 i; i < p.kh; ++i) {
                k = _fillRow(p, pos, k, base, corner[0] + i * dilation[0], corner[1], dilation[1]);
            }
        }
    }

    /// @dev One kernel row of a window: padded row `h`, columns from `v0` by `dw`.
    function _fillRow(Params memory p, uint256[] memory pos, uint256 k, uint256 base, uint256 h, uint256 v0, uint256 dw)
        private
        pure
        returns (uint256)
    {
        bool rowInside = h >= p.pt && h - p.pt < p.inH;
        for (uint256 j; j < p.kw; ++j) {
            uint256 v = v0 + j * dw;
            bool inside = rowInside && v >= p.pl && v - p.pl < p.inW;
            pos[k++] = inside ? base + (h - p.pt) * p.inW + (v - p.pl) : PAD;
        }
        return k;
    }
}
