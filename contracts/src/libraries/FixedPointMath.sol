// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title FixedPointMath
/// @notice The integer arithmetic of the Trellis fixed-point engine (docs/engine-spec.md,
///         sections 1 and 3), bit for bit. Activations are int16 values held in int256;
///         accumulators stay below 2^53 for committed models, so nothing here can overflow
///         int256 for inputs in range.
/// @dev Rounding is named in every helper: `RoundHalfUp` is floor((x + 2^(s-1)) / 2^s),
///      done with an arithmetic right shift (which floors on int256), never with `/`.
library FixedPointMath {
    /// @notice Smallest activation (int16).
    int256 internal constant ACT_MIN = -32768;
    /// @notice Largest activation (int16).
    int256 internal constant ACT_MAX = 32767;
    /// @notice Scale of the average-pool reciprocal: R stands for R * 2^-32.
    uint256 internal constant RECIPROCAL_FRAC = 32;

    /// @notice Rounding shift, round half up: floor((x + 2^(s-1)) / 2^s); x itself when s = 0.
    function shiftRoundHalfUp(int256 x, uint256 s) internal pure returns (int256) {
        if (s == 0) return x;
        return (x + int256(1 << (s - 1))) >> s;
    }

    /// @notice Saturation to the activation range [-32768, 32767].
    function saturate(int256 x) internal pure returns (int256) {
        if (x < ACT_MIN) return ACT_MIN;
        if (x > ACT_MAX) return ACT_MAX;
        return x;
    }

    /// @notice Requantization: shift right by `s` rounding half up, then saturate to int16.
    function requantizeRoundHalfUp(int256 acc, uint256 s) internal pure returns (int256) {
        return saturate(shiftRoundHalfUp(acc, s));
    }

    /// @notice The int16 at position `k` of big-endian packed weights.
    function weightAt(bytes memory weights, uint256 k) internal pure returns (int256 w) {
        assembly ("memory-safe") {
            w := signextend(1, shr(240, mload(add(add(weights, 32), mul(k, 2)))))
        }
    }

    /// @notice One dense or conv output element: requant(bias + sum_k x[k] * w[k], s).
    /// @param x The window of inputs, zeros at padded positions (length K).
    /// @param weights The row as K int16 big-endian values (2K bytes).
    /// @param bias At the accumulator scale.
    /// @param s Requantization shift.
    function dotRequantizeRoundHalfUp(int256[] memory x, bytes memory weights, int256 bias, uint256 s)
        internal
        pure
        returns (int256)
    {
        int256 acc = bias;
        uint256 n = x.length;
        for (uint256 k; k < n; ++k) {
            int256 v = x[k];
            if (v != 0) acc += v * weightAt(weights, k);
        }
        return requantizeRoundHalfUp(acc, s);
    }

    /// @notice Relu: max(0, x).
    function relu(int256 x) internal pure returns (int256) {
        return x > 0 ? x : int256(0);
    }

    /// @notice Add of two aligned inputs: requant(a * 2^alignA + b * 2^alignB, s).
    function addRequantizeRoundHalfUp(int256 a, int256 b, uint256 alignA, uint256 alignB, uint256 s)
        internal
        pure
        returns (int256)
    {
        return requantizeRoundHalfUp(a * int256(1 << alignA) + b * int256(1 << alignB), s);
    }

    /// @notice Average of a window by reciprocal: requant(sum * R, 32), with R = 2^32 / count
    ///         rounded half up (padded positions count as zeros in `sum`).
    function averageRoundHalfUp(int256 sum, uint256 reciprocal) internal pure returns (int256) {
        return requantizeRoundHalfUp(sum * int256(reciprocal), RECIPROCAL_FRAC);
    }
}
