// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {FlSetup} from "./FlSetup.sol";
import {IFederatedTraining} from "../../src/interfaces/IFederatedTraining.sol";
import {FederatedTraining} from "../../src/fl/FederatedTraining.sol";
import {FlAvailability, IFlAvailability} from "../../src/fl/FlAvailability.sol";

/// @title FlAvailabilityTest
/// @notice The demand-and-open game from the attacker's side: a participant withholds its
///         blob and a colluding aggregator posts a wrong aggregate that includes it; a
///         spammer demands openings of honest updates; answers lie about the value, the
///         index or the path; demands come late. Each test asserts what the honest keep.
contract FlAvailabilityTest is FlSetup {
    IFederatedTraining.TaskConfig internal c;
    uint256 internal id;
    uint256 internal bond;
    FlAvailability internal game;
    uint32 internal constant AGG = type(uint32).max;
    uint32 internal constant WITHHOLDER = 3;

    function setUp() public {
        deployFl();
        c = config(IFederatedTraining.Strategy.FedAvg);
        id = createTask(c);
        joinAll(id);
        game = fl.availability();
        bond = game.demandBond(id);
        mint(watcher, 100 * bond);
        vm.prank(watcher);
        token.approve(address(game), type(uint256).max);
    }

    /// @dev Round 1 runs honestly to the end and is scored: everybody earns a quarter of it.
    function honestRoundOne() internal {
        vm.warp(c.startsAt);
        submitAll(id, 1, 4);
        vm.warp(c.startsAt + WINDOW);
        post(id, honestAggregate(c.strategy, 1, firstN(4)), new uint32[](0));
        vm.warp(block.timestamp + WINDOW);
        fl.advance(id);
        uint256[] memory scores = new uint256[](4);
        (scores[0], scores[1], scores[2], scores[3]) = (1, 1, 1, 1);
        vm.prank(owner);
        fl.postScores(id, 1, firstN(4), scores);
    }

    /// @dev Round `r` has four updates in and an aggregate posted, one element off when `wrongAt` < ELEMENTS.
    function postRound(uint256 r, uint32 wrongAt) internal returns (int256[] memory agg) {
        if (r == 1) vm.warp(c.startsAt);
        submitAll(id, r, 4);
        vm.warp(fl.round(id, r).start + WINDOW);
        agg = honestAggregate(c.strategy, r, firstN(4));
        if (wrongAt < ELEMENTS) agg[wrongAt] += 1_000;
        post(id, agg, new uint32[](0));
    }

    function demand(uint32 target, uint32 index) internal returns (uint256 demandId) {
        vm.prank(watcher);
        demandId = game.demandOpening(id, target, index);
    }

    function answerAs(address who, uint256 demandId, int256[] memory q, uint32 index) internal {
        vm.prank(who);
        game.answerDemand(demandId, q[index], proof(q, index));
    }

    /// @notice The gap this game closes: participant 3 withholds its blob, the aggregator
    ///         colludes and posts a wrong aggregate that includes it. The watcher demands an
    ///         element of the withheld update; nobody answers; the round is void, both
    ///         cheaters are slashed, and the honest keep their stakes and round 1 rewards.
    function test_attack_withheldUpdateVoidsRound() public {
        honestRoundOne();
        uint256 earned = fl.claimable(people[0]);
        assertEq(earned, POOL / 2 / 4, "round 1 paid a quarter of its pool");
        postRound(2, 2);

        uint256 before = token.balanceOf(watcher);
        uint256 demandId = demand(WITHHOLDER, 2);
        assertEq(before - token.balanceOf(watcher), bond, "the demand is bonded");
        IFlAvailability.Demand memory d = game.demandOf(demandId);
        assertEq(d.deadline, block.timestamp + WINDOW, "one challenge window to answer");

        // Past the deadline, unanswered: the round cannot settle as final in the meantime.
        vm.warp(d.deadline - 1);
        fl.advance(id);
        assertEq(uint256(fl.round(id, 2).status), uint256(IFederatedTraining.RoundStatus.Posted), "held while pending");
        vm.warp(d.deadline);
        vm.expectEmit(true, true, true, true);
        emit IFlAvailability.DemandUnanswered(id, 2, demandId, WITHHOLDER, 2, true);
        game.settleDemand(demandId);

        assertEq(uint256(fl.round(id, 2).status), uint256(IFederatedTraining.RoundStatus.Empty), "round void");
        assertEq(
            fl.taskState(id).modelRoot,
            root(honestAggregate(c.strategy, 1, firstN(4))),
            "the wrong aggregate never stood"
        );
        (IFederatedTraining.ParticipantStatus status,,) = fl.participant(id, people[WITHHOLDER]);
        assertEq(uint256(status), uint256(IFederatedTraining.ParticipantStatus.Slashed), "withholder slashed");
        assertFalse(fl.taskState(id).aggregatorStaked, "the colluding aggregator lost its stake");
        assertEq(token.balanceOf(watcher), before, "the bond came back");
        assertEq(fl.claimable(watcher), JOIN_STAKE / 2 + AGG_STAKE / 2, "and half of both slashed stakes");
        assertEq(fl.taskState(id).bonus, JOIN_STAKE / 2 + AGG_STAKE / 2, "the other halves join the pool");
        assertEq(token.balanceOf(address(game)), 0, "no bond left pending");
        uint256[] memory scores = new uint256[](4);
        scores[0] = 1;
        vm.prank(owner);
        vm.expectRevert(abi.encodeWithSelector(IFederatedTraining.FlNotScorable.selector, id, 2));
        fl.postScores(id, 2, firstN(4), scores);

        // The task finishes; the honest take back their whole stakes and keep round 1.
        vm.warp(block.timestamp + 10 * WINDOW);
        fl.advance(id);
        for (uint256 i; i < 3; ++i) {
            vm.prank(people[i]);
            fl.withdrawStake(id, 1);
            assertEq(fl.claimable(people[i]), earned + JOIN_STAKE, "honest: stake and round 1 reward");
        }
        vm.prank(people[WITHHOLDER]);
        vm.expectRevert(abi.encodeWithSelector(IFederatedTraining.FlNotParticipant.selector, id, people[WITHHOLDER]));
        fl.withdrawStake(id, 1);
    }

    /// @notice Nobody settles the unanswered demand: the clock voids the round anyway (the
    ///         aggregator's stake all to the pool); settling later still slashes the withholder.
    function test_attack_unsettledDemandVoidsByClock() public {
        postRound(1, 0);
        uint256 before = token.balanceOf(watcher);
        uint256 demandId = demand(WITHHOLDER, 0);
        vm.warp(game.demandOf(demandId).deadline);
        fl.advance(id);
        assertEq(uint256(fl.round(id, 1).status), uint256(IFederatedTraining.RoundStatus.Empty), "void by the clock");
        assertEq(fl.taskState(id).modelRoot, c.initialRoot, "the initial model carries over");
        assertEq(fl.taskState(id).bonus, AGG_STAKE, "the aggregator's stake went to the pool");
        assertEq(fl.taskState(id).currentRound, 2, "the next round opened");

        game.settleDemand(demandId);
        assertEq(token.balanceOf(watcher), before, "the bond came back");
        assertEq(fl.claimable(watcher), JOIN_STAKE / 2, "and half the withholder's stake");
        (IFederatedTraining.ParticipantStatus status,,) = fl.participant(id, people[WITHHOLDER]);
        assertEq(uint256(status), uint256(IFederatedTraining.ParticipantStatus.Slashed), "withholder slashed");
        vm.expectRevert(
            abi.encodeWithSelector(
                IFlAvailability.FlDemandNotPending.selector, demandId, IFlAvailability.DemandStatus.Unanswered
            )
        );
        game.settleDemand(demandId);
    }

    /// @notice A spammer demands an element of an honest update: its owner answers, takes
    ///         the bond, and the honest aggregate stands.
    function test_attack_spamDemandPaysTheAnswerer() public {
        int256[] memory agg = postRound(1, ELEMENTS);
        uint256 demandId = demand(1, 4);
        int256[] memory q = vector(1, 1);
        uint256 before = token.balanceOf(people[1]);
        answerAs(people[1], demandId, q, 4);
        assertEq(token.balanceOf(people[1]) - before, bond, "the answerer takes the bond");
        assertTrue(game.isOpened(id, 1, 1, 4, q[4], 1), "the committed value is open on chain");
        assertFalse(game.isOpened(id, 1, 1, 4, q[4] + 1, 1), "and no other value");
        vm.expectRevert(abi.encodeWithSelector(IFlAvailability.FlAlreadyDemanded.selector, id, 1, 1, 4));
        demand(1, 4);

        // The answer extends the challenge window by one window from the answer.
        IFlAvailability.Availability memory av = game.availability(id, 1);
        assertEq(av.challengeEnd, block.timestamp + WINDOW, "challenges run a window past the answer");
        assertEq(av.pending, 0, "nothing pending");
        vm.warp(av.challengeEnd);
        fl.advance(id);
        assertEq(fl.taskState(id).modelRoot, root(agg), "the honest aggregate stood");
        assertTrue(fl.taskState(id).aggregatorStaked, "the honest aggregator keeps its stake");
        (IFederatedTraining.ParticipantStatus status,,) = fl.participant(id, people[1]);
        assertEq(uint256(status), uint256(IFederatedTraining.ParticipantStatus.Active), "the answerer keeps its stake");
    }

    /// @notice A wrong value, a path for another index, a path of the wrong length and a
    ///         late answer are refused; the demand stays pending and nobody is paid.
    function test_attack_wrongOpeningsRefused() public {
        postRound(1, ELEMENTS);
        uint256 demandId = demand(2, 1);
        int256[] memory q = vector(2, 1);
        uint256 before = token.balanceOf(people[2]);
        bytes32[] memory path = proof(q, 1);
        bytes memory bad = abi.encodeWithSelector(IFlAvailability.FlOpeningInvalid.selector, demandId, 2, 1);

        vm.prank(people[2]);
        vm.expectRevert(bad);
        game.answerDemand(demandId, q[1] + 1, path);
        vm.prank(people[2]);
        vm.expectRevert(bad);
        game.answerDemand(demandId, q[0], proof(q, 0));
        vm.prank(people[2]);
        vm.expectRevert(bad);
        game.answerDemand(demandId, q[3], proof(q, 3));
        bytes32[] memory short = new bytes32[](path.length - 1);
        for (uint256 i; i < short.length; ++i) {
            short[i] = path[i];
        }
        vm.prank(people[2]);
        vm.expectRevert(bad);
        game.answerDemand(demandId, q[1], short);
        // The aggregate's value at that index opens the aggregate, not participant 2's update.
        int256[] memory agg = honestAggregate(c.strategy, 1, firstN(4));
        vm.prank(aggregator);
        vm.expectRevert(bad);
        game.answerDemand(demandId, agg[1], proof(agg, 1));

        IFlAvailability.Demand memory d = game.demandOf(demandId);
        vm.expectRevert(abi.encodeWithSelector(IFlAvailability.FlAnswerNotDue.selector, demandId, d.deadline));
        game.settleDemand(demandId);
        vm.warp(d.deadline);
        vm.prank(people[2]);
        vm.expectRevert(abi.encodeWithSelector(IFlAvailability.FlAnswerLate.selector, demandId, d.deadline));
        game.answerDemand(demandId, q[1], path);
        assertEq(token.balanceOf(people[2]), before, "nothing paid for a refused answer");
        assertEq(token.balanceOf(address(game)), bond, "the bond is still held");
    }

    /// @notice Demands before a post, after the demand window, past the vector, on an
    ///         excluded update, without a bond, or of an unknown id are refused by name.
    function test_attack_badDemandsRefused() public {
        vm.warp(c.startsAt);
        submitAll(id, 1, 4);
        vm.prank(watcher);
        vm.expectRevert(abi.encodeWithSelector(IFlAvailability.FlNotDemandable.selector, id, 1, c.challengeWindow));
        game.demandOpening(id, 0, 0);

        vm.warp(c.startsAt + WINDOW);
        uint32[] memory excluded = new uint32[](1);
        excluded[0] = 0;
        int256[] memory agg = honestAggregate(c.strategy, 1, _range(1, 4));
        vm.prank(aggregator);
        fl.postAggregate(id, root(agg), "ipfs://aggregate", excluded, new uint32[](0));
        vm.startPrank(watcher);
        vm.expectRevert(abi.encodeWithSelector(IFlAvailability.FlNotIncluded.selector, id, 1, 0));
        game.demandOpening(id, 0, 0);
        vm.expectRevert(abi.encodeWithSelector(IFlAvailability.FlNotIncluded.selector, id, 1, 7));
        game.demandOpening(id, 7, 0);
        vm.expectRevert(abi.encodeWithSelector(IFederatedTraining.FlIndexOutOfRange.selector, ELEMENTS, ELEMENTS));
        game.demandOpening(id, 1, ELEMENTS);
        vm.stopPrank();
        address broke = address(0xB0B);
        vm.prank(broke);
        vm.expectRevert(abi.encodeWithSelector(IFlAvailability.FlBondMissing.selector, broke, bond, 0));
        game.demandOpening(id, 1, 0);
        vm.expectRevert(abi.encodeWithSelector(IFlAvailability.FlUnknownDemand.selector, 1));
        game.settleDemand(1);

        assertEq(game.demandCount(), 0, "no demand was recorded");
        assertEq(token.balanceOf(address(game)), 0, "no bond was taken");

        // A pending demand holds the round past its window, but takes no new demands then.
        uint64 demandEnd = uint64(block.timestamp) + WINDOW;
        vm.warp(demandEnd - WINDOW / 2);
        demand(1, 0);
        vm.warp(demandEnd);
        vm.prank(watcher);
        vm.expectRevert(abi.encodeWithSelector(IFlAvailability.FlNotDemandable.selector, id, 1, demandEnd));
        game.demandOpening(id, 2, 0);
        assertEq(game.demandCount(), 1, "only the demand in the window was recorded");
    }

    /// @notice The watcher lacks participant 3's blob and the aggregate's: it demands both at
    ///         one element, the colluders must answer (or lose the round), and the challenge
    ///         uses the opened values in place of paths: the wrong aggregate is slashed.
    function test_attack_challengeWithOpenedValues() public {
        int256[] memory agg = postRound(1, 2);
        uint256 onUpdate = demand(WITHHOLDER, 2);
        uint256 onAggregate = demand(AGG, 2);
        answerAs(people[WITHHOLDER], onUpdate, vector(WITHHOLDER, 1), 2);
        uint256 before = token.balanceOf(aggregator);
        answerAs(aggregator, onAggregate, agg, 2);
        assertEq(token.balanceOf(aggregator) - before, bond, "the aggregator answered its own demand");

        IFederatedTraining.ElementChallenge memory ch = challengeOf(1, firstN(4), agg, 2);
        ch.proofs[WITHHOLDER] = new bytes32[](0);
        ch.aggregateProof = new bytes32[](0);
        // A lie about the opened value is still refused.
        ch.values[WITHHOLDER] += 1;
        vm.prank(watcher);
        vm.expectRevert(abi.encodeWithSelector(IFederatedTraining.FlProofInvalid.selector, WITHHOLDER));
        fl.challengeAggregate(id, ch);
        ch.values[WITHHOLDER] -= 1;
        vm.prank(watcher);
        fl.challengeAggregate(id, ch);
        assertFalse(fl.taskState(id).aggregatorStaked, "the wrong aggregate was slashed");

        // The aggregate's opening belonged to the slashed post: a repost's element is not open.
        assertTrue(game.isOpened(id, 1, AGG, 2, agg[2], 1), "the aggregate's opening belongs to post 1");
        assertFalse(game.isOpened(id, 1, AGG, 2, agg[2], 2), "a repost starts with nothing opened");
        assertTrue(game.isOpened(id, 1, WITHHOLDER, 2, vector(WITHHOLDER, 1)[2], 2), "an update's holds for every post");
    }

    /// @notice A demand in the last second of the window, answered in the last second of its
    ///         deadline, still feeds a challenge after the original window ended.
    function test_attack_lastSecondDemandStillUsable() public {
        int256[] memory agg = postRound(1, 3);
        uint64 postedAt = fl.round(id, 1).postedAt;
        vm.warp(postedAt + WINDOW - 1);
        uint256 demandId = demand(WITHHOLDER, 3);
        IFlAvailability.Demand memory d = game.demandOf(demandId);
        vm.warp(d.deadline - 1);
        fl.advance(id);
        assertEq(uint256(fl.round(id, 1).status), uint256(IFederatedTraining.RoundStatus.Posted), "still open");
        answerAs(people[WITHHOLDER], demandId, vector(WITHHOLDER, 1), 3);
        vm.warp(block.timestamp + WINDOW - 1);
        IFederatedTraining.ElementChallenge memory ch = challengeOf(1, firstN(4), agg, 3);
        ch.proofs[WITHHOLDER] = new bytes32[](0);
        vm.prank(watcher);
        fl.challengeAggregate(id, ch);
        assertFalse(fl.taskState(id).aggregatorStaked, "slashed with the late opening");
    }

    /// @notice A demand on the aggregate that its aggregator leaves unanswered voids the
    ///         round and slashes only the aggregator; every participant keeps its stake.
    function test_attack_withheldAggregateVoidsRound() public {
        postRound(1, ELEMENTS);
        uint256 before = token.balanceOf(watcher);
        uint256 demandId = demand(AGG, 0);
        vm.warp(game.demandOf(demandId).deadline);
        game.settleDemand(demandId);
        assertEq(uint256(fl.round(id, 1).status), uint256(IFederatedTraining.RoundStatus.Empty), "void");
        assertEq(token.balanceOf(watcher), before, "the bond came back");
        assertEq(fl.claimable(watcher), AGG_STAKE / 2, "and half the aggregator's stake");
        for (uint256 i; i < 4; ++i) {
            (IFederatedTraining.ParticipantStatus status,,) = fl.participant(id, people[i]);
            assertEq(uint256(status), uint256(IFederatedTraining.ParticipantStatus.Active), "participants untouched");
        }
    }

    /// @notice An honest aggregator answers for a participant that went offline (it holds
    ///         every blob it included), so its aggregate survives the participant's absence.
    function test_attack_aggregatorAnswersForAbsentParticipant() public {
        int256[] memory agg = postRound(1, ELEMENTS);
        uint256 demandId = demand(0, 3);
        answerAs(aggregator, demandId, vector(0, 1), 3);
        vm.warp(game.availability(id, 1).challengeEnd);
        fl.advance(id);
        assertEq(fl.taskState(id).modelRoot, root(agg), "the aggregate stood");
    }

    /// @notice Only the coordinator's own game may report an unanswered demand, and a
    ///         demand on a task that does not exist is refused by the coordinator's name for it.
    function test_attack_forgedReportsRefused() public {
        postRound(1, ELEMENTS);
        vm.prank(watcher);
        vm.expectRevert(abi.encodeWithSelector(FederatedTraining.FlNotGame.selector, watcher));
        fl.reportUnavailable(id, 1, 1, 0, uint64(block.timestamp), watcher);
        assertEq(uint256(fl.round(id, 1).status), uint256(IFederatedTraining.RoundStatus.Posted), "the post stands");
        assertTrue(fl.taskState(id).aggregatorStaked, "nobody was slashed");
        vm.prank(watcher);
        vm.expectRevert(abi.encodeWithSelector(IFederatedTraining.FlUnknownTask.selector, 99));
        game.demandOpening(99, 0, 0);
    }

    function _range(uint32 from, uint32 to) internal pure returns (uint32[] memory who) {
        who = new uint32[](to - from);
        for (uint32 i = from; i < to; ++i) {
            who[i - from] = i;
        }
    }
}
