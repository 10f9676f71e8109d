// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {FlSetup} from "./FlSetup.sol";
import {FlSelection} from "../../src/fl/FlSelection.sol";
import {IFederatedTraining} from "../../src/interfaces/IFederatedTraining.sol";
import {IFlSelection} from "../../src/interfaces/IFlSelection.sol";
import {TestBase} from "../utils/TestBase.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title FlSelectionHandler
/// @notice Drives one-round Krum tasks through the selection game, one move per call: the
///         aggregator posts honestly, with the poisoned update selected over an honest
///         matrix, with distances to the poison shrunk, or with no matrix (in turn, so
///         every run meets each); a griefer's lying challenges must fail; the right
///         challenge of a wrong post must slash and pay the watcher half the stake, and
///         the same challenge of an honest post must fail. Ghost sums count tokens in and out.
contract FlSelectionHandler is FlSetup {
    enum Post {
        Honest,
        WrongSelection,
        LiedDistance,
        NoMatrix
    }

    FlSelection public game;
    uint256 internal id;
    Post internal kind;
    bool internal posted;
    uint256 internal tasks;
    Matrix internal committed;
    uint256[][] internal prefixes;
    int256[][] internal vectors;

    uint256 public ghost_in;
    uint256 public ghost_out;
    uint256 public ghost_honestStood;
    uint256 public ghost_refused;
    /// @dev Slashes per kind of wrong post; an honest post slashed sets ghost_wrongSlash.
    uint256[4] public ghost_slashes;
    uint256 public ghost_wrongSlash;

    constructor() {
        deployFl();
        game = selectionGameOf(fl);
    }

    function flContract() external view returns (address) {
        return address(fl);
    }

    function tokenAddress() external view returns (address) {
        return address(token);
    }

    function slashes(uint256 k) external view returns (uint256) {
        return ghost_slashes[k];
    }

    function act(uint256 seed) external {
        if (!posted) return _start(seed);
        _challenge(seed);
    }

    function _start(uint256 seed) internal {
        IFederatedTraining.TaskConfig memory c = config(IFederatedTraining.Strategy.Krum);
        c.rounds = 1;
        c.startsAt = uint64(block.timestamp + 1 days);
        mint(owner, c.rewardPool);
        mint(aggregator, c.aggregatorStake);
        id = createTask(c);
        ghost_in += c.rewardPool + c.aggregatorStake;
        delete vectors;
        for (uint32 i; i < 4; ++i) {
            mint(people[i], JOIN_STAKE);
            joinAs(id, i);
            ghost_in += JOIN_STAKE;
            int256[] memory q = vector(i + 10 * id, seed % 1000);
            if (i == 3) {
                for (uint256 e; e < q.length; ++e) {
                    q[e] *= 50;
                }
            }
            vectors.push(q);
        }
        vm.warp(c.startsAt);
        for (uint32 i; i < 4; ++i) {
            vm.prank(people[i]);
            fl.submitUpdate(id, root(vectors[i]), ELEMENTS, "ipfs://update");
        }
        vm.warp(c.startsAt + WINDOW);

        int256[][] memory v = vectors;
        (Matrix memory m, uint256[][] memory pre) = matrixOf(firstN(4), v);
        kind = Post(tasks++ % 4);
        uint32[] memory selected = game.selectionOf(m.participants, m.distances, 0, 1);
        if (kind != Post.Honest) selected[0] = 3;
        if (kind == Post.LiedDistance) {
            for (uint256 p; p < 3; ++p) {
                m.distances[p * 4 - (p * (p + 1)) / 2 + (3 - p - 1)] = 1;
            }
        }
        committed = m;
        delete prefixes;
        for (uint256 i; i < pre.length; ++i) {
            prefixes.push(pre[i]);
        }
        if (kind != Post.NoMatrix) commit(id, m);
        int256[] memory agg = vectors[selected[0]];
        vm.prank(aggregator);
        fl.postAggregate(id, root(agg), "ipfs://aggregate", new uint32[](0), selected);
        posted = true;
    }

    function _challenge(uint256 seed) internal {
        // A griefer forges a leaf, then opens an element the lie does not touch (a post with
        // no matrix is wrong as it stands: any selection challenge slashes it).
        if (kind != Post.NoMatrix) {
            try this.forgedSelection() {
                ghost_wrongSlash = type(uint256).max / 2;
            } catch {
                ghost_refused++;
            }
            try this.distanceAt(0, uint32(seed % (ELEMENTS - 1))) {
                ghost_wrongSlash = type(uint256).max / 2;
            } catch {
                ghost_refused++;
            }
        }
        // The watcher's challenge of the right kind.
        uint256 before = fl.claimable(watcher);
        bool slashed;
        if (kind == Post.LiedDistance) {
            try this.distanceAt(2, ELEMENTS - 1) {
                slashed = true;
            } catch {}
        } else {
            try this.selectionChallenge() {
                slashed = true;
            } catch {}
        }
        if (slashed != (kind != Post.Honest)) ghost_wrongSlash = type(uint256).max / 2;
        if (slashed) {
            require(fl.claimable(watcher) - before == AGG_STAKE / 2, "half the stake to the watcher");
            ghost_slashes[uint256(kind)]++;
            vm.prank(watcher);
            ghost_out += fl.claim();
        } else {
            ghost_honestStood++;
        }
        // The round ends (reposted nothing: an empty round after a slash) and the next task starts.
        vm.warp(block.timestamp + 3 * WINDOW);
        fl.advance(id);
        posted = false;
    }

    function forgedSelection() external {
        require(msg.sender == address(this), "self only");
        Matrix memory m = committed;
        m.distances[0] += 1;
        vm.prank(watcher);
        game.challengeSelection(id, m.participants, m.distances, m.prefixRoots);
    }

    function selectionChallenge() external {
        require(msg.sender == address(this), "self only");
        Matrix memory m = committed;
        if (kind == Post.NoMatrix) {
            m.participants = new uint32[](0);
            m.distances = new uint256[](0);
            m.prefixRoots = new bytes32[](0);
        }
        vm.prank(watcher);
        game.challengeSelection(id, m.participants, m.distances, m.prefixRoots);
    }

    /// @dev A distance challenge of pair (0, 3) at position 2, or of the honest pair (0, 1).
    function distanceAt(uint32 position, uint32 element) external {
        require(msg.sender == address(this), "self only");
        Matrix memory m = committed;
        uint32 b = position == 2 ? 3 : 1;
        IFlSelection.DistanceChallenge memory ch;
        ch.position = position;
        ch.a = 0;
        ch.b = b;
        ch.distance = m.distances[position];
        ch.prefixRoot = m.prefixRoots[position];
        ch.leafProof = pathOf(matrixLeaves(m), position);
        ch.element = element;
        ch.valueA = vectors[0][element];
        ch.proofA = proof(vectors[0], element);
        ch.valueB = vectors[b][element];
        ch.proofB = proof(vectors[b], element);
        uint256[] memory pre = prefixes[position];
        ch.prefixAt = pre[element];
        ch.proofAt = pathOf(words(pre), element);
        if (element > 0) {
            ch.prefixBefore = pre[element - 1];
            ch.proofBefore = pathOf(words(pre), element - 1);
        }
        vm.prank(watcher);
        game.challengeDistance(id, ch);
    }
}

/// @title FlSelectionInvariants
/// @notice The selection game moves money only by the coordinator's rules: the coordinator
///         holds what went in minus what was claimed; an honest Krum post is never slashed
///         and every wrong one is, each kind reached in every run.
contract FlSelectionInvariants is TestBase {
    FlSelectionHandler internal handler;

    function setUp() public {
        handler = new FlSelectionHandler();
    }

    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    struct FuzzSelector {
        address addr;
        bytes4[] selectors;
    }

    function targetSelectors() public view returns (FuzzSelector[] memory targets) {
        bytes4[] memory s = new bytes4[](1);
        s[0] = handler.act.selector;
        targets = new FuzzSelector[](1);
        targets[0] = FuzzSelector(address(handler), s);
    }

    /// forge-config: default.invariant.runs = 16
    /// forge-config: ci.invariant.runs = 16
    /// forge-config: default.invariant.depth = 16
    /// forge-config: ci.invariant.depth = 16
    /// forge-config: default.invariant.fail-on-revert = true
    /// forge-config: ci.invariant.fail-on-revert = true
    function invariant_selectionGameByTheRules() public view {
        address fl = handler.flContract();
        assertEq(
            IERC20(handler.tokenAddress()).balanceOf(fl),
            handler.ghost_in() - handler.ghost_out(),
            "coordinator holds in - out"
        );
        assertEq(handler.ghost_wrongSlash(), 0, "no honest post slashed, no wrong post spared, no lie taken");
    }

    function afterInvariant() public view {
        assertGe(handler.ghost_honestStood(), 1, "an honest Krum post stood");
        assertGe(handler.ghost_refused(), 1, "lying challenges were refused");
        for (uint256 k = 1; k < 4; ++k) {
            assertGe(handler.slashes(k), 1, "each kind of wrong Krum post was slashed");
        }
    }
}
