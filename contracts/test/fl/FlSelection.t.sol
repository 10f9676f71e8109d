// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {FlSetup} from "./FlSetup.sol";
import {FederatedTraining} from "../../src/fl/FederatedTraining.sol";
import {FlSelection} from "../../src/fl/FlSelection.sol";
import {IFederatedTraining} from "../../src/interfaces/IFederatedTraining.sol";
import {IFlSelection} from "../../src/interfaces/IFlSelection.sol";
import {TraceMerkle} from "../../src/libraries/TraceMerkle.sol";

/// @title FlSelectionTest
/// @notice The Krum selection game from the attacker's side: an aggregator that selects
///         the poisoned update with an honest matrix, one that lies about distances to make
///         its selection look right (at the last prefix sum, or with a prefix sum that jumps
///         in the middle), and challengers that lie (refused, costing only gas).
contract FlSelectionTest is FlSetup {
    uint32 internal constant POISONED = 3;

    event GasUsed(string what, uint256 gas);

    IFederatedTraining.TaskConfig internal c;
    uint256 internal id;
    FlSelection internal game;
    uint32[] internal included;
    int256[][] internal vectors;

    function setUp() public {
        deployFl();
        game = selectionGameOf(fl);
    }

    /// @dev A Krum task (f = 0: scores sum the K - 2 = 2 nearest) in round 1: participants
    ///      0..2 send their honest updates, participant 3 the honest one scaled by 50.
    function startKrum(IFederatedTraining.Strategy strategy) internal {
        c = config(strategy);
        id = createTask(c);
        joinAll(id);
        vm.warp(c.startsAt);
        for (uint32 i; i < 4; ++i) {
            int256[] memory q = vector(i, 1);
            if (i == POISONED) {
                for (uint256 e; e < q.length; ++e) {
                    q[e] *= 50;
                }
            }
            vectors.push(q);
            included.push(i);
            vm.prank(people[i]);
            fl.submitUpdate(id, root(q), ELEMENTS, "ipfs://update");
        }
        vm.warp(c.startsAt + WINDOW);
    }

    function honest() internal view returns (Matrix memory m, uint256[][] memory pre) {
        int256[][] memory v = vectors;
        return matrixOf(included, v);
    }

    /// @dev The aggregator commits `m`, then posts the honest average over `selected`.
    function postWith(uint32[] memory selected, Matrix memory m) internal {
        commit(id, m);
        int256[] memory agg = honestAggregateOver(selected);
        vm.prank(aggregator);
        fl.postAggregate(id, root(agg), "ipfs://aggregate", new uint32[](0), selected);
    }

    /// @dev The example-weighted mean over the selection, as the coordinator checks it.
    function honestAggregateOver(uint32[] memory selected) internal view returns (int256[] memory agg) {
        agg = new int256[](ELEMENTS);
        for (uint256 e; e < ELEMENTS; ++e) {
            int256[] memory values = new int256[](selected.length);
            uint256[] memory counts = new uint256[](selected.length);
            for (uint256 k; k < selected.length; ++k) {
                values[k] = vectors[selected[k]][e];
                counts[k] = examples[selected[k]];
            }
            agg[e] = rule(c.strategy, values, counts);
        }
    }

    function one(uint32 who) internal pure returns (uint32[] memory s) {
        s = new uint32[](1);
        s[0] = who;
    }

    /// @dev Position of pair (p, q), p < q, over K = 4.
    function pairAt(uint256 p, uint256 q) internal pure returns (uint32) {
        return uint32(p * 4 - (p * (p + 1)) / 2 + (q - p - 1));
    }

    /// @dev The challenge of leaf `position` (pair a < b) at `element` against prefix sums `pre`.
    function distanceChallenge(
        Matrix memory m,
        uint256[] memory pre,
        uint32 position,
        uint32 a,
        uint32 b,
        uint32 element
    ) internal view returns (IFlSelection.DistanceChallenge memory ch) {
        ch.position = position;
        ch.a = a;
        ch.b = b;
        ch.distance = m.distances[position];
        ch.prefixRoot = m.prefixRoots[position];
        ch.leafProof = pathOf(matrixLeaves(m), position);
        ch.element = element;
        ch.valueA = vectors[a][element];
        ch.proofA = proof(vectors[a], element);
        ch.valueB = vectors[b][element];
        ch.proofB = proof(vectors[b], element);
        ch.prefixAt = pre[element];
        ch.proofAt = pathOf(words(pre), element);
        if (element > 0) {
            ch.prefixBefore = pre[element - 1];
            ch.proofBefore = pathOf(words(pre), element - 1);
        }
    }

    function assertSlashed(uint256 before) internal view {
        assertEq(fl.claimable(watcher) - before, AGG_STAKE / 2, "half the stake to the challenger");
        IFederatedTraining.TaskState memory s = fl.taskState(id);
        assertFalse(s.aggregatorStaked, "aggregator stake taken");
        assertEq(s.bonus, AGG_STAKE / 2, "the other half joins the reward pool");
        IFederatedTraining.Round memory rd = fl.round(id, 1);
        assertEq(uint256(rd.status), uint256(IFederatedTraining.RoundStatus.Open), "round waits for a repost");
        assertEq(rd.aggregateDeadline, block.timestamp + c.aggregateWindow, "a new aggregate deadline");
    }

    function assertUntouched(uint256 before) internal view {
        assertEq(fl.claimable(watcher), before, "a refused challenge moves nothing");
        assertTrue(fl.taskState(id).aggregatorStaked, "the aggregator keeps its stake");
        assertEq(uint256(fl.round(id, 1).status), uint256(IFederatedTraining.RoundStatus.Posted), "still posted");
    }

    // ------------------------------------------------------------------ wrong selections

    /// @notice The aggregator selects the poisoned update and commits the honest matrix:
    ///         the matrix's own selection differs, and the aggregator loses its stake.
    function test_attack_poisonedSelectionWithHonestMatrixSlashed() public {
        startKrum(IFederatedTraining.Strategy.Krum);
        (Matrix memory m,) = honest();
        uint32[] memory truth = game.selectionOf(m.participants, m.distances, 0, 1);
        assertEq(truth.length, 1, "one selected");
        assertTrue(truth[0] != POISONED, "Krum never picks the far-off update");
        postWith(one(POISONED), m);

        uint256 before = fl.claimable(watcher);
        vm.prank(watcher);
        vm.expectEmit(address(game));
        emit IFlSelection.SelectionChallenged(id, 1, watcher, truth);
        game.challengeSelection(id, m.participants, m.distances, m.prefixRoots);
        assertSlashed(before);

        // Reposted with the right selection, the round stands and the selection challenge fails.
        vm.startPrank(aggregator);
        token.approve(address(fl), AGG_STAKE);
        fl.stakeAggregator(id);
        vm.stopPrank();
        postWith(truth, m);
        before = fl.claimable(watcher);
        vm.prank(watcher);
        vm.expectRevert(abi.encodeWithSelector(IFlSelection.FlSelectionCorrect.selector, id, 1));
        game.challengeSelection(id, m.participants, m.distances, m.prefixRoots);
        assertUntouched(before);
        vm.warp(block.timestamp + WINDOW);
        fl.advance(id);
        assertEq(fl.taskState(id).modelRoot, root(honestAggregateOver(truth)), "the honest repost became the model");
    }

    /// @notice Multi-Krum: a selection that swaps one honest update for the poisoned one.
    function test_attack_multiKrumSelectionSlashed() public {
        startKrum(IFederatedTraining.Strategy.MultiKrum);
        (Matrix memory m,) = honest();
        uint32[] memory truth = game.selectionOf(m.participants, m.distances, 0, 2);
        uint32[] memory lie = new uint32[](2);
        (lie[0], lie[1]) = (truth[0], POISONED);
        postWith(lie, m);
        uint256 before = fl.claimable(watcher);
        vm.prank(watcher);
        game.challengeSelection(id, m.participants, m.distances, m.prefixRoots);
        assertSlashed(before);
    }

    // ------------------------------------------------------------------ wrong distances

    /// @dev Shrinks every distance to the poisoned update so that its score is the lowest;
    ///      the matrix then agrees with the selection and only a distance challenge can win.
    function lyingMatrix() internal view returns (Matrix memory m, uint256[][] memory pre) {
        (m, pre) = honest();
        for (uint256 p; p < 3; ++p) {
            m.distances[pairAt(p, POISONED)] = 1;
        }
    }

    /// @notice Lied distances with the honest prefix trees: the last prefix sum is not the
    ///         distance, which one element proves.
    function test_attack_liedDistanceAtLastPrefixSlashed() public {
        startKrum(IFederatedTraining.Strategy.Krum);
        (Matrix memory m, uint256[][] memory pre) = lyingMatrix();
        assertEq(game.selectionOf(m.participants, m.distances, 0, 1)[0], POISONED, "the lie selects the poison");
        postWith(one(POISONED), m);

        uint256 before = fl.claimable(watcher);
        vm.prank(watcher);
        vm.expectRevert(abi.encodeWithSelector(IFlSelection.FlSelectionCorrect.selector, id, 1));
        game.challengeSelection(id, m.participants, m.distances, m.prefixRoots);

        uint32 leafAt = pairAt(0, POISONED);
        // Any other element checks out: each step of the honest prefix tree is right.
        vm.prank(watcher);
        vm.expectRevert(abi.encodeWithSelector(IFlSelection.FlDistanceCorrect.selector, 0, POISONED, 2));
        game.challengeDistance(id, distanceChallenge(m, pre[leafAt], leafAt, 0, POISONED, 2));
        assertUntouched(before);

        vm.prank(watcher);
        uint256 gasBefore = gasleft();
        game.challengeDistance(id, distanceChallenge(m, pre[leafAt], leafAt, 0, POISONED, ELEMENTS - 1));
        emit GasUsed("challengeDistance, 5 elements, K = 4", gasBefore - gasleft());
        assertSlashed(before);
    }

    /// @notice The lie carried into the prefix tree: its sums are right up to element 2 and
    ///         then jump, ending at the lied distance. The step at element 3 is wrong.
    function test_attack_liedPrefixInTheMiddleSlashed() public {
        startKrum(IFederatedTraining.Strategy.Krum);
        (Matrix memory m, uint256[][] memory pre) = lyingMatrix();
        uint32 leafAt = pairAt(1, POISONED);
        uint256 lied = pre[leafAt][2] + 1;
        for (uint256 e = 3; e < ELEMENTS; ++e) {
            pre[leafAt][e] = lied;
        }
        m.distances[leafAt] = lied;
        m.prefixRoots[leafAt] = TraceMerkle.rootOfLeaves(words(pre[leafAt]));
        postWith(one(POISONED), m);

        uint256 before = fl.claimable(watcher);
        // The steps before the jump are right (and the last prefix sum equals the distance).
        for (uint32 e; e < 3; ++e) {
            vm.prank(watcher);
            vm.expectRevert(abi.encodeWithSelector(IFlSelection.FlDistanceCorrect.selector, 1, POISONED, e));
            game.challengeDistance(id, distanceChallenge(m, pre[leafAt], leafAt, 1, POISONED, e));
        }
        assertUntouched(before);
        vm.prank(watcher);
        game.challengeDistance(id, distanceChallenge(m, pre[leafAt], leafAt, 1, POISONED, 3));
        assertSlashed(before);
    }

    /// @notice Element 0 has no prefix before it: prefix[0] alone must be the first square.
    function test_attack_liedFirstPrefixSlashed() public {
        startKrum(IFederatedTraining.Strategy.Krum);
        (Matrix memory m, uint256[][] memory pre) = honest();
        pre[0][0] += 7;
        m.prefixRoots[0] = TraceMerkle.rootOfLeaves(words(pre[0]));
        (Matrix memory h,) = honest();
        postWith(game.selectionOf(h.participants, h.distances, 0, 1), m);
        uint256 before = fl.claimable(watcher);
        vm.prank(watcher);
        game.challengeDistance(id, distanceChallenge(m, pre[0], 0, 0, 1, 0));
        assertSlashed(before);
    }

    // ------------------------------------------------------------------ lying challengers

    /// @notice Every refusal of a selection challenge is named and moves nothing.
    function test_attack_lyingSelectionChallengerRefused() public {
        startKrum(IFederatedTraining.Strategy.Krum);
        (Matrix memory m,) = honest();
        postWith(one(POISONED), m);
        uint256 before = fl.claimable(watcher);
        vm.startPrank(watcher);

        // One leaf short.
        uint256[] memory shortD = new uint256[](5);
        bytes32[] memory shortR = new bytes32[](5);
        vm.expectRevert(abi.encodeWithSelector(IFlSelection.FlLeafCount.selector, 5, 6));
        game.challengeSelection(id, m.participants, shortD, shortR);

        // A participant the post did not include (none submitted as 5).
        uint32[] memory other = new uint32[](4);
        (other[0], other[1], other[2], other[3]) = (0, 1, 2, 5);
        vm.expectRevert(abi.encodeWithSelector(IFlSelection.FlPairNotIncluded.selector, 3, 5));
        game.challengeSelection(id, other, m.distances, m.prefixRoots);

        // Three of the four included, with the leaves of the four: the count does not fit.
        uint32[] memory three = new uint32[](3);
        (three[0], three[1], three[2]) = (0, 1, 2);
        vm.expectRevert(abi.encodeWithSelector(IFlSelection.FlLeafCount.selector, 6, 3));
        game.challengeSelection(id, three, m.distances, m.prefixRoots);

        // A matrix that makes the poison lose but is not the committed one.
        (Matrix memory forged,) = honest();
        forged.distances[pairAt(0, 1)] += 1;
        bytes32 rebuilt = TraceMerkle.rootOfLeaves(matrixLeaves(forged));
        vm.expectRevert(
            abi.encodeWithSelector(IFlSelection.FlMatrixMismatch.selector, rebuilt, game.matrixOf(id, 1, 1).root)
        );
        game.challengeSelection(id, forged.participants, forged.distances, forged.prefixRoots);
        vm.stopPrank();
        assertUntouched(before);
    }

    /// @notice Distance challenges against an honest matrix, with lies of every kind.
    function test_attack_lyingDistanceChallengerRefused() public {
        startKrum(IFederatedTraining.Strategy.Krum);
        (Matrix memory m, uint256[][] memory pre) = honest();
        postWith(game.selectionOf(m.participants, m.distances, 0, 1), m);
        uint256 before = fl.claimable(watcher);
        vm.startPrank(watcher);
        for (uint32 e; e < ELEMENTS; ++e) {
            vm.expectRevert(abi.encodeWithSelector(IFlSelection.FlDistanceCorrect.selector, 0, 2, e));
            game.challengeDistance(id, distanceChallenge(m, pre[1], 1, 0, 2, e));
        }
        IFlSelection.DistanceChallenge memory ch = distanceChallenge(m, pre[1], 1, 0, 2, 4);

        ch.valueA += 1;
        vm.expectRevert(abi.encodeWithSelector(IFederatedTraining.FlProofInvalid.selector, 0));
        game.challengeDistance(id, ch);
        ch.valueA -= 1;

        ch.distance += 1;
        vm.expectRevert(abi.encodeWithSelector(IFlSelection.FlLeafInvalid.selector, 1));
        game.challengeDistance(id, ch);
        ch.distance -= 1;

        ch.position = 6;
        vm.expectRevert(abi.encodeWithSelector(IFlSelection.FlLeafInvalid.selector, 6));
        game.challengeDistance(id, ch);
        ch.position = 1;

        ch.prefixAt += 1;
        vm.expectRevert(abi.encodeWithSelector(IFlSelection.FlPrefixInvalid.selector, 4));
        game.challengeDistance(id, ch);
        ch.prefixAt -= 1;

        ch.prefixBefore += 1;
        vm.expectRevert(abi.encodeWithSelector(IFlSelection.FlPrefixInvalid.selector, 3));
        game.challengeDistance(id, ch);
        ch.prefixBefore -= 1;

        ch.element = ELEMENTS;
        vm.expectRevert(abi.encodeWithSelector(IFederatedTraining.FlIndexOutOfRange.selector, ELEMENTS, ELEMENTS));
        game.challengeDistance(id, ch);
        vm.stopPrank();
        assertUntouched(before);

        // After the challenge window nothing is challengeable.
        vm.warp(block.timestamp + WINDOW);
        vm.prank(watcher);
        vm.expectRevert(
            abi.encodeWithSelector(
                IFederatedTraining.FlNotChallengeable.selector, id, 2, IFederatedTraining.RoundStatus.Open
            )
        );
        game.challengeSelection(id, m.participants, m.distances, m.prefixRoots);
    }

    // ------------------------------------------------------------------ the commitment

    /// @notice A Krum post without a matrix, or with one over other updates than it included,
    ///         cannot be checked: it is wrong as it stands.
    function test_attack_krumPostWithoutMatrixSlashed() public {
        startKrum(IFederatedTraining.Strategy.Krum);
        vm.prank(aggregator);
        fl.postAggregate(id, root(honestAggregateOver(one(0))), "ipfs://aggregate", new uint32[](0), one(0));
        uint256 before = fl.claimable(watcher);
        vm.prank(watcher);
        game.challengeSelection(id, new uint32[](0), new uint256[](0), new bytes32[](0));
        assertSlashed(before);
    }

    function test_attack_matrixOverAnExcludedUpdateSlashed() public {
        startKrum(IFederatedTraining.Strategy.Krum);
        (Matrix memory m,) = honest();
        commit(id, m);
        // The post excludes participant 3 while its matrix, committed before, covers it.
        vm.prank(aggregator);
        fl.postAggregate(id, root(honestAggregateOver(one(0))), "ipfs://aggregate", one(3), one(0));
        uint256 before = fl.claimable(watcher);
        vm.prank(watcher);
        game.challengeSelection(id, m.participants, m.distances, m.prefixRoots);
        assertSlashed(before);
    }

    /// @notice Only the aggregator commits, only for a Krum round waiting for its aggregate,
    ///         and only a well-formed matrix over submitters.
    function test_commitmentRefusals() public {
        startKrum(IFederatedTraining.Strategy.Krum);
        (Matrix memory m,) = honest();
        FlSelection g = game;
        vm.prank(watcher);
        vm.expectRevert(abi.encodeWithSelector(IFederatedTraining.FlNotAggregator.selector, id, watcher));
        g.commitDistances(id, m.participants, m.distances, m.prefixRoots, m.cid);

        vm.startPrank(aggregator);
        vm.expectRevert(abi.encodeWithSelector(IFlSelection.FlLeafCount.selector, 5, 6));
        g.commitDistances(id, m.participants, new uint256[](5), m.prefixRoots, m.cid);

        uint256[] memory far = new uint256[](6);
        far[2] = (1 << 128) + 1;
        vm.expectRevert(abi.encodeWithSelector(IFlSelection.FlDistanceTooLarge.selector, 2, (1 << 128) + 1));
        g.commitDistances(id, m.participants, far, m.prefixRoots, m.cid);

        uint32[] memory stranger = new uint32[](4);
        (stranger[0], stranger[1], stranger[2], stranger[3]) = (0, 1, 2, 7);
        vm.expectRevert(abi.encodeWithSelector(IFlSelection.FlPairNotIncluded.selector, 3, 7));
        g.commitDistances(id, stranger, m.distances, m.prefixRoots, m.cid);

        uint32[] memory two = new uint32[](2);
        (two[0], two[1]) = (0, 1);
        vm.expectRevert(abi.encodeWithSelector(IFederatedTraining.FlParticipantCount.selector, 2, 3));
        g.commitDistances(id, two, new uint256[](1), new bytes32[](1), m.cid);
        vm.stopPrank();
        assertEq(g.matrixOf(id, 1, 1).root, bytes32(0), "nothing committed");

        // Once posted, the matrix is frozen with the post.
        postWith(one(0), m);
        vm.prank(aggregator);
        vm.expectRevert(
            abi.encodeWithSelector(
                IFederatedTraining.FlNotAwaitingAggregate.selector, id, 1, IFederatedTraining.RoundStatus.Posted
            )
        );
        g.commitDistances(id, m.participants, m.distances, m.prefixRoots, m.cid);
        assertEq(g.matrixOf(id, 1, 1).participants, 4, "the committed matrix covers four");
    }

    function test_nonKrumTaskHasNoMatrix() public {
        c = config(IFederatedTraining.Strategy.FedAvg);
        id = createTask(c);
        joinAll(id);
        vm.warp(c.startsAt);
        submitAll(id, 1, 4);
        vm.warp(c.startsAt + WINDOW);
        Matrix memory m = matrix(1, firstN(4));
        vm.prank(aggregator);
        vm.expectRevert(abi.encodeWithSelector(IFlSelection.FlNotKrumTask.selector, id));
        game.commitDistances(id, m.participants, m.distances, m.prefixRoots, m.cid);
        post(id, honestAggregate(c.strategy, 1, firstN(4)), new uint32[](0));
        vm.prank(watcher);
        vm.expectRevert(abi.encodeWithSelector(IFlSelection.FlNotKrumTask.selector, id));
        game.challengeSelection(id, m.participants, m.distances, m.prefixRoots);
    }

    function test_onlyTheGameReports() public {
        startKrum(IFederatedTraining.Strategy.Krum);
        (Matrix memory m,) = honest();
        postWith(one(POISONED), m);
        vm.prank(watcher);
        vm.expectRevert(abi.encodeWithSelector(FederatedTraining.FlNotGame.selector, watcher));
        fl.reportWrongSelection(id, 1, watcher);
    }

    // ------------------------------------------------------------------ size: K = 10

    /// @notice Ten included updates (45 leaves), f = 2: the gas of a successful selection challenge.
    function test_gas_selectionChallengeTenUpdates() public {
        c = config(IFederatedTraining.Strategy.MultiKrum);
        c.maxParticipants = 10;
        c.quorum = 7;
        c.krumByzantine = 2;
        c.krumSelect = 3;
        id = createTask(c);
        for (uint32 i; i < 10; ++i) {
            address who = address(uint160(0x5000 + i));
            mint(who, JOIN_STAKE);
            vm.startPrank(who);
            token.approve(address(fl), JOIN_STAKE);
            fl.join(id, 100, keccak256(abi.encode(i)), "", new bytes32[](0));
            vm.stopPrank();
            included.push(i);
            vectors.push(vector(i, 1));
        }
        vm.warp(c.startsAt);
        for (uint32 i; i < 10; ++i) {
            vm.prank(address(uint160(0x5000 + i)));
            fl.submitUpdate(id, root(vectors[i]), ELEMENTS, "ipfs://update");
        }
        vm.warp(c.startsAt + WINDOW);
        (Matrix memory m,) = honest();
        uint32[] memory truth = game.selectionOf(m.participants, m.distances, 2, 3);
        // The two best and the first update Multi-Krum left out, in increasing order.
        uint32 out;
        while (out == truth[0] || out == truth[1] || out == truth[2]) {
            ++out;
        }
        uint32[] memory lie = new uint32[](3);
        (lie[0], lie[1], lie[2]) = (truth[0], truth[1], out);
        for (uint256 i = 2; i > 0 && lie[i] < lie[i - 1]; --i) {
            (lie[i], lie[i - 1]) = (lie[i - 1], lie[i]);
        }
        vm.prank(aggregator);
        uint256 gasBefore = gasleft();
        game.commitDistances(id, m.participants, m.distances, m.prefixRoots, m.cid);
        emit GasUsed("commitDistances, K = 10 (45 leaves)", gasBefore - gasleft());
        vm.prank(aggregator);
        fl.postAggregate(id, keccak256("aggregate"), "ipfs://aggregate", new uint32[](0), lie);
        vm.prank(watcher);
        gasBefore = gasleft();
        game.challengeSelection(id, m.participants, m.distances, m.prefixRoots);
        uint256 used = gasBefore - gasleft();
        emit GasUsed("challengeSelection, K = 10 (45 leaves)", used);
        assertLe(used, 1_000_000, "a K = 10 selection challenge fits easily in a block");
        assertFalse(fl.taskState(id).aggregatorStaked, "slashed");
    }
}
