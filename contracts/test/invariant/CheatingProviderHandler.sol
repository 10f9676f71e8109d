// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ProviderActor} from "./ProviderActor.sol";
import {DisputeBook} from "./DisputeBook.sol";
import {IDisputeGame} from "../../src/interfaces/IDisputeGame.sol";

/// @title CheatingProviderHandler
/// @notice A provider that signs receipts over tampered traces (a wrong dense element, a
///         wrong element that relu hides, a wrong relu element, a value in a padding slot, or an
///         honest trace of a model whose shape contradicts its commitment), then defends
///         them: it reveals its own trace, tries to pass the honest one off, or stalls.
contract CheatingProviderHandler is ProviderActor {
    constructor(DisputeBook book_, System memory s, uint256 key_) ProviderActor(book_, s, key_) {}

    function _serves(uint8 modelKind, uint8 traceKind) internal pure override returns (bool) {
        return traceKind == 5 ? modelKind == 1 : modelKind == 0;
    }

    /// @notice Signs a receipt over one of the tampered traces: of eight, three wrong values
    ///         the step catches (one of each kind), three with non-zero padding, two on the model
    ///         whose shape contradicts its commitment (the later checks get a larger share,
    ///         since they end fewer of the disputes that reach them first).
    function sign(uint256 kindSeed, uint256 modelSeed, uint256 clientSeed, uint256 fee, uint256 deposit) external {
        uint8[8] memory kinds = [1, 2, 3, 4, 4, 5, 5, 4];
        _issue(kinds[kindSeed % 8], modelSeed, clientSeed, fee, deposit);
    }

    /// @notice One move on a dispute due from it: `choice` % 8 == 7 stalls; 1 or 2 first tries the
    ///         honest trace in place of the one it signed (the game must refuse); then it
    ///         reveals its own.
    function respond(uint256 seed, uint256 choice) external {
        (bool found, uint256 d) = _openDueBy(seed, self);
        if (!found) return;
        choice %= 8;
        if (choice == 7) return;
        if (choice == 1 || choice == 2) {
            DisputeBook.DisputeRecord memory rec = book.disputeAt(d);
            uint8 kind = book.receiptAt(rec.receipt).kind;
            if (kind != 5) {
                vm.prank(self);
                try game.revealRoots(rec.id, rootsOf(0)) {
                    book.countRefused(true);
                } catch {
                    book.countRefused(false);
                }
            }
        }
        _reveal(d, self);
    }
}
