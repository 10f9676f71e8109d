// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title FlAggregation
/// @notice The exact per-element aggregation rules of the element-wise strategies
///         (docs/fl.md, "Formats"); src/fl/aggregate-element.ts is the same rule in TypeScript.
///         Every input is first clamped into [-MAX_ABS, MAX_ABS], so a sender of an
///         out-of-range value moves the aggregate no further than a sender of the bound.
library FlAggregation {
    /// @notice Largest allowed |q|: 2^47 - 1.
    int256 internal constant MAX_ABS = int256(2 ** 47 - 1);

    function clamp(int256 q) internal pure returns (int256) {
        if (q > MAX_ABS) return MAX_ABS;
        if (q < -MAX_ABS) return -MAX_ABS;
        return q;
    }

    /// @notice floor(a / b) for b > 0 (Solidity's `/` truncates toward zero).
    function floorDiv(int256 a, int256 b) internal pure returns (int256 q) {
        q = a / b;
        if (a % b != 0 && a < 0) --q;
    }

    /// @notice s / n rounded half up (toward +inf): floor((2s + n) / (2n)), n > 0.
    function divRoundHalfUp(int256 s, int256 n) internal pure returns (int256) {
        return floorDiv(2 * s + n, 2 * n);
    }

    /// @notice sum(n_k * q_k) / sum(n_k), rounded half up.
    function weightedMean(int256[] memory values, uint256[] memory counts) internal pure returns (int256) {
        int256 s;
        int256 n;
        for (uint256 k; k < values.length; ++k) {
            int256 c = int256(counts[k]);
            s += c * clamp(values[k]);
            n += c;
        }
        return divRoundHalfUp(s, n);
    }

    /// @notice The median; for an even count the mean of the two middle values rounded half up.
    function median(int256[] memory values) internal pure returns (int256) {
        int256[] memory v = sortedClamped(values);
        uint256 k = v.length;
        if (k % 2 == 1) return v[k / 2];
        return divRoundHalfUp(v[k / 2 - 1] + v[k / 2], 2);
    }

    /// @notice Drops floor(betaBps * K / 10000) lowest and highest values, then the plain mean
    ///         of the rest rounded half up (betaBps < 5000 keeps at least one value).
    function trimmedMean(int256[] memory values, uint256 betaBps) internal pure returns (int256) {
        int256[] memory v = sortedClamped(values);
        uint256 k = v.length;
        uint256 t = (betaBps * k) / 10_000;
        int256 s;
        for (uint256 i = t; i < k - t; ++i) {
            s += v[i];
        }
        return divRoundHalfUp(s, int256(k - 2 * t));
    }

    /// @notice A clamped copy sorted ascending (insertion sort: K is at most a few hundred).
    function sortedClamped(int256[] memory values) internal pure returns (int256[] memory v) {
        uint256 k = values.length;
        v = new int256[](k);
        for (uint256 i; i < k; ++i) {
            int256 x = clamp(values[i]);
            uint256 j = i;
            while (j > 0 && v[j - 1] > x) {
                v[j] = v[j - 1];
                --j;
            }
            v[j] = x;
        }
    }
}
