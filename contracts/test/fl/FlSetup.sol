// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Fixture} from "../utils/Fixture.sol";
import {FederatedTraining} from "../../src/fl/FederatedTraining.sol";
import {FlSelection} from "../../src/fl/FlSelection.sol";
import {FlTaskRules} from "../../src/fl/FlTaskRules.sol";
import {ContributorRoyaltiesFactory} from "../../src/fl/ContributorRoyaltiesFactory.sol";
import {IFederatedTraining} from "../../src/interfaces/IFederatedTraining.sol";
import {IModelRegistry} from "../../src/interfaces/IModelRegistry.sol";
import {FlAggregation} from "../../src/libraries/FlAggregation.sol";
import {TraceMerkle} from "../../src/libraries/TraceMerkle.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title FlSetup
/// @notice The system plus a coordinator, four data owners with different example counts,
///         weight vectors of five elements (a tree with an odd level) and the honest
///         aggregate of each round, with Merkle paths cut from the same tree shape.
abstract contract FlSetup is Fixture {
    uint32 internal constant ELEMENTS = 5;
    uint256 internal constant POOL = 1_000e6;
    uint256 internal constant JOIN_STAKE = 50e6;
    uint256 internal constant AGG_STAKE = 200e6;
    uint32 internal constant WINDOW = 1 hours;

    FederatedTraining internal fl;
    ContributorRoyaltiesFactory internal factory;

    address internal owner = address(0x0A11);
    address internal aggregator = address(0xA66);
    address internal watcher = address(0x3A7C);
    address[4] internal people = [address(0xA1), address(0xB2), address(0xC3), address(0xD4)];
    uint64[4] internal examples = [uint64(100), 200, 300, 400];

    function deployFl() internal {
        deploySystem();
        factory = new ContributorRoyaltiesFactory(escrow, IERC20(address(token)), models);
        fl = new FederatedTraining(IERC20(address(token)), models, factory, new FlTaskRules());
        mint(owner, POOL * 10);
        mint(aggregator, AGG_STAKE * 10);
        for (uint256 i; i < people.length; ++i) {
            mint(people[i], JOIN_STAKE * 4);
        }
    }

    function config(IFederatedTraining.Strategy strategy)
        internal
        view
        returns (IFederatedTraining.TaskConfig memory c)
    {
        c.initialRoot = root(vector(99, 0));
        c.elementCount = ELEMENTS;
        c.strategy = strategy;
        c.trimBetaBps = 2_500;
        c.krumByzantine = 0;
        c.krumSelect = 2;
        c.rounds = 2;
        c.quorum = 3;
        c.maxParticipants = 8;
        c.startsAt = uint64(block.timestamp + 1 days);
        c.submitWindow = WINDOW;
        c.aggregateWindow = WINDOW;
        c.challengeWindow = WINDOW;
        c.rewardPool = POOL;
        c.joinStake = JOIN_STAKE;
        c.aggregator = aggregator;
        c.aggregatorStake = AGG_STAKE;
        c.validationCommitment = keccak256("validation set");
        c.royaltyBps = 1_000;
    }

    function createTask(IFederatedTraining.TaskConfig memory c) internal returns (uint256 id) {
        vm.startPrank(owner);
        token.approve(address(fl), c.rewardPool);
        id = fl.createTask(c, "ipfs://initial");
        vm.stopPrank();
        vm.startPrank(aggregator);
        token.approve(address(fl), c.aggregatorStake);
        fl.stakeAggregator(id);
        vm.stopPrank();
    }

    function joinAll(uint256 id) internal {
        for (uint256 i; i < people.length; ++i) {
            joinAs(id, i);
        }
    }

    function joinAs(uint256 id, uint256 i) internal {
        vm.startPrank(people[i]);
        token.approve(address(fl), JOIN_STAKE);
        fl.join(id, examples[i], keccak256(abi.encode("dataset", i)), "", new bytes32[](0));
        vm.stopPrank();
    }

    /// @dev Participant `who`'s update in round `r`: spread values, negatives and odd sums included.
    function vector(uint256 who, uint256 r) internal pure returns (int256[] memory q) {
        q = new int256[](ELEMENTS);
        for (uint256 i; i < ELEMENTS; ++i) {
            int256 base = int256(uint256(keccak256(abi.encode(who, r, i))) % 200_001) - 100_000;
            q[i] = base * int256(i + 1);
        }
    }

    function submitAll(uint256 id, uint256 r, uint256 count) internal {
        for (uint256 i; i < count; ++i) {
            vm.prank(people[i]);
            fl.submitUpdate(id, root(vector(i, r)), ELEMENTS, "ipfs://update");
        }
    }

    /// @dev The honest aggregate of round `r` over participants 0..count-1 (or the Krum selection).
    function honestAggregate(IFederatedTraining.Strategy strategy, uint256 r, uint32[] memory who)
        internal
        view
        returns (int256[] memory agg)
    {
        agg = new int256[](ELEMENTS);
        for (uint32 i; i < ELEMENTS; ++i) {
            (int256[] memory values, uint256[] memory counts) = column(r, who, i);
            agg[i] = rule(strategy, values, counts);
        }
    }

    function rule(IFederatedTraining.Strategy strategy, int256[] memory values, uint256[] memory counts)
        internal
        pure
        returns (int256)
    {
        if (strategy == IFederatedTraining.Strategy.FedMedian) return FlAggregation.median(values);
        if (strategy == IFederatedTraining.Strategy.FedTrimmedAvg) return FlAggregation.trimmedMean(values, 2_500);
        return FlAggregation.weightedMean(values, counts);
    }

    function column(uint256 r, uint32[] memory who, uint32 index)
        internal
        view
        returns (int256[] memory values, uint256[] memory counts)
    {
        values = new int256[](who.length);
        counts = new uint256[](who.length);
        for (uint256 k; k < who.length; ++k) {
            values[k] = vector(who[k], r)[index];
            counts[k] = examples[who[k]];
        }
    }

    function firstN(uint256 n) internal pure returns (uint32[] memory who) {
        who = new uint32[](n);
        for (uint256 i; i < n; ++i) {
            who[i] = uint32(i);
        }
    }

    /// @dev Posts with no exclusions; before a Krum post (a selection given) the aggregator
    ///      commits the honest matrix of the round's submitters.
    function post(uint256 id, int256[] memory agg, uint32[] memory selected) internal {
        if (selected.length != 0) {
            uint256 r = fl.taskState(id).currentRound;
            commit(id, matrix(r, submittersOf(id, r)));
        }
        vm.prank(aggregator);
        fl.postAggregate(id, root(agg), "ipfs://aggregate", new uint32[](0), selected);
    }

    /// @dev A Krum post's distance matrix as the aggregator commits it.
    struct Matrix {
        uint32[] participants;
        uint256[] distances;
        bytes32[] prefixRoots;
        string cid;
    }

    /// @dev The coordinator's selection game: its second CREATE, at the coordinator's nonce 2.
    function selectionGameOf(FederatedTraining coordinator) internal pure returns (FlSelection) {
        // RLP([address, 2]): 0xd6 = list of 22 bytes, 0x94 = string of 20 bytes, then the nonce.
        bytes32 h = keccak256(abi.encodePacked(bytes1(0xd6), bytes1(0x94), address(coordinator), bytes1(0x02)));
        return FlSelection(address(uint160(uint256(h))));
    }

    function commit(uint256 id, Matrix memory m) internal {
        vm.prank(aggregator);
        selectionGameOf(fl).commitDistances(id, m.participants, m.distances, m.prefixRoots, m.cid);
    }

    /// @dev The participants that submitted in round `r`, increasing.
    function submittersOf(uint256 id, uint256 r) internal view returns (uint32[] memory who) {
        uint256 count;
        for (uint32 i; i < people.length; ++i) {
            if (fl.updateRoot(id, r, i) != bytes32(0)) ++count;
        }
        who = new uint32[](count);
        count = 0;
        for (uint32 i; i < people.length; ++i) {
            if (fl.updateRoot(id, r, i) != bytes32(0)) who[count++] = i;
        }
    }

    // ------------------------------------------------------------------ distance matrix helpers

    /// @dev The honest distance matrix of round `r` over `who`.
    function matrix(uint256 r, uint32[] memory who) internal pure returns (Matrix memory m) {
        int256[][] memory vectors = new int256[][](who.length);
        for (uint256 i; i < who.length; ++i) {
            vectors[i] = vector(who[i], r);
        }
        (m,) = matrixOf(who, vectors);
    }

    /// @dev The honest distance matrix over `who` with the given update vectors, and each
    ///      pair's prefix sums in pair order.
    function matrixOf(uint32[] memory who, int256[][] memory vectors)
        internal
        pure
        returns (Matrix memory m, uint256[][] memory prefixes)
    {
        uint256 k = who.length;
        uint256 n = (k * (k - 1)) / 2;
        m.participants = who;
        m.distances = new uint256[](n);
        m.prefixRoots = new bytes32[](n);
        m.cid = "ipfs://distances";
        prefixes = new uint256[][](n);
        uint256 slot;
        for (uint256 p; p < k; ++p) {
            for (uint256 q = p + 1; q < k; ++q) {
                uint256[] memory pre = prefixSums(vectors[p], vectors[q]);
                prefixes[slot] = pre;
                m.distances[slot] = pre[pre.length - 1];
                m.prefixRoots[slot] = TraceMerkle.rootOfLeaves(words(pre));
                ++slot;
            }
        }
    }

    /// @dev prefix[e] = sum over elements 0..e of (a - b)^2.
    function prefixSums(int256[] memory a, int256[] memory b) internal pure returns (uint256[] memory s) {
        s = new uint256[](a.length);
        uint256 sum;
        for (uint256 e; e < a.length; ++e) {
            int256 d = a[e] - b[e];
            sum += uint256(d * d);
            s[e] = sum;
        }
    }

    function words(uint256[] memory v) internal pure returns (bytes32[] memory w) {
        w = new bytes32[](v.length);
        for (uint256 i; i < v.length; ++i) {
            w[i] = bytes32(v[i]);
        }
    }

    function matrixLeaves(Matrix memory m) internal pure returns (bytes32[] memory l) {
        uint256 k = m.participants.length;
        l = new bytes32[](m.distances.length);
        uint256 slot;
        for (uint256 p; p < k; ++p) {
            for (uint256 q = p + 1; q < k; ++q) {
                l[slot] =
                    keccak256(abi.encode(m.participants[p], m.participants[q], m.distances[slot], m.prefixRoots[slot]));
                ++slot;
            }
        }
    }

    /// @dev The challenge of element `index` with every included update's true value.
    function challengeOf(uint256 r, uint32[] memory who, int256[] memory agg, uint32 index)
        internal
        pure
        returns (IFederatedTraining.ElementChallenge memory ch)
    {
        ch.index = index;
        ch.participants = who;
        ch.values = new int256[](who.length);
        ch.proofs = new bytes32[][](who.length);
        for (uint256 k; k < who.length; ++k) {
            int256[] memory q = vector(who[k], r);
            ch.values[k] = q[index];
            ch.proofs[k] = proof(q, index);
        }
        ch.aggregateValue = agg[index];
        ch.aggregateProof = proof(agg, index);
    }

    // ------------------------------------------------------------------ Merkle helpers

    function leaves(int256[] memory q) internal pure returns (bytes32[] memory l) {
        l = new bytes32[](q.length);
        for (uint256 i; i < q.length; ++i) {
            l[i] = TraceMerkle.elementLeaf(q[i]);
        }
    }

    function root(int256[] memory q) internal pure returns (bytes32) {
        return TraceMerkle.rootOfLeaves(leaves(q));
    }

    /// @dev The sibling path of element `index`, levels completed with zero subtrees.
    function proof(int256[] memory q, uint256 index) internal pure returns (bytes32[] memory path) {
        return pathOf(leaves(q), index);
    }

    /// @dev The sibling path of leaf `index` of any leaf list (the leaves are copied first).
    function pathOf(bytes32[] memory leafList, uint256 index) internal pure returns (bytes32[] memory path) {
        bytes32[] memory level = new bytes32[](leafList.length);
        for (uint256 i; i < leafList.length; ++i) {
            level[i] = leafList[i];
        }
        uint256 depth = TraceMerkle.depthOf(leafList.length);
        path = new bytes32[](depth);
        bytes32 zero;
        for (uint256 d; d < depth; ++d) {
            uint256 sibling = index ^ 1;
            path[d] = sibling < level.length ? level[sibling] : zero;
            uint256 half = (level.length + 1) / 2;
            bytes32[] memory next = new bytes32[](half);
            for (uint256 i; i < half; ++i) {
                next[i] = TraceMerkle.hashPair(level[2 * i], 2 * i + 1 < level.length ? level[2 * i + 1] : zero);
            }
            level = next;
            zero = TraceMerkle.hashPair(zero, zero);
            index >>= 1;
        }
    }

    /// @dev The cheatcode interface here has no int256 assertEq; compare the two's complement words.
    function assertEqInt(int256 left, int256 right, string memory what) internal pure {
        vm.assertEq(bytes32(uint256(left)), bytes32(uint256(right)), what);
    }

    function emptyShape() internal pure returns (IModelRegistry.Shape memory s) {}

    function warpTo(uint256 t) internal {
        vm.warp(t);
    }
}
