// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {DisputeSetup} from "../utils/DisputeSetup.sol";
import {DisputeBook} from "./DisputeBook.sol";
import {DisputeGame} from "../../src/DisputeGame.sol";
import {IDisputeGame} from "../../src/interfaces/IDisputeGame.sol";
import {Escrow} from "../../src/Escrow.sol";
import {ModelRegistry} from "../../src/ModelRegistry.sol";
import {ProviderRegistry} from "../../src/ProviderRegistry.sol";
import {TrellisToken} from "../../src/TrellisToken.sol";
import {TrellisParams} from "../../src/TrellisParams.sol";
import {LayerMath} from "../../src/libraries/LayerMath.sol";
import {TraceMerkle} from "../../src/libraries/TraceMerkle.sol";

/// @title DisputeActor
/// @notice What every dispute handler shares: the deployed system, the book, the two-layer
///         model of DisputeSetup with its traces (honest and tampered), and the honest moves.
abstract contract DisputeActor is DisputeSetup {
    DisputeBook internal immutable book;

    /// @notice The deployed system, passed to every handler.
    struct System {
        DisputeGame game;
        TrellisParams params;
        TrellisToken token;
        ModelRegistry models;
        ProviderRegistry registry;
        Escrow escrow;
    }

    constructor(DisputeBook book_, System memory s) {
        book = book_;
        game = s.game;
        params = s.params;
        token = s.token;
        models = s.models;
        registry = s.registry;
        escrow = s.escrow;
        commitLeaves[0] = rowLeaf(0);
        commitLeaves[1] = rowLeaf(1);
        commitLeaves[2] = LayerMath.leaf(layerParams(1));
        commitLeaves[3] = LayerMath.leaf(layerParams(2));
    }

    // ------------------------------------------------------------------ traces

    /// @notice Tensor `t` (0 input, 1 dense, 2 relu) of a trace of kind `kind`.
    function tensorOf(uint8 kind, uint256 t) internal pure returns (int256 a, int256 b) {
        if (t == 0) return (5, 7);
        (a, b) = t == 1 ? (int256(-4), int256(10)) : (int256(0), int256(10));
        if (kind == 1) b = 11;
        else if (kind == 2 && t == 1) a = -3;
        else if (kind == 3 && t == 2) b = 12;
    }

    /// @notice The tensor roots; kind 4 puts a 1 in a padding slot (slot 2) of tensor 2's chunk.
    function rootsOf(uint8 kind) internal pure returns (bytes32[] memory r) {
        r = new bytes32[](3);
        for (uint256 t; t < 3; ++t) {
            (int256 a, int256 b) = tensorOf(kind, t);
            r[t] = pair(a, b);
        }
        if (kind == 4) r[2] |= bytes32(uint256(1) << 208);
    }

    /// @notice The first tensor an honest challenger disagrees on, and the element in it.
    function disputedOf(uint8 kind) internal pure returns (uint32 layer, uint32 element) {
        if (kind == 1) return (1, 1);
        if (kind == 2) return (1, 0);
        return (2, 1); // relu, non-zero padding, and the shape that contradicts layer 2
    }

    /// @notice A correct step of `element` of `layer`, over the agreed tensors of `kind`.
    function stepOf(uint8 kind, uint256 layer, uint256 element)
        internal
        view
        returns (IDisputeGame.StepProof memory p)
    {
        if (layer == 1) return denseStep(element);
        p.params = layerParams(2);
        (int256 a, int256 b) = tensorOf(kind, 1);
        p.a.chunks = new bytes32[](1);
        p.a.chunks[0] = pair(a, b);
    }

    // ------------------------------------------------------------------ disputes

    function _providerDue(IDisputeGame.Phase phase) internal pure returns (bool) {
        return phase == IDisputeGame.Phase.AwaitRoots || phase == IDisputeGame.Phase.AwaitNodes;
    }

    /// @notice Starting at `seed`, the first open dispute whose side due is `who`.
    function _openDueBy(uint256 seed, address who) internal view returns (bool found, uint256 d) {
        uint256 n = book.openCount();
        for (uint256 k; k < n; ++k) {
            d = book.openList((seed % n + k) % n);
            DisputeBook.DisputeRecord memory rec = book.disputeAt(d);
            address due = _providerDue(rec.phase) ? rec.provider : rec.challenger;
            if (due == who && block.timestamp <= rec.deadline) return (true, d);
        }
        return (false, 0);
    }

    /// @notice The provider's reveal of its own trace's roots, the one move it has here
    ///         (every tensor is one chunk: no descent).
    function _reveal(uint256 d, address who) internal {
        DisputeBook.DisputeRecord memory rec = book.disputeAt(d);
        uint8 kind = book.receiptAt(rec.receipt).kind;
        vm.prank(who);
        game.revealRoots(rec.id, rootsOf(kind));
        book.bookMove(d, IDisputeGame.Phase.AwaitLayer, 0, 0);
    }

    /// @notice An honest challenger's move: close a dispute whose receipt is settled, else
    ///         name the first wrong tensor and step its wrong element.
    function _play(uint256 d, address who) internal {
        DisputeBook.DisputeRecord memory rec = book.disputeAt(d);
        DisputeBook.ReceiptRecord memory r = book.receiptAt(rec.receipt);
        if (book.ghost_settled(r.digest)) {
            vm.prank(who);
            game.close(rec.id);
            book.bookResolved(d, true);
            book.countClose();
            return;
        }
        (uint32 layer, uint32 element) = disputedOf(r.kind);
        vm.prank(who);
        if (rec.phase == IDisputeGame.Phase.AwaitLayer) {
            game.chooseLayer(rec.id, layerParams(layer), commitPath(1 + layer));
            if (r.kind == book.SHAPE_MISMATCH()) {
                book.bookResolved(d, true);
                book.countCaught(1);
            } else if (r.kind == book.PADDING_NOT_ZERO()) {
                book.bookResolved(d, true);
                book.countCaught(2);
            } else {
                book.bookMove(d, IDisputeGame.Phase.AwaitStep, layer, element);
            }
        } else {
            game.step(rec.id, element, stepOf(r.kind, layer, element));
            book.bookResolved(d, true);
            book.countCaught(0);
        }
    }

    // ------------------------------------------------------------------ money

    function _fund(address who, uint256 amount, address spender) internal {
        token.faucet(who, amount);
        vm.prank(who);
        token.approve(spender, type(uint256).max);
    }

    /// @notice Claims what the book says `who` is owed by the game, and books what arrived.
    function _claimFromGame(address who) internal {
        if (book.claimableOf(who) == 0) return;
        uint256 before = token.balanceOf(who);
        vm.prank(who);
        game.claim();
        book.bookClaimed(who, token.balanceOf(who) - before);
    }
}
