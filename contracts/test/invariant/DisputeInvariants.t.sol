// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {DisputeSetup} from "../utils/DisputeSetup.sol";
import {PathTally} from "./PathTally.sol";
import {DisputeActor} from "./DisputeActor.sol";
import {DisputeBook} from "./DisputeBook.sol";
import {HonestProviderHandler} from "./HonestProviderHandler.sol";
import {CheatingProviderHandler} from "./CheatingProviderHandler.sol";
import {HonestChallengerHandler} from "./HonestChallengerHandler.sol";
import {GriefingChallengerHandler} from "./GriefingChallengerHandler.sol";
import {PublisherHandler} from "./PublisherHandler.sol";
import {ClockHandler} from "./ClockHandler.sol";
import {ProviderActor} from "./ProviderActor.sol";
import {IDisputeGame} from "../../src/interfaces/IDisputeGame.sol";
import {IProviderRegistry} from "../../src/interfaces/IProviderRegistry.sol";

/// @title DisputeInvariants
/// @notice The dispute game against every cheater at once: an honest and a cheating provider,
///         two honest watchers, a griefer, a model publisher and the clock, playing real
///         multi-move disputes. Wires the handlers and asserts; the handlers keep the book.
contract DisputeInvariants is DisputeSetup, PathTally {
    DisputeBook internal book;
    HonestProviderHandler internal honest;
    CheatingProviderHandler internal cheater;
    HonestChallengerHandler internal watchers;
    GriefingChallengerHandler internal griefer;
    PublisherHandler internal publisher;
    ClockHandler internal clock;
    address[] internal accounts;

    function setUp() public {
        deploySystem();
        IDisputeGame.Config memory config = defaultConfig();
        game = deployGame(config);
        vm.prank(governance);
        registry.setSlasher(address(game), true);
        book = new DisputeBook(config, game.REFUND_PERIOD(), treasury);
        DisputeActor.System memory s = DisputeActor.System(game, params, token, models, registry, escrow);

        honest = new HonestProviderHandler(book, s, 0xA11CE);
        cheater = new CheatingProviderHandler(book, s, 0xBADC0DE);
        watchers = new HonestChallengerHandler(book, s);
        griefer = new GriefingChallengerHandler(book, s);
        publisher = new PublisherHandler(book, s);
        clock = new ClockHandler(book, s, honest, watchers);

        address[] memory honestWatchers = new address[](2);
        (honestWatchers[0], honestWatchers[1]) = (address(0xC4A1), address(0xC4A2));
        book.setActors(honest.self(), cheater.self(), honestWatchers, address(0x6A1EF));
        for (uint256 i = 1; i <= 2; ++i) {
            uint256 key = 0xC11E0 + i;
            book.addClient(vm.addr(key), key);
            accounts.push(vm.addr(key));
        }
        _register(honest);
        _register(cheater);
        publisher.publish(0); // the well-formed model honest providers serve
        publisher.publish(1); // the one whose shape contradicts its commitment

        accounts.push(honest.self());
        accounts.push(cheater.self());
        accounts.push(honestWatchers[0]);
        accounts.push(honestWatchers[1]);
        accounts.push(address(0x6A1EF));
        accounts.push(treasury);
    }

    function _register(ProviderActor p) internal {
        address who = p.self();
        mint(who, 1_000e6);
        vm.startPrank(who);
        token.approve(address(registry), 1_000e6);
        registry.register("http://p", "", 1_000e6);
        vm.stopPrank();
        book.bookStaked(who, 1_000e6);
    }

    /// @notice Only the handlers are fuzzed.
    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](6);
        targets[0] = address(honest);
        targets[1] = address(cheater);
        targets[2] = address(watchers);
        targets[3] = address(griefer);
        targets[4] = address(publisher);
        targets[5] = address(clock);
    }

    /// @notice A target and the functions of it the fuzzer calls.
    struct FuzzSelector {
        address addr;
        bytes4[] selectors;
    }

    /// @notice Only the handlers' actions are fuzzed (the honest actors' catch-up moves are
    ///         the clock's to call). The fuzzer picks among all selectors alike, so the suite keeps
    ///         them few: a dispute's later moves then come often enough.
    function targetSelectors() public view returns (FuzzSelector[] memory targets) {
        targets = new FuzzSelector[](6);
        targets[0] =
            _selectors(address(honest), honest.sign.selector, honest.respond.selector, honest.stake.selector, 0);
        targets[1] =
            _selectors(address(cheater), cheater.sign.selector, cheater.respond.selector, cheater.stake.selector, 0);
        targets[2] = _selectors(
            address(watchers), watchers.open.selector, watchers.play.selector, watchers.claimRefund.selector, 0
        );
        targets[3] = _selectors(address(griefer), griefer.open.selector, griefer.play.selector, 0, 0);
        targets[4] = _selectors(address(publisher), publisher.publish.selector, 0, 0, 0);
        targets[5] = _selectors(
            address(clock), clock.warp.selector, clock.timeout.selector, clock.sweep.selector, clock.claim.selector
        );
    }

    /// @dev Up to four selectors of `target` (zero ends the list).
    function _selectors(address target, bytes4 a, bytes4 b, bytes4 c, bytes4 d)
        internal
        pure
        returns (FuzzSelector memory t)
    {
        bytes4[4] memory all = [a, b, c, d];
        uint256 n;
        while (n < 4 && all[n] != bytes4(0)) ++n;
        t = FuzzSelector(target, new bytes4[](n));
        for (uint256 i; i < n; ++i) {
            t.selectors[i] = all[i];
        }
    }

    function _held(address provider) internal view returns (uint256) {
        IProviderRegistry.ProviderInfo memory info = registry.getProvider(provider);
        return info.activeStake + info.unbondingStake;
    }

    /// @notice Every check after every call, in two campaigns of half the runs each: forge
    ///         runs the two side by side, one per core, so the suite takes half the time
    ///         for the same total of runs, and each property is still checked over all of
    ///         them (CI: 64 runs each, a budget; `deep` runs 5000). Stakes: the honest provider keeps its own, every cheat played to the
    ///         end is slashed, and no receipt twice. Money and counts: conservation of
    ///         bonds, credits, reserves and stake, and the open-dispute counts and phases.
    /// forge-config: default.invariant.fail-on-revert = true
    /// forge-config: ci.invariant.fail-on-revert = true
    /// forge-config: deep.invariant.fail-on-revert = true
    /// forge-config: default.invariant.depth = 200
    /// forge-config: ci.invariant.depth = 200
    /// forge-config: ci.invariant.runs = 64
    /// forge-config: deep.invariant.depth = 200
    /// forge-config: deep.invariant.runs = 5000
    function invariant_everyCheckFirstHalf() public view {
        _everyCheck();
    }

    /// @notice The other half of the runs (see `invariant_everyCheckFirstHalf`).
    /// forge-config: default.invariant.fail-on-revert = true
    /// forge-config: ci.invariant.fail-on-revert = true
    /// forge-config: deep.invariant.fail-on-revert = true
    /// forge-config: default.invariant.depth = 200
    /// forge-config: ci.invariant.depth = 200
    /// forge-config: ci.invariant.runs = 64
    /// forge-config: deep.invariant.depth = 200
    /// forge-config: deep.invariant.runs = 5000
    function invariant_everyCheckSecondHalf() public view {
        _everyCheck();
    }

    function _everyCheck() internal view {
        _honestProviderKeepsStake();
        _cheatersSlashedOnce();
        _conservation();
        _openDisputesCounted();
    }

    /// @notice The honest provider never loses stake: what it holds is what it staked less
    ///         what it withdrew, however it was griefed.
    function _honestProviderKeepsStake() internal view {
        address p = honest.self();
        assertEq(_held(p), book.ghost_staked(p) - book.ghost_withdrawn(p), "honest stake == staked - withdrawn");
        assertEq(book.ghost_slashed(p), 0, "the book never slashed the honest provider");
    }

    /// @notice Every wrong receipt an honest watcher played to the end is slashed, and each
    ///         receipt at most once: the cheater holds exactly what the book says.
    function _cheatersSlashedOnce() internal view {
        for (uint256 i; i < book.playedToEndCount(); ++i) {
            bytes32 digest = book.playedToEnd(i);
            assertTrue(registry.isReceiptSlashed(digest), "a wrong receipt played to the end is slashed");
            assertTrue(game.isSettled(digest), "and settled in the game");
        }
        for (uint256 i; i < book.receiptCount(); ++i) {
            bytes32 digest = book.receiptAt(i).digest;
            assertLe(book.ghost_slashes(digest), 1, "no receipt slashed twice");
            assertEq(registry.isReceiptSlashed(digest), book.ghost_settled(digest), "registry record == book");
            assertEq(game.isSettled(digest), book.ghost_settled(digest), "game record == book");
        }
        assertEq(_held(cheater.self()), book.stakeOf(cheater.self()), "cheater stake == staked - withdrawn - slashed");
    }

    /// @notice Bonds and stakes are conserved: the game holds exactly the open bonds, the
    ///         unpaid refund reserves and every unclaimed credit; the registry exactly the stake.
    function _conservation() internal view {
        uint256 owed;
        for (uint256 i; i < accounts.length; ++i) {
            uint256 due = book.claimableOf(accounts[i]);
            assertEq(game.claimable(accounts[i]), due, "claimable == credited - claimed");
            owed += due;
        }
        assertEq(token.balanceOf(address(game)), owed + book.ghost_bondsOpen() + book.unpaidReserves(), "game balance");
        uint256 staked = book.stakeOf(honest.self()) + book.stakeOf(cheater.self());
        assertEq(registry.totalStaked(), staked, "totalStaked == book");
        assertEq(token.balanceOf(address(registry)), staked, "registry balance == book");
    }

    /// @notice The registry counts exactly the disputes the handlers have open, and each open
    ///         dispute waits for the move the book expects; no refused move ever went through.
    function _openDisputesCounted() internal view {
        address[2] memory ps = [honest.self(), cheater.self()];
        for (uint256 i; i < 2; ++i) {
            assertEq(registry.openDisputes(ps[i]), book.ghost_openOf(ps[i]), "registry open count == book");
            assertEq(game.openDisputesOf(ps[i]), book.ghost_openOf(ps[i]), "game open count == book");
        }
        for (uint256 i; i < book.openCount(); ++i) {
            DisputeBook.DisputeRecord memory rec = book.disputeAt(book.openList(i));
            IDisputeGame.Dispute memory d = game.getDispute(rec.id);
            assertEq(uint256(d.phase), uint256(rec.phase), "phase == book");
            assertEq(d.bond, rec.bond, "bond == book");
        }
        assertFalse(book.ghost_badMoveAccepted(), "a move that must fail went through");
    }

    /// @notice Each interesting path is taken often enough, on average over the runs: at
    ///         least once per run, or per the number of runs given where one path is a rarer
    ///         branch of another (the three ways a cheat is caught; a close needs two watchers
    ///         on one receipt; a refused withdrawal needs matured unbonding while disputed).
    function afterInvariant() public {
        Path[] memory p = new Path[](14);
        p[0] = Path("cheat caught", book.ghost_cheatsCaught(), 1);
        p[1] = Path("cheat caught by step", book.ghost_caughtByStep(), 4);
        p[2] = Path("cheat caught by shape", book.ghost_caughtByShape(), 4);
        p[3] = Path("cheat caught by non-zero padding", book.ghost_caughtByPadding(), 4);
        p[4] = Path("grief lost", book.ghost_griefsLost(), 2);
        // Once per two runs: the provider has one move per dispute here (the roots; every
        // tensor is one chunk, so there is no descent in which to stall).
        p[5] = Path("provider timeout", book.ghost_providerTimeouts(), 2);
        p[6] = Path("challenger timeout", book.ghost_challengerTimeouts(), 1);
        p[7] = Path("close", book.ghost_closes(), 4);
        p[8] = Path("refund claimed", book.ghost_refundsClaimed(), 1);
        p[9] = Path("refund swept", book.ghost_refundsSwept(), 1);
        p[10] = Path("claim", book.ghost_claims(), 1);
        p[11] = Path("withdraw refused while disputed", book.ghost_withdrawRefused(), 2);
        p[12] = Path("bad move refused", book.ghost_badMovesRefused(), 1);
        p[13] = Path("malformed model refused", book.ghost_malformedRefused(), 1);
        tallyPaths("TRELLIS_DISPUTE_PATHS", p);
    }
}
