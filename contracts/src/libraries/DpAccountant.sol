// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title DpAccountant
/// @notice The epsilon a federated task has spent after `rounds` rounds of the Gaussian
///         mechanism (docs/privacy.md), computed from the task's committed parameters
///         alone, so nobody has to be believed about it (the coordinator asks it through
///         FlTaskRules).
/// @dev Renyi DP of the Gaussian mechanism with L2 sensitivity C and noise N(0, (z C)^2)
///      is alpha / (2 z^2) at every order alpha > 1; it adds up over rounds, and
///      epsilon = rounds * alpha / (2 z^2) + ln(1 / delta) / (alpha - 1) holds at any order
///      (Mironov 2017, proposition 3). The bound is evaluated at the two integer orders
///      around the real optimum 1 + z sqrt(2 ln(1 / delta) / rounds), clamped to [2, 256],
///      which is the minimum over integer orders there. No amplification by subsampling is
///      claimed: every participant's update is published, so each is a release of its own.
///      Every step rounds up: the result is never below the bound it stands for.
///      src/fl/dp/gaussian-bound.ts is the same function in TypeScript, unit for unit.
///      Units: epsilon and the noise multiplier in millionths, delta in 1e-18.
library DpAccountant {
    uint256 internal constant WAD = 1e18;
    uint256 internal constant MIN_ORDER = 2;
    uint256 internal constant MAX_ORDER = 256;
    /// @dev ln 2 in 1e-18, rounded up.
    uint256 private constant LN2_UP = 693_147_180_559_945_310;
    /// @dev log2 is computed to 24 fractional bits: what is left below them (under
    ///      2^-24 ln 2 < 4.2e-8 in ln) and the truncation of the squarings (under 1e-16) are
    ///      covered by this margin on ln(1 / delta), 1e-7, a tenth of the millionth epsilon
    ///      is counted in (the ln term enters divided by alpha - 1 >= 1).
    uint256 private constant LOG_MARGIN = 1e11;
    uint256 private constant LAST_BIT = WAD >> 24;

    /// @notice ln(1 / delta) in 1e-18, at least the true value; delta in 1e-18, 0 < delta < 1e18.
    function logInverse(uint256 deltaAtto) internal pure returns (uint256) {
        // x = 1 / delta in 1e-18 (>= 1), then log2 x by its integer part and repeated squaring.
        uint256 x = (WAD * WAD) / deltaAtto;
        uint256 n = Math.log2(x / WAD);
        uint256 log2x = n * WAD;
        uint256 y = x >> n;
        // y in [1, 2): each squaring doubles the logarithm, and a result past 2 is the next bit.
        unchecked {
            for (uint256 bit = WAD / 2; bit >= LAST_BIT; bit >>= 1) {
                y = (y * y) / WAD;
                if (y >= 2 * WAD) {
                    log2x += bit;
                    y >>= 1;
                }
            }
        }
        return Math.ceilDiv(log2x * LN2_UP, WAD) + LOG_MARGIN;
    }

    /// @notice epsilon (in millionths, rounded up) after `rounds` rounds with noise
    ///         multiplier `noiseMicros` / 1e6, for delta `deltaAtto` / 1e18.
    function epsilonAfter(uint256 noiseMicros, uint256 deltaAtto, uint256 rounds) internal pure returns (uint256) {
        if (rounds == 0) return 0;
        uint256 logInv = logInverse(deltaAtto);
        // 2 z^2 in 1e-12, so that rounds * alpha / (2 z^2) = rounds * alpha * 1e30 / twoZ2 in 1e-18.
        uint256 twoZ2 = 2 * noiseMicros * noiseMicros;
        uint256 k = Math.sqrt((logInv * twoZ2) / (rounds * 1e30));
        uint256 best = Math.min(_atOrder(rounds, twoZ2, logInv, k + 1), _atOrder(rounds, twoZ2, logInv, k + 2));
        return Math.ceilDiv(best, 1e12);
    }

    /// @dev epsilon in 1e-18 at integer order `alpha`, clamped to [MIN_ORDER, MAX_ORDER].
    function _atOrder(uint256 rounds, uint256 twoZ2, uint256 logInv, uint256 alpha) private pure returns (uint256) {
        if (alpha < MIN_ORDER) alpha = MIN_ORDER;
        if (alpha > MAX_ORDER) alpha = MAX_ORDER;
        return Math.ceilDiv(rounds * alpha * 1e30, twoZ2) + Math.ceilDiv(logInv, alpha - 1);
    }
}
