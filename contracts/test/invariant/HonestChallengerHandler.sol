// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {DisputeActor} from "./DisputeActor.sol";
import {DisputeBook} from "./DisputeBook.sol";

/// @title HonestChallengerHandler
/// @notice Two watchers that re-execute every receipt, dispute only the wrong ones, play
///         each to the wrong element and step it, close disputes whose receipt another
///         dispute settled, and collect refunds for the clients. They always move in
///         time (the clock lets them move before any warp).
contract HonestChallengerHandler is DisputeActor {
    /// @dev Disputes this handler keeps open at once on its target provider (below the
    ///      game's cap).
    uint256 internal constant CONCURRENT = 3;

    constructor(DisputeBook book_, System memory s) DisputeActor(book_, s) {}

    function _who(uint256 seed) internal view returns (address) {
        return book.honestChallengers(seed % book.honestChallengerCount());
    }

    /// @notice Disputes a wrong receipt it can still dispute: first one the other watcher
    ///         already disputes (two disputes on one receipt), else the first from `seed`.
    function open(uint256 who, uint256 seed, uint256 bond) external {
        address challenger = _who(who);
        // At most three at a time, so each dispute gets its moves before the clock runs out.
        if (book.ghost_openOf(book.cheater()) >= CONCURRENT) return;
        address other = _who(who % 2 + 1);
        uint256 n = book.receiptCount();
        for (uint256 pass; pass < 2; ++pass) {
            for (uint256 k; k < n; ++k) {
                uint256 i = (seed % n + k) % n;
                DisputeBook.ReceiptRecord memory r = book.receiptAt(i);
                if (r.kind == book.HONEST() || book.ghost_settled(r.digest) || book.opened(r.digest, challenger)) {
                    continue;
                }
                if (pass == 0 && !book.opened(r.digest, other)) continue;
                if (block.timestamp > uint256(r.receipt.issuedAt) + params.challengeWindow()) continue;
                bond = bound(bond, BOND, 3 * BOND);
                _fund(challenger, bond, address(game));
                vm.prank(challenger);
                bytes32 id = game.open(r.receipt, r.signature, input(), bond);
                book.bookOpen(id, i, challenger, bond);
                return;
            }
        }
    }

    /// @notice One move of one of its disputes.
    function play(uint256 who, uint256 seed) external {
        address challenger = _who(who);
        (bool found, uint256 d) = _openDueBy(seed, challenger);
        if (found) _play(d, challenger);
    }

    /// @notice Every move due from either watcher (the clock calls this before time passes).
    function playAll() external returns (uint256 moves) {
        for (uint256 w; w < book.honestChallengerCount(); ++w) {
            address challenger = book.honestChallengers(w);
            (bool found, uint256 d) = _openDueBy(0, challenger);
            while (found) {
                _play(d, challenger);
                ++moves;
                (found, d) = _openDueBy(0, challenger);
            }
        }
    }

    /// @notice Collects, for its client, the charged part of a refund reserved for a receipt.
    function claimRefund(uint256 seed) external {
        uint256 n = book.reserveCount();
        for (uint256 k; k < n; ++k) {
            bytes32 digest = book.reserveList((seed % n + k) % n);
            if (book.refundDue(digest) == 0) continue;
            game.claimRefund(digest);
            book.bookRefundPaid(digest);
            return;
        }
    }
}
