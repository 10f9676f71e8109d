// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {DisputeActor} from "./DisputeActor.sol";
import {DisputeBook} from "./DisputeBook.sol";
import {IDisputeGame} from "../../src/interfaces/IDisputeGame.sol";
import {LayerMath} from "../../src/libraries/LayerMath.sol";

/// @title GriefingChallengerHandler
/// @notice A challenger that disputes honest receipts: it names any layer, any element of the chunk,
///         steps with a correct proof (there is no other that passes) or a forged one, or
///         stalls until it times out.
contract GriefingChallengerHandler is DisputeActor {
    /// @dev Disputes this handler keeps open at once on its target provider (below the
    ///      game's cap).
    uint256 internal constant CONCURRENT = 2;

    constructor(DisputeBook book_, System memory s) DisputeActor(book_, s) {}

    /// @notice Disputes, starting at `seed`, an honest receipt it has not disputed yet.
    function open(uint256 seed, uint256 bond) external {
        address griefer = book.griefer();
        // At most two at a time, so each dispute gets its moves before the clock runs out.
        if (book.ghost_openOf(book.honestProvider()) >= CONCURRENT) return;
        uint256 n = book.receiptCount();
        for (uint256 k; k < n; ++k) {
            uint256 i = (seed % n + k) % n;
            DisputeBook.ReceiptRecord memory r = book.receiptAt(i);
            if (r.kind != book.HONEST() || book.opened(r.digest, griefer)) continue;
            if (block.timestamp > uint256(r.receipt.issuedAt) + params.challengeWindow()) continue;
            bond = bound(bond, BOND, 3 * BOND);
            _fund(griefer, bond, address(game));
            vm.prank(griefer);
            bytes32 id = game.open(r.receipt, r.signature, input(), bond);
            book.bookOpen(id, i, griefer, bond);
            return;
        }
    }

    /// @notice One move of one of its disputes. `choice` % 8: 7 stalls, 1 or 2 first tries a move
    ///         the game must refuse; then a legal move (any layer, any child, a true step).
    function play(uint256 seed, uint256 choice, uint256 arbitrary) external {
        address griefer = book.griefer();
        (bool found, uint256 d) = _openDueBy(seed, griefer);
        if (!found) return;
        choice %= 8;
        if (choice == 7) return;
        DisputeBook.DisputeRecord memory rec = book.disputeAt(d);
        vm.prank(griefer);
        if (rec.phase == IDisputeGame.Phase.AwaitLayer) {
            uint32 layer = uint32(1 + (arbitrary % 2));
            if (choice == 1 || choice == 2) {
                // The other layer's parameters at this layer's position.
                LayerMath.Params memory wrong = layerParams(3 - layer);
                wrong.layer = layer;
                try game.chooseLayer(rec.id, wrong, commitPath(1 + layer)) {
                    book.countRefused(true);
                } catch {
                    book.countRefused(false);
                }
                vm.prank(griefer);
            }
            game.chooseLayer(rec.id, layerParams(layer), commitPath(1 + layer));
            // Any element of the one chunk.
            book.bookMove(d, IDisputeGame.Phase.AwaitStep, layer, uint32(arbitrary % 2));
        } else {
            IDisputeGame.StepProof memory proof = stepOf(0, rec.layer, rec.element);
            if (choice == 1 || choice == 2) {
                // Claims the element reads other inputs than the agreed ones: slot 0 or 1 plus one.
                proof.a.chunks[0] = bytes32(uint256(proof.a.chunks[0]) + (arbitrary % 2 == 0 ? 1 << 240 : 1 << 224));
                try game.step(rec.id, rec.element, proof) {
                    book.countRefused(true);
                } catch {
                    book.countRefused(false);
                }
                proof = stepOf(0, rec.layer, rec.element);
                vm.prank(griefer);
            }
            game.step(rec.id, rec.element, proof);
            book.bookResolved(d, false);
            book.countGriefLost();
        }
    }
}
