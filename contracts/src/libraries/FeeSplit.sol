// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title FeeSplit
/// @notice Splits a payment between provider, model owner and treasury so the parts sum to
///         exactly the amount paid.
library FeeSplit {
    /// @notice Basis-point scale: 10_000 bps = 100%.
    uint256 internal constant BPS = 10_000;

    /// @notice royalty = floor(amount * royaltyBps / BPS), fee = floor(amount * feeBps / BPS),
    ///         provider = amount - royalty - fee. Rounding down both shares gives the dust to
    ///         the provider, who did the work.
    /// @dev Requires royaltyBps + feeBps <= BPS (TrellisParams' ceilings guarantee it);
    ///      otherwise the subtraction reverts.
    function split(uint256 amount, uint256 royaltyBps, uint256 feeBps)
        internal
        pure
        returns (uint256 providerAmount, uint256 royalty, uint256 fee)
    {
        royalty = mulBpsDown(amount, royaltyBps);
        fee = mulBpsDown(amount, feeBps);
        providerAmount = amount - royalty - fee;
    }

    /// @notice floor(amount * bps / BPS).
    function mulBpsDown(uint256 amount, uint256 bps) internal pure returns (uint256) {
        return amount * bps / BPS;
    }
}
