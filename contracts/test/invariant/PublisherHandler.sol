// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {DisputeActor} from "./DisputeActor.sol";
import {DisputeBook} from "./DisputeBook.sol";
import {IModelRegistry} from "../../src/interfaces/IModelRegistry.sol";
import {TraceMerkle} from "../../src/libraries/TraceMerkle.sol";

/// @title PublisherHandler
/// @notice Publishes models: the well-formed two-layer model again (under a new content hash),
///         one whose shape contradicts its committed parameters, one whose commitment matches
///         no weights, one without a commitment, and shapes the registry must refuse.
contract PublisherHandler is DisputeActor {
    /// @dev Bound on models, so the handlers' searches stay short.
    uint256 internal constant MAX_MODELS = 8;
    address public constant PUBLISHER = address(0x9AB1);
    uint256 internal _published;

    constructor(DisputeBook book_, System memory s) DisputeActor(book_, s) {
        commitment = TraceMerkle.hashPair(
            TraceMerkle.hashPair(commitLeaves[0], commitLeaves[1]),
            TraceMerkle.hashPair(commitLeaves[2], commitLeaves[3])
        );
    }

    /// @notice A model of the kind `kindSeed` picks (0..3 accepted, 4..5 refused shapes).
    function publish(uint256 kindSeed) external returns (bytes32 id) {
        uint256 kind = kindSeed % 6;
        if (kind < 4 && book.modelCount() >= MAX_MODELS) return bytes32(0);
        bytes32 content = keccak256(abi.encode("model", ++_published));
        IModelRegistry.Shape memory s = shape();
        bytes32 c = commitment;
        if (kind == 1) {
            s.layers[1].inputA = 0; // relu said to read the input: its parameters read layer 1
        } else if (kind == 2) {
            c = keccak256(abi.encode("weights nobody has", _published));
        } else if (kind == 3) {
            c = bytes32(0);
            s = emptyShape();
        } else if (kind == 4) {
            s.layers[1].inputA = 2; // a layer reading its own output
        } else if (kind == 5) {
            s = emptyShape(); // a commitment without the shape of its tree
        }
        vm.prank(PUBLISHER);
        if (kind >= 4) {
            try models.publish(content, c, s, "m", 0) {
                book.countRefused(true);
            } catch {
                book.countMalformedRefused();
            }
            return bytes32(0);
        }
        id = models.publish(content, c, s, "m", 0);
        book.addModel(id, uint8(kind));
    }
}
