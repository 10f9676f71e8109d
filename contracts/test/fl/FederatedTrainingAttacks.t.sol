// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {FlSetup} from "./FlSetup.sol";
import {IFederatedTraining} from "../../src/interfaces/IFederatedTraining.sol";
import {FlAggregation} from "../../src/libraries/FlAggregation.sol";

/// @title FederatedTrainingAttacks
/// @notice Every party lies in turn: the aggregator posts a wrong aggregate, a challenger
///         lies about values or leaves updates out, participants submit late, twice, for
///         others, or after being slashed. Each test asserts what the honest side keeps.
contract FederatedTrainingAttacks is FlSetup {
    IFederatedTraining.TaskConfig internal c;
    uint256 internal id;
    uint32[] internal included;

    function setUp() public {
        deployFl();
    }

    /// @dev A task of `strategy` in round 1 with four updates in and the submit window closed.
    function startRound(IFederatedTraining.Strategy strategy) internal {
        c = config(strategy);
        id = createTask(c);
        joinAll(id);
        vm.warp(c.startsAt);
        submitAll(id, 1, 4);
        vm.warp(c.startsAt + WINDOW);
        included = firstN(4);
    }

    function selection(IFederatedTraining.Strategy strategy) internal pure returns (uint32[] memory s) {
        if (strategy == IFederatedTraining.Strategy.Krum) {
            s = new uint32[](1);
            s[0] = 2;
        } else if (strategy == IFederatedTraining.Strategy.MultiKrum) {
            s = new uint32[](2);
            (s[0], s[1]) = (1, 3);
        }
    }

    /// @dev The participants the rule runs over: the selection for Krum, else all included.
    function ruleSet(IFederatedTraining.Strategy strategy) internal view returns (uint32[] memory) {
        uint32[] memory s = selection(strategy);
        return s.length == 0 ? included : s;
    }

    /// @notice A wrong element is proven and the aggregator loses its stake, per strategy.
    function wrongAggregateSlashed(IFederatedTraining.Strategy strategy, uint32 index) internal {
        startRound(strategy);
        uint32[] memory set = ruleSet(strategy);
        int256[] memory agg = honestAggregate(strategy, 1, set);
        agg[index] += 1;
        post(id, agg, selection(strategy));

        uint256 before = fl.claimable(watcher);
        IFederatedTraining.ElementChallenge memory ch = challengeOf(1, set, agg, index);
        vm.prank(watcher);
        fl.challengeAggregate(id, ch);
        assertEq(fl.claimable(watcher) - before, AGG_STAKE / 2, "challenger gets half the stake");
        IFederatedTraining.TaskState memory s = fl.taskState(id);
        assertFalse(s.aggregatorStaked, "aggregator stake taken");
        assertEq(s.bonus, AGG_STAKE / 2, "the other half joins the reward pool");
        IFederatedTraining.Round memory rd = fl.round(id, 1);
        assertEq(uint256(rd.status), uint256(IFederatedTraining.RoundStatus.Open), "round waits for a repost");

        // The aggregator stakes again and reposts the honest aggregate, which stands.
        vm.startPrank(aggregator);
        token.approve(address(fl), AGG_STAKE);
        fl.stakeAggregator(id);
        vm.stopPrank();
        agg[index] -= 1;
        post(id, agg, selection(strategy));
        vm.warp(block.timestamp + WINDOW);
        fl.advance(id);
        assertEq(fl.taskState(id).modelRoot, root(agg), "the honest repost became the model");
    }

    function test_attack_wrongFedAvgSlashed() public {
        wrongAggregateSlashed(IFederatedTraining.Strategy.FedAvg, 4);
    }

    function test_attack_wrongFedProxSlashed() public {
        wrongAggregateSlashed(IFederatedTraining.Strategy.FedProx, 0);
    }

    function test_attack_wrongFedMedianSlashed() public {
        wrongAggregateSlashed(IFederatedTraining.Strategy.FedMedian, 2);
    }

    function test_attack_wrongTrimmedAvgSlashed() public {
        wrongAggregateSlashed(IFederatedTraining.Strategy.FedTrimmedAvg, 3);
    }

    function test_attack_wrongMultiKrumAverageSlashed() public {
        wrongAggregateSlashed(IFederatedTraining.Strategy.MultiKrum, 1);
    }

    function test_attack_wrongKrumCopySlashed() public {
        wrongAggregateSlashed(IFederatedTraining.Strategy.Krum, 1);
    }

    /// @notice An aggregate that is the plain mean where the weighted one is due is caught.
    function test_attack_unweightedMeanCaught() public {
        startRound(IFederatedTraining.Strategy.FedAvg);
        int256[] memory agg = honestAggregate(IFederatedTraining.Strategy.FedTrimmedAvg, 1, included);
        post(id, agg, new uint32[](0));
        vm.prank(watcher);
        fl.challengeAggregate(id, challengeOf(1, included, agg, 0));
        assertFalse(fl.taskState(id).aggregatorStaked, "slashed");
    }

    /// @notice Against an honest aggregate, no challenge at any index succeeds: true values
    ///         recompute to the posted one, and any lie about a value fails its proof.
    function testFuzz_attack_honestAggregateCannotBeSlashed(uint8 strategyPick, uint32 index, uint8 liar, int256 lie)
        public
    {
        IFederatedTraining.Strategy strategy = IFederatedTraining.Strategy(bound(strategyPick, 0, 5));
        startRound(strategy);
        index = uint32(bound(index, 0, ELEMENTS - 1));
        uint32[] memory set = ruleSet(strategy);
        int256[] memory agg = honestAggregate(strategy, 1, set);
        post(id, agg, selection(strategy));

        IFederatedTraining.ElementChallenge memory ch = challengeOf(1, set, agg, index);
        vm.prank(watcher);
        vm.expectRevert(abi.encodeWithSelector(IFederatedTraining.FlAggregateCorrect.selector, index, agg[index]));
        fl.challengeAggregate(id, ch);

        uint256 k = bound(liar, 0, set.length);
        if (k == set.length) {
            vm.assume(lie != agg[index]);
            ch.aggregateValue = lie;
            vm.expectRevert(abi.encodeWithSelector(IFederatedTraining.FlProofInvalid.selector, type(uint32).max));
        } else {
            vm.assume(lie != ch.values[k]);
            ch.values[k] = lie;
            vm.expectRevert(abi.encodeWithSelector(IFederatedTraining.FlProofInvalid.selector, set[k]));
        }
        vm.prank(watcher);
        fl.challengeAggregate(id, ch);
        assertTrue(fl.taskState(id).aggregatorStaked, "the honest aggregator keeps its stake");
    }

    /// @notice A proof for another index, or a path of the wrong length, is refused.
    function test_attack_proofOfAnotherIndex() public {
        startRound(IFederatedTraining.Strategy.FedAvg);
        int256[] memory agg = honestAggregate(IFederatedTraining.Strategy.FedAvg, 1, included);
        agg[1] += 5;
        post(id, agg, new uint32[](0));
        IFederatedTraining.ElementChallenge memory ch = challengeOf(1, included, agg, 1);
        ch.index = 0;
        vm.prank(watcher);
        vm.expectRevert(abi.encodeWithSelector(IFederatedTraining.FlProofInvalid.selector, 0));
        fl.challengeAggregate(id, ch);
        ch = challengeOf(1, included, agg, 1);
        ch.index = ELEMENTS;
        vm.expectRevert(abi.encodeWithSelector(IFederatedTraining.FlIndexOutOfRange.selector, ELEMENTS, ELEMENTS));
        fl.challengeAggregate(id, ch);
    }

    /// @notice Leaving an update out (which would move the mean) is refused, and so is
    ///         counting one twice or naming a participant that did not submit.
    function test_attack_challengerOmitsOrDuplicates() public {
        c = config(IFederatedTraining.Strategy.FedAvg);
        id = createTask(c);
        joinAll(id);
        vm.warp(c.startsAt);
        submitAll(id, 1, 3);
        vm.warp(c.startsAt + WINDOW);
        included = firstN(3);
        int256[] memory agg = honestAggregate(c.strategy, 1, included);
        post(id, agg, new uint32[](0));

        IFederatedTraining.ElementChallenge memory ch = challengeOf(1, firstN(2), agg, 0);
        vm.prank(watcher);
        vm.expectRevert(abi.encodeWithSelector(IFederatedTraining.FlParticipantCount.selector, 2, 3));
        fl.challengeAggregate(id, ch);

        uint32[] memory twice = new uint32[](3);
        (twice[0], twice[1], twice[2]) = (0, 1, 1);
        ch = challengeOf(1, twice, agg, 0);
        vm.prank(watcher);
        vm.expectRevert(abi.encodeWithSelector(IFederatedTraining.FlParticipantsInvalid.selector, 2, 1));
        fl.challengeAggregate(id, ch);

        uint32[] memory outsider = new uint32[](3);
        (outsider[0], outsider[1], outsider[2]) = (0, 1, 3);
        ch = challengeOf(1, outsider, agg, 0);
        vm.prank(watcher);
        vm.expectRevert(abi.encodeWithSelector(IFederatedTraining.FlParticipantsInvalid.selector, 2, 3));
        fl.challengeAggregate(id, ch);
        assertTrue(fl.taskState(id).aggregatorStaked, "the honest aggregator keeps its stake");
    }

    /// @notice For MultiKrum the challenge must use the recorded selection, not another subset.
    function test_attack_krumOtherSelectionRefused() public {
        startRound(IFederatedTraining.Strategy.MultiKrum);
        uint32[] memory chosen = selection(IFederatedTraining.Strategy.MultiKrum);
        int256[] memory agg = honestAggregate(IFederatedTraining.Strategy.MultiKrum, 1, chosen);
        post(id, agg, chosen);
        uint32[] memory other = new uint32[](2);
        (other[0], other[1]) = (0, 1);
        vm.prank(watcher);
        vm.expectRevert(abi.encodeWithSelector(IFederatedTraining.FlParticipantsInvalid.selector, 0, 0));
        fl.challengeAggregate(id, challengeOf(1, other, agg, 0));
    }

    /// @notice After the challenge window the aggregate stands.
    function test_attack_challengeAfterWindow() public {
        startRound(IFederatedTraining.Strategy.FedAvg);
        int256[] memory agg = honestAggregate(IFederatedTraining.Strategy.FedAvg, 1, included);
        agg[0] += 1;
        post(id, agg, new uint32[](0));
        vm.warp(block.timestamp + WINDOW);
        IFederatedTraining.ElementChallenge memory ch = challengeOf(1, included, agg, 0);
        vm.expectRevert(
            abi.encodeWithSelector(
                IFederatedTraining.FlNotChallengeable.selector, id, 2, IFederatedTraining.RoundStatus.Open
            )
        );
        fl.challengeAggregate(id, ch);
    }

    function test_attack_lateSubmission() public {
        c = config(IFederatedTraining.Strategy.FedAvg);
        id = createTask(c);
        joinAll(id);
        vm.warp(c.startsAt + WINDOW - 1);
        submitAll(id, 1, 3);
        vm.warp(c.startsAt + WINDOW);
        bytes32 r = root(vector(3, 1));
        vm.prank(people[3]);
        vm.expectRevert(
            abi.encodeWithSelector(IFederatedTraining.FlSubmissionClosed.selector, id, 1, c.startsAt + WINDOW)
        );
        fl.submitUpdate(id, r, ELEMENTS, "late");
        assertEq(uint256(fl.round(id, 1).submissions), 3, "the late update is not counted");
    }

    function test_attack_submitBeforeStart() public {
        c = config(IFederatedTraining.Strategy.FedAvg);
        id = createTask(c);
        joinAll(id);
        bytes32 r = root(vector(0, 1));
        vm.prank(people[0]);
        vm.expectRevert(abi.encodeWithSelector(IFederatedTraining.FlNotStarted.selector, id, c.startsAt));
        fl.submitUpdate(id, r, ELEMENTS, "early");
    }

    function test_attack_joinWithoutStake() public {
        c = config(IFederatedTraining.Strategy.FedAvg);
        id = createTask(c);
        address sybil = address(0x5B11);
        vm.prank(sybil);
        vm.expectRevert(abi.encodeWithSelector(IFederatedTraining.FlStakeMissing.selector, sybil, JOIN_STAKE, 0));
        fl.join(id, 1_000, keccak256("fake"), "", new bytes32[](0));
        assertEq(fl.taskState(id).participantCount, 0, "nobody joined");
    }

    function test_attack_doubleJoin() public {
        c = config(IFederatedTraining.Strategy.FedAvg);
        id = createTask(c);
        joinAs(id, 0);
        vm.startPrank(people[0]);
        token.approve(address(fl), JOIN_STAKE);
        vm.expectRevert(abi.encodeWithSelector(IFederatedTraining.FlAlreadyJoined.selector, id, people[0]));
        fl.join(id, 1_000, keccak256("again"), "", new bytes32[](0));
        vm.stopPrank();
    }

    function test_attack_joinAfterStart() public {
        c = config(IFederatedTraining.Strategy.FedAvg);
        id = createTask(c);
        vm.warp(c.startsAt);
        vm.startPrank(people[0]);
        token.approve(address(fl), JOIN_STAKE);
        vm.expectRevert(abi.encodeWithSelector(IFederatedTraining.FlJoinClosed.selector, id, c.startsAt));
        fl.join(id, 1, keccak256("d"), "", new bytes32[](0));
        vm.stopPrank();
    }

    /// @notice An outsider cannot submit; a participant's update is keyed by its own address,
    ///         and a second commitment in the same round is refused.
    function test_attack_submitForAnother() public {
        c = config(IFederatedTraining.Strategy.FedAvg);
        id = createTask(c);
        joinAll(id);
        vm.warp(c.startsAt);
        submitAll(id, 1, 1);
        bytes32 forged = root(vector(7, 1));
        vm.prank(watcher);
        vm.expectRevert(abi.encodeWithSelector(IFederatedTraining.FlNotParticipant.selector, id, watcher));
        fl.submitUpdate(id, forged, ELEMENTS, "forged");
        vm.prank(people[0]);
        vm.expectRevert(abi.encodeWithSelector(IFederatedTraining.FlAlreadySubmitted.selector, id, 1, people[0]));
        fl.submitUpdate(id, forged, ELEMENTS, "overwrite");
        assertEq(fl.updateRoot(id, 1, 0), root(vector(0, 1)), "the first commitment stands");
    }

    function test_attack_wrongShapeUpdate() public {
        c = config(IFederatedTraining.Strategy.FedAvg);
        id = createTask(c);
        joinAll(id);
        vm.warp(c.startsAt);
        bytes32 r = root(vector(0, 1));
        vm.prank(people[0]);
        vm.expectRevert(abi.encodeWithSelector(IFederatedTraining.FlUpdateInvalid.selector, r, ELEMENTS + 1, ELEMENTS));
        fl.submitUpdate(id, r, ELEMENTS + 1, "shape");
    }

    /// @notice An update holding a value outside |q| < 2^47 costs its sender its stake; the
    ///         sender cannot submit again, and its stake is not returned at the end.
    function test_attack_outOfRangeUpdateSlashesSender() public {
        c = config(IFederatedTraining.Strategy.FedAvg);
        id = createTask(c);
        joinAll(id);
        vm.warp(c.startsAt);
        int256[] memory bad = vector(0, 1);
        bad[3] = FlAggregation.MAX_ABS + 1;
        vm.prank(people[0]);
        fl.submitUpdate(id, root(bad), ELEMENTS, "bad");

        bytes32[] memory p = proof(bad, 3);
        vm.prank(watcher);
        vm.expectRevert(abi.encodeWithSelector(IFederatedTraining.FlValueInRange.selector, bad[2]));
        fl.challengeUpdateRange(id, 1, 0, 2, bad[2], proof(bad, 2));
        vm.prank(watcher);
        fl.challengeUpdateRange(id, 1, 0, 3, bad[3], p);
        assertEq(fl.claimable(watcher), JOIN_STAKE / 2, "half the stake to the challenger");
        assertEq(fl.taskState(id).bonus, JOIN_STAKE - JOIN_STAKE / 2, "the rest to the pool");

        vm.warp(fl.round(id, 1).start + WINDOW + 3 * WINDOW);
        fl.advance(id);
        bytes32 r = root(vector(0, 2));
        vm.prank(people[0]);
        vm.expectRevert(abi.encodeWithSelector(IFederatedTraining.FlNotParticipant.selector, id, people[0]));
        fl.submitUpdate(id, r, ELEMENTS, "again");
        vm.prank(watcher);
        vm.expectRevert(abi.encodeWithSelector(IFederatedTraining.FlNotParticipant.selector, id, people[0]));
        fl.challengeUpdateRange(id, 1, 0, 3, bad[3], p);
    }

    /// @notice A participant slashed for an out-of-range value cannot be given a reward.
    function test_attack_rewardForSlashedParticipant() public {
        c = config(IFederatedTraining.Strategy.FedAvg);
        id = createTask(c);
        joinAll(id);
        vm.warp(c.startsAt);
        submitAll(id, 1, 3);
        int256[] memory bad = vector(3, 1);
        bad[0] = -FlAggregation.MAX_ABS - 1;
        vm.prank(people[3]);
        fl.submitUpdate(id, root(bad), ELEMENTS, "bad");
        vm.prank(watcher);
        fl.challengeUpdateRange(id, 1, 3, 0, bad[0], proof(bad, 0));
        vm.warp(c.startsAt + WINDOW);
        // The rule counts the bad value as the bound; that aggregate stands.
        int256[] memory agg = new int256[](ELEMENTS);
        for (uint32 i; i < ELEMENTS; ++i) {
            (int256[] memory values, uint256[] memory counts) = column(1, firstN(4), i);
            if (i == 0) values[3] = bad[0];
            agg[i] = FlAggregation.weightedMean(values, counts);
        }
        post(id, agg, new uint32[](0));
        vm.warp(block.timestamp + WINDOW);
        fl.advance(id);
        assertEq(fl.taskState(id).modelRoot, root(agg), "clamped aggregate stood");
        uint256[] memory scores = new uint256[](4);
        (scores[0], scores[3]) = (1, 1);
        vm.prank(owner);
        vm.expectRevert(abi.encodeWithSelector(IFederatedTraining.FlNotParticipant.selector, id, people[3]));
        fl.postScores(id, 1, firstN(4), scores);
    }

    function test_attack_aggregatorPostsEarly() public {
        c = config(IFederatedTraining.Strategy.FedAvg);
        id = createTask(c);
        joinAll(id);
        vm.warp(c.startsAt);
        submitAll(id, 1, 3);
        int256[] memory agg = honestAggregate(c.strategy, 1, firstN(3));
        vm.prank(aggregator);
        vm.expectRevert(
            abi.encodeWithSelector(IFederatedTraining.FlSubmitWindowOpen.selector, id, 1, c.startsAt + WINDOW)
        );
        fl.postAggregate(id, root(agg), "early", new uint32[](0), new uint32[](0));
        // The fourth participant still gets in.
        bytes32 r = root(vector(3, 1));
        vm.prank(people[3]);
        fl.submitUpdate(id, r, ELEMENTS, "in time");
        assertEq(uint256(fl.round(id, 1).submissions), 4, "counted");
    }

    function test_attack_outsiderPostsAggregate() public {
        startRound(IFederatedTraining.Strategy.FedAvg);
        vm.prank(watcher);
        vm.expectRevert(abi.encodeWithSelector(IFederatedTraining.FlNotAggregator.selector, id, watcher));
        fl.postAggregate(id, keccak256("x"), "x", new uint32[](0), new uint32[](0));
    }

    /// @notice Excluding updates cannot push the round below quorum, and excluded updates
    ///         earn no score.
    function test_attack_exclusions() public {
        startRound(IFederatedTraining.Strategy.FedAvg);
        uint32[] memory two = new uint32[](2);
        (two[0], two[1]) = (0, 1);
        vm.prank(aggregator);
        vm.expectRevert(abi.encodeWithSelector(IFederatedTraining.FlParticipantCount.selector, 2, 3));
        fl.postAggregate(id, keccak256("x"), "x", two, new uint32[](0));

        uint32[] memory one = new uint32[](1);
        one[0] = 3;
        uint32[] memory kept = firstN(3);
        int256[] memory agg = honestAggregate(c.strategy, 1, kept);
        vm.prank(aggregator);
        fl.postAggregate(id, root(agg), "x", one, new uint32[](0));
        vm.prank(watcher);
        vm.expectRevert(abi.encodeWithSelector(IFederatedTraining.FlAggregateCorrect.selector, 0, agg[0]));
        fl.challengeAggregate(id, challengeOf(1, kept, agg, 0));
        vm.warp(block.timestamp + WINDOW);
        uint256[] memory scores = new uint256[](4);
        scores[3] = 1;
        vm.prank(owner);
        vm.expectRevert(abi.encodeWithSelector(IFederatedTraining.FlParticipantsInvalid.selector, 3, 3));
        fl.postScores(id, 1, firstN(4), scores);
    }

    /// @notice Whatever scores are posted, the rewards of a round never exceed its pool, zero
    ///         scores earn nothing, and a round is scored once.
    function testFuzz_attack_rewardsNeverExceedPool(uint256[4] memory raw) public {
        startRound(IFederatedTraining.Strategy.FedAvg);
        int256[] memory agg = honestAggregate(c.strategy, 1, included);
        post(id, agg, new uint32[](0));
        vm.warp(block.timestamp + WINDOW);
        uint256[] memory scores = new uint256[](4);
        for (uint256 i; i < 4; ++i) {
            scores[i] = bound(raw[i], 0, 1 << 128);
        }
        vm.prank(owner);
        fl.postScores(id, 1, included, scores);
        uint256 paid;
        for (uint256 i; i < 4; ++i) {
            uint256 got = fl.claimable(people[i]);
            if (scores[i] == 0) assertEq(got, 0, "zero score earns nothing");
            paid += got;
        }
        assertLe(paid, POOL / c.rounds, "never more than the round's pool");
        assertEq(fl.taskState(id).poolLeft, POOL - paid, "the pool shrank by what was paid");
        vm.prank(owner);
        vm.expectRevert(abi.encodeWithSelector(IFederatedTraining.FlNotScorable.selector, id, 1));
        fl.postScores(id, 1, included, scores);
    }

    /// @notice Scores only for submitters, posted only by the owner or aggregator, only for a final round.
    function test_attack_scoresForNonSubmitter() public {
        c = config(IFederatedTraining.Strategy.FedAvg);
        id = createTask(c);
        joinAll(id);
        vm.warp(c.startsAt);
        submitAll(id, 1, 3);
        vm.warp(c.startsAt + WINDOW);
        int256[] memory agg = honestAggregate(c.strategy, 1, firstN(3));
        post(id, agg, new uint32[](0));
        uint256[] memory scores = new uint256[](4);
        scores[3] = 5;
        vm.prank(owner);
        vm.expectRevert(abi.encodeWithSelector(IFederatedTraining.FlNotScorable.selector, id, 1));
        fl.postScores(id, 1, firstN(4), scores);
        vm.warp(block.timestamp + WINDOW);
        vm.prank(people[3]);
        vm.expectRevert(abi.encodeWithSelector(IFederatedTraining.FlNotOwnerOrAggregator.selector, id, people[3]));
        fl.postScores(id, 1, firstN(4), scores);
        vm.prank(owner);
        vm.expectRevert(abi.encodeWithSelector(IFederatedTraining.FlParticipantsInvalid.selector, 3, 3));
        fl.postScores(id, 1, firstN(4), scores);
    }

    /// @notice A participant that submitted in no round forfeits half its stake to the owner;
    ///         stakes stay locked until the last round is over.
    function test_attack_idleSybilForfeits() public {
        c = config(IFederatedTraining.Strategy.FedAvg);
        id = createTask(c);
        joinAll(id);
        vm.prank(people[3]);
        vm.expectRevert(abi.encodeWithSelector(IFederatedTraining.FlTaskNotFinished.selector, id));
        fl.withdrawStake(id, 0);
        vm.warp(c.startsAt);
        submitAll(id, 1, 3);
        vm.warp(c.startsAt + 10 * WINDOW);
        vm.prank(people[3]);
        fl.withdrawStake(id, 1);
        assertEq(fl.claimable(people[3]), JOIN_STAKE / 2, "half back");
        assertEq(fl.claimable(owner), JOIN_STAKE / 2, "half to the owner");
        vm.prank(people[0]);
        fl.withdrawStake(id, 1);
        assertEq(fl.claimable(people[0]), JOIN_STAKE, "an active participant gets it all");
        vm.prank(people[0]);
        vm.expectRevert(abi.encodeWithSelector(IFederatedTraining.FlNotParticipant.selector, id, people[0]));
        fl.withdrawStake(id, 1);
    }
}
