// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {FlSetup} from "./FlSetup.sol";
import {IFederatedTraining} from "../../src/interfaces/IFederatedTraining.sol";
import {FlAggregation} from "../../src/libraries/FlAggregation.sol";

/// @title FederatedTrainingTest
/// @notice The whole lifecycle of a task and the rules of each step.
contract FederatedTrainingTest is FlSetup {
    event GasUsed(string what, uint256 gas);

    function setUp() public {
        deployFl();
    }

    /// @notice Create, join, two rounds, scores, close, stakes back, publish: every token accounted for.
    function test_lifecycle() public {
        IFederatedTraining.TaskConfig memory c = config(IFederatedTraining.Strategy.FedAvg);
        uint256 id = createTask(c);
        joinAll(id);
        assertEq(token.balanceOf(address(fl)), POOL + AGG_STAKE + 4 * JOIN_STAKE, "pool and stakes held");

        uint32[] memory all = firstN(4);
        for (uint256 r = 1; r <= 2; ++r) {
            IFederatedTraining.Round memory rd = fl.round(id, r);
            if (r == 1) vm.warp(c.startsAt);
            submitAll(id, r, 4);
            rd = fl.round(id, r);
            assertEq(uint256(rd.submissions), 4, "four submissions");
            vm.warp(rd.start + WINDOW);
            int256[] memory agg = honestAggregate(c.strategy, r, all);
            post(id, agg, new uint32[](0));
            vm.warp(block.timestamp + WINDOW);
        }
        fl.advance(id);
        IFederatedTraining.TaskState memory s = fl.taskState(id);
        assertTrue(s.finishedAt != 0, "finished");
        assertEq(s.modelRoot, root(honestAggregate(c.strategy, 2, all)), "final model is round 2's aggregate");
        assertEq(uint256(fl.round(id, 1).status), uint256(IFederatedTraining.RoundStatus.Final), "round 1 final");

        // Scores: round 1 all equal, round 2 one zero (a free rider earns nothing).
        uint256[] memory scores = new uint256[](4);
        scores[0] = 1;
        scores[1] = 1;
        scores[2] = 1;
        scores[3] = 1;
        vm.prank(owner);
        fl.postScores(id, 1, all, scores);
        scores[3] = 0;
        scores[0] = 2;
        vm.prank(aggregator);
        fl.postScores(id, 2, all, scores);
        uint256 perRound = POOL / 2;
        assertEq(fl.claimable(people[0]), perRound / 4 + perRound / 2, "alice: a quarter then a half");
        assertEq(fl.claimable(people[3]), perRound / 4, "dave: nothing from round 2");

        vm.prank(owner);
        fl.closeTask(id);
        assertEq(fl.claimable(owner), 0, "the pool was spent exactly");
        for (uint256 i; i < 4; ++i) {
            vm.prank(people[i]);
            fl.withdrawStake(id, 1);
        }
        vm.prank(aggregator);
        fl.withdrawAggregatorStake(id);

        vm.prank(owner);
        bytes32 modelId = fl.publishModel(id, keccak256("final onnx"), bytes32(0), emptyShape(), "ipfs://final");
        s = fl.taskState(id);
        assertEq(models.ownerOf(modelId), s.royalties, "the royalty account owns the model");
        assertEq(uint256(models.royaltyBpsOf(modelId)), 1_000, "royalty as configured");
        assertEq(s.totalShares, 2e18, "one share unit per scored round");

        uint256 owed;
        for (uint256 i; i < 4; ++i) {
            owed += fl.claimable(people[i]);
            vm.prank(people[i]);
            fl.claim();
        }
        vm.prank(aggregator);
        fl.claim();
        assertEq(owed, POOL + 4 * JOIN_STAKE, "participants got the pool and their stakes");
        assertEq(token.balanceOf(address(fl)), 0, "nothing left behind");
    }

    /// @notice Below quorum the round closes with no aggregate, the previous model carries
    ///         over, and the next round opens at once: a client that disappears stalls nothing.
    function test_quorumNotMetClosesRound() public {
        IFederatedTraining.TaskConfig memory c = config(IFederatedTraining.Strategy.FedAvg);
        uint256 id = createTask(c);
        joinAll(id);
        vm.warp(c.startsAt);
        submitAll(id, 1, 2);
        vm.warp(c.startsAt + WINDOW);
        vm.prank(aggregator);
        // Round 1 closed empty at this instant and round 2 took its place.
        vm.expectRevert(
            abi.encodeWithSelector(IFederatedTraining.FlSubmitWindowOpen.selector, id, 2, c.startsAt + 2 * WINDOW)
        );
        fl.postAggregate(id, root(vector(0, 1)), "x", new uint32[](0), new uint32[](0));
        fl.advance(id);
        assertEq(uint256(fl.round(id, 1).status), uint256(IFederatedTraining.RoundStatus.Empty), "round 1 empty");
        assertEq(fl.taskState(id).modelRoot, c.initialRoot, "the initial model carries over");
        IFederatedTraining.Round memory r2 = fl.round(id, 2);
        assertEq(uint256(r2.start), uint256(c.startsAt) + WINDOW, "round 2 opens when round 1 closed");
        assertEq(fl.taskState(id).aggregatorStaked, true, "no fault of the aggregator");
        submitAll(id, 2, 3);
    }

    /// @notice An aggregator that misses its deadline loses its stake to the pool; the round closes empty.
    function test_lateAggregatorSlashed() public {
        IFederatedTraining.TaskConfig memory c = config(IFederatedTraining.Strategy.FedAvg);
        uint256 id = createTask(c);
        joinAll(id);
        vm.warp(c.startsAt);
        submitAll(id, 1, 4);
        vm.warp(c.startsAt + 2 * WINDOW);
        fl.advance(id);
        assertEq(uint256(fl.round(id, 1).status), uint256(IFederatedTraining.RoundStatus.Empty), "empty");
        IFederatedTraining.TaskState memory s = fl.taskState(id);
        assertFalse(s.aggregatorStaked, "stake gone");
        assertEq(s.bonus, AGG_STAKE, "to the next scored round's pool");
        // The owner names a new aggregator, which stakes and serves round 2.
        vm.prank(owner);
        fl.replaceAggregator(id, watcher);
        mint(watcher, AGG_STAKE);
        vm.startPrank(watcher);
        token.approve(address(fl), AGG_STAKE);
        fl.stakeAggregator(id);
        vm.stopPrank();
        assertTrue(fl.taskState(id).aggregatorStaked, "restaked");
    }

    /// @notice Hand-computed cases of each element rule (rounding half up toward +inf).
    function test_elementRules() public pure {
        int256[] memory v = new int256[](2);
        uint256[] memory n = new uint256[](2);
        (v[0], v[1], n[0], n[1]) = (1, 2, 1, 1);
        assertEqInt(FlAggregation.weightedMean(v, n), int256(2), "1.5 rounds to 2");
        (v[0], v[1]) = (-1, -2);
        assertEqInt(FlAggregation.weightedMean(v, n), int256(-1), "-1.5 rounds to -1");
        (v[0], v[1], n[0], n[1]) = (10, 0, 1, 3);
        assertEqInt(FlAggregation.weightedMean(v, n), int256(3), "2.5 rounds to 3");
        assertEqInt(FlAggregation.median(v), int256(5), "even median");
        int256[] memory w = new int256[](5);
        (w[0], w[1], w[2], w[3], w[4]) = (100, -7, 3, 4, -1000);
        assertEqInt(FlAggregation.median(w), int256(3), "odd median");
        assertEqInt(FlAggregation.trimmedMean(w, 2_000), int256(0), "drop one each end: (-7+3+4)/3 = 0");
        assertEqInt(FlAggregation.trimmedMean(w, 1_999), int256(-180), "drop none: -900/5");
        w[0] = type(int256).max / 4;
        assertEqInt(
            FlAggregation.trimmedMean(w, 0), int256(28_147_497_670_865), "an out-of-range value counts as 2^47 - 1"
        );
    }

    function test_createRefusesBadConfig() public {
        IFederatedTraining.TaskConfig memory c = config(IFederatedTraining.Strategy.FedAvg);
        c.joinStake = 0;
        vm.expectRevert(abi.encodeWithSelector(IFederatedTraining.FlConfigInvalid.selector, bytes32("joinStake"), 0));
        fl.createTask(c, "");
        c = config(IFederatedTraining.Strategy.FedTrimmedAvg);
        c.trimBetaBps = 5_000;
        vm.expectRevert(
            abi.encodeWithSelector(IFederatedTraining.FlConfigInvalid.selector, bytes32("trimBetaBps"), 5_000)
        );
        fl.createTask(c, "");
        c = config(IFederatedTraining.Strategy.Krum);
        c.krumByzantine = 1;
        vm.expectRevert(abi.encodeWithSelector(IFederatedTraining.FlConfigInvalid.selector, bytes32("quorum"), 3));
        fl.createTask(c, "");
        c = config(IFederatedTraining.Strategy.FedAvg);
        c.startsAt = uint64(block.timestamp);
        vm.expectRevert(
            abi.encodeWithSelector(IFederatedTraining.FlConfigInvalid.selector, bytes32("startsAt"), block.timestamp)
        );
        fl.createTask(c, "");
        c = config(IFederatedTraining.Strategy.FedAvg);
        vm.prank(owner);
        vm.expectRevert(abi.encodeWithSelector(IFederatedTraining.FlStakeMissing.selector, owner, POOL, 0));
        fl.createTask(c, "");
    }

    function test_allowlist() public {
        IFederatedTraining.TaskConfig memory c = config(IFederatedTraining.Strategy.FedAvg);
        bytes32 leafA = keccak256(bytes.concat(keccak256(abi.encode(people[0]))));
        bytes32 leafB = keccak256(bytes.concat(keccak256(abi.encode(people[1]))));
        c.allowlistRoot = leafA < leafB ? keccak256(abi.encode(leafA, leafB)) : keccak256(abi.encode(leafB, leafA));
        uint256 id = createTask(c);
        bytes32[] memory p = new bytes32[](1);
        p[0] = leafB;
        vm.startPrank(people[0]);
        token.approve(address(fl), JOIN_STAKE);
        fl.join(id, 1, keccak256("d"), "", p);
        vm.stopPrank();
        vm.startPrank(people[2]);
        token.approve(address(fl), JOIN_STAKE);
        vm.expectRevert(abi.encodeWithSelector(IFederatedTraining.FlNotAdmitted.selector, id, people[2]));
        fl.join(id, 1, keccak256("d"), "", p);
        vm.stopPrank();
    }

    /// @notice Committing an update stays cheap: one new storage word, a counter and an event.
    function test_submitGas() public {
        IFederatedTraining.TaskConfig memory c = config(IFederatedTraining.Strategy.FedAvg);
        uint256 id = createTask(c);
        joinAll(id);
        vm.warp(c.startsAt);
        submitAll(id, 1, 1);
        bytes32 r = root(vector(1, 1));
        vm.prank(people[1]);
        uint256 before = gasleft();
        fl.submitUpdate(id, r, ELEMENTS, "ipfs://bafyupdate");
        uint256 used = before - gasleft();
        emit GasUsed("submitUpdate, second of a round", used);
        assertLe(used, 40_000, "second submission of a round under 40k gas (plus the base fee)");
    }

    /// @notice A task idle for many rounds is rolled forward in bounded steps: each call
    ///         settles at most 32 rounds, and repeated calls reach the end.
    function test_longIdleTaskAdvancesInSteps() public {
        IFederatedTraining.TaskConfig memory c = config(IFederatedTraining.Strategy.FedAvg);
        c.rounds = 100;
        uint256 id = createTask(c);
        vm.warp(c.startsAt + 1_000 * uint256(WINDOW));
        fl.advance(id);
        assertEq(uint256(fl.taskState(id).currentRound), 33, "round 1 opened and 32 settled");
        assertEq(uint256(fl.taskState(id).finishedAt), 0, "not yet at the end");
        for (uint256 i; i < 3; ++i) {
            fl.advance(id);
        }
        IFederatedTraining.TaskState memory s = fl.taskState(id);
        assertEq(uint256(s.currentRound), 100, "last round");
        assertEq(uint256(s.finishedAt), uint256(c.startsAt) + 100 * uint256(WINDOW), "ended when round 100 closed");
        vm.prank(owner);
        fl.closeTask(id);
        assertEq(fl.claimable(owner), POOL, "the whole pool back to the owner");
    }
}
