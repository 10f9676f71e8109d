// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {DisputeActor} from "./DisputeActor.sol";
import {DisputeBook} from "./DisputeBook.sol";
import {HonestProviderHandler} from "./HonestProviderHandler.sol";
import {HonestChallengerHandler} from "./HonestChallengerHandler.sol";
import {IDisputeGame} from "../../src/interfaces/IDisputeGame.sol";

/// @title ClockHandler
/// @notice Time, and the moves anyone may make: warps (after the honest actors have made
///         every move due from them, as an online party would), timeouts against the side
///         due, refund sweeps after the refund period, and every party's claims.
contract ClockHandler is DisputeActor {
    /// @notice An honest party was due on a dispute whose deadline passed (a handler bug:
    ///         honest parties move before every warp).
    error HonestPartyLate(bytes32 id, address due);

    HonestProviderHandler internal immutable honest;
    HonestChallengerHandler internal immutable watchers;

    constructor(DisputeBook book_, System memory s, HonestProviderHandler honest_, HonestChallengerHandler watchers_)
        DisputeActor(book_, s)
    {
        honest = honest_;
        watchers = watchers_;
    }

    /// @dev Honest parties answer until only dishonest ones are due.
    function _settleHonestMoves() internal {
        uint256 moves = 1;
        while (moves != 0) {
            moves = honest.respondAll() + watchers.playAll();
        }
    }

    /// @notice Time passes: most often up to a third of a move timeout (a stalled side times
    ///         out after several of these); one time in eight, days (challenge windows close,
    ///         unbonding matures, jails end), but while disputes run only one time in 64, so
    ///         that most disputes are played out rather than all timed out at once. (The fuzzer
    ///         favours 0 and the largest values; neither selects the long jump.)
    function warp(uint256 dt) external {
        _settleHonestMoves();
        bool far = dt % 8 == 7 && (book.openCount() == 0 || dt % 64 == 63);
        uint256 step_ = far ? bound(dt / 64, 1 days, 10 days) : bound(dt / 64, 1, book.moveTimeout() / 3);
        vm.warp(block.timestamp + step_);
    }

    /// @notice Ends, starting at `seed`, the first dispute whose deadline passed.
    function timeout(uint256 seed) external {
        uint256 n = book.openCount();
        for (uint256 k; k < n; ++k) {
            uint256 d = book.openList((seed % n + k) % n);
            DisputeBook.DisputeRecord memory rec = book.disputeAt(d);
            if (block.timestamp <= rec.deadline) continue;
            bool providerDue = _providerDue(rec.phase);
            address due = providerDue ? rec.provider : rec.challenger;
            if (due != book.cheater() && due != book.griefer()) revert HonestPartyLate(rec.id, due);
            game.timeout(rec.id);
            book.bookResolved(d, providerDue);
            book.countTimeout(providerDue);
            return;
        }
    }

    /// @notice Sweeps, starting at `seed`, a refund reserve; when `wait` % 4 == 3 it waits out
    ///         the refund period if needed (a jump of two months).
    function sweep(uint256 seed, uint256 wait) external {
        uint256 n = book.reserveCount();
        for (uint256 k; k < n; ++k) {
            bytes32 digest = book.reserveList((seed % n + k) % n);
            DisputeBook.Reserve memory r = book.reserveOf(digest);
            if (r.swept) continue;
            if (block.timestamp < r.sweepableAt) {
                if (wait % 4 != 3) continue;
                _settleHonestMoves();
                vm.warp(r.sweepableAt);
            }
            game.sweepRefund(digest);
            book.bookRefundSwept(digest);
            return;
        }
    }

    /// @notice One of the parties claims what the game owes it (by the book).
    function claim(uint256 seed) external {
        uint256 clients = book.clientCount();
        uint256 watchers_ = book.honestChallengerCount();
        uint256 i = seed % (clients + watchers_ + 4);
        address who;
        if (i < clients) who = book.clients(i);
        else if (i < clients + watchers_) who = book.honestChallengers(i - clients);
        else if (i == clients + watchers_) who = book.honestProvider();
        else if (i == clients + watchers_ + 1) who = book.cheater();
        else if (i == clients + watchers_ + 2) who = book.griefer();
        else who = book.treasury();
        _claimFromGame(who);
    }
}
