// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ProviderActor} from "./ProviderActor.sol";
import {DisputeBook} from "./DisputeBook.sol";

/// @title HonestProviderHandler
/// @notice A provider that computes right, serves only well-formed models, and answers every
///         dispute in time (the clock lets it answer before any warp).
contract HonestProviderHandler is ProviderActor {
    constructor(DisputeBook book_, System memory s, uint256 key_) ProviderActor(book_, s, key_) {}

    function _serves(uint8 modelKind, uint8) internal pure override returns (bool) {
        return modelKind == 0;
    }

    /// @notice Signs an honest receipt.
    function sign(uint256 modelSeed, uint256 clientSeed, uint256 fee, uint256 deposit) external {
        _issue(0, modelSeed, clientSeed, fee, deposit);
    }

    /// @notice Answers one dispute due from it.
    function respond(uint256 seed) external {
        (bool found, uint256 d) = _openDueBy(seed, self);
        if (found) _reveal(d, self);
    }

    /// @notice Answers every dispute due from it (the clock calls this before time passes).
    function respondAll() external returns (uint256 moves) {
        (bool found, uint256 d) = _openDueBy(0, self);
        while (found) {
            _reveal(d, self);
            ++moves;
            (found, d) = _openDueBy(0, self);
        }
    }
}
