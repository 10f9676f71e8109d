// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {FlSetup} from "./FlSetup.sol";
import {IFederatedTraining} from "../../src/interfaces/IFederatedTraining.sol";

/// @title FlPrivacyTest
/// @notice The differential-privacy budget as a spending limit on chain (docs/privacy.md):
///         the epsilon of each round is the contract's own computation from the committed
///         parameters, a config whose budget bounds nothing is refused, and a round that
///         would pass the budget never opens, whatever anyone calls.
contract FlPrivacyTest is FlSetup {
    event GasUsed(string what, uint256 gas);
    event PrivacySpent(uint256 indexed taskId, uint256 indexed round, uint256 epsilonMicros, uint256 budgetMicros);

    uint64 internal constant DELTA = 1e13; // 1e-5
    uint32 internal constant NOISE = 4_000_000; // z = 4
    uint32 internal constant CLIP = 1_000_000; // C = 1

    function setUp() public {
        deployFl();
    }

    function dpConfig(uint32 budget) internal view returns (IFederatedTraining.TaskConfig memory c) {
        c = config(IFederatedTraining.Strategy.FedAvg);
        c.rounds = 5;
        c.dpEpsilonMicros = budget;
        c.dpDeltaAtto = DELTA;
        c.dpNoiseMicros = NOISE;
        c.dpClipMicros = CLIP;
    }

    /// @notice Values of src/fl/dp/gaussian-bound.ts (the TypeScript twin), to the last unit.
    function test_accountantMatchesTypeScript() public view {
        assertEq(fl.rules().epsilonAfter(NOISE, DELTA, 1), 1_230_944, "z 4, delta 1e-5, 1 round");
        assertEq(fl.rules().epsilonAfter(NOISE, DELTA, 2), 1_759_852, "2 rounds");
        assertEq(fl.rules().epsilonAfter(NOISE, DELTA, 5), 2_841_714, "5 rounds");
        assertEq(fl.rules().epsilonAfter(1_100_000, 1e12, 20), 30_344_437, "z 1.1, delta 1e-6, 20 rounds");
        assertEq(fl.rules().epsilonAfter(1_000_000_000, 5e17, 1), 2_847, "z 1000: the order clamped at 256");
        assertEq(fl.rules().epsilonAfter(NOISE, DELTA, 0), 0, "nothing spent before round 1");
    }

    /// @notice More rounds never spend less: checking only the next round is enough.
    function testFuzz_boundGrowsWithRounds(uint32 noise, uint64 delta, uint16 rounds) public view {
        noise = uint32(bound(noise, 1_000, type(uint32).max));
        delta = uint64(bound(delta, 1, 1e18 - 1));
        rounds = uint16(bound(rounds, 1, 1_000));
        assertGe(
            fl.rules().epsilonAfter(noise, delta, rounds), fl.rules().epsilonAfter(noise, delta, rounds - 1), "monotone"
        );
        assertGe(
            fl.rules().epsilonAfter(noise / 2 + 1, delta, rounds),
            fl.rules().epsilonAfter(noise, delta, rounds),
            "less noise"
        );
    }

    function test_createRefusesPrivacyThatBoundsNothing() public {
        IFederatedTraining.TaskConfig memory c = dpConfig(3_000_000);
        c.dpNoiseMicros = 0;
        expectConfig("dpNoiseMicros", 0);
        fl.createTask(c, "");
        c = dpConfig(3_000_000);
        c.dpClipMicros = 0;
        expectConfig("dpClipMicros", 0);
        fl.createTask(c, "");
        c = dpConfig(3_000_000);
        c.dpDeltaAtto = 0;
        expectConfig("dpDeltaAtto", 0);
        fl.createTask(c, "");
        c.dpDeltaAtto = 1e18;
        expectConfig("dpDeltaAtto", 1e18);
        fl.createTask(c, "");
        // Noise without a budget: half a config is refused, not read as "no privacy".
        c = dpConfig(0);
        expectConfig("dpDeltaAtto", DELTA);
        fl.createTask(c, "");
        c.dpDeltaAtto = 0;
        expectConfig("dpNoiseMicros", NOISE);
        fl.createTask(c, "");
        // A budget too small for even round 1.
        c = dpConfig(1_000_000);
        vm.expectRevert(
            abi.encodeWithSelector(IFederatedTraining.FlPrivacyBudgetExceeded.selector, 0, 1, 1_230_944, 1_000_000)
        );
        fl.createTask(c, "");
        assertEq(fl.taskCount(), 0, "nothing created");
    }

    /// @notice The budget fits two rounds of five: round 3 never opens, and every call that
    ///         needs it is refused by name; the task finishes and pays out as usual.
    function test_roundPastBudgetCannotStart() public {
        IFederatedTraining.TaskConfig memory c = dpConfig(2_000_000);
        uint256 id = createTask(c);
        joinAll(id);
        uint32[] memory all = firstN(4);
        for (uint256 r = 1; r <= 2; ++r) {
            if (r == 1) vm.warp(c.startsAt);
            // The write that opens the round posts its spend, computed by the contract itself.
            uint256 spend = fl.rules().epsilonAfter(NOISE, DELTA, r);
            vm.expectEmit(address(fl));
            emit PrivacySpent(id, r, spend, 2_000_000);
            submitAll(id, r, 4);
            vm.warp(fl.round(id, r).start + WINDOW);
            post(id, honestAggregate(c.strategy, r, all), new uint32[](0));
            vm.warp(block.timestamp + WINDOW);
        }
        assertEq(spentBy(id), 1_759_852, "two rounds spent");
        // Anyone rolling the task forward ends it instead of opening round 3.
        vm.prank(address(0xBAD));
        fl.advance(id);
        IFederatedTraining.TaskState memory s = fl.taskState(id);
        assertEq(uint256(s.currentRound), 2, "round 3 never opened");
        assertTrue(s.finishedAt != 0, "the budget ended the task");
        assertEq(uint256(fl.round(id, 3).status), uint256(IFederatedTraining.RoundStatus.None), "round 3 untouched");
        uint256 third = fl.rules().epsilonAfter(NOISE, DELTA, 3);
        bytes memory refusal =
            abi.encodeWithSelector(IFederatedTraining.FlPrivacyBudgetExceeded.selector, id, 3, third, 2_000_000);
        vm.prank(people[0]);
        vm.expectRevert(refusal);
        fl.submitUpdate(id, root(vector(0, 3)), ELEMENTS, "ipfs://update");
        vm.prank(aggregator);
        vm.expectRevert(refusal);
        fl.postAggregate(id, root(vector(0, 3)), "", new uint32[](0), new uint32[](0));
        vm.warp(block.timestamp + 100 * uint256(WINDOW));
        fl.advance(id);
        assertEq(uint256(fl.taskState(id).currentRound), 2, "still round 2, however late");

        // The rest of the pool (three unrun rounds) goes back; stakes come home.
        vm.prank(owner);
        fl.closeTask(id);
        assertEq(fl.claimable(owner), POOL, "nothing scored: the whole pool back");
        vm.prank(people[0]);
        fl.withdrawStake(id, 1);
    }

    /// @notice Whatever the parameters and however time jumps, no opened round's epsilon
    ///         passes the budget, and the task always reaches its end.
    function testFuzz_noRoundPassesTheBudget(uint32 budget, uint32 noise, uint64 delta, uint16 rounds, uint256 seed)
        public
    {
        IFederatedTraining.TaskConfig memory c = dpConfig(uint32(bound(budget, 10_000, 100_000_000)));
        c.dpNoiseMicros = uint32(bound(noise, 100_000, 50_000_000));
        c.dpDeltaAtto = uint64(bound(delta, 1e6, 5e17));
        c.rounds = uint16(bound(rounds, 1, 120));
        uint256 first = fl.rules().epsilonAfter(c.dpNoiseMicros, c.dpDeltaAtto, 1);
        vm.startPrank(owner);
        token.approve(address(fl), c.rewardPool);
        if (first > c.dpEpsilonMicros) {
            vm.expectRevert(
                abi.encodeWithSelector(
                    IFederatedTraining.FlPrivacyBudgetExceeded.selector, 0, 1, first, c.dpEpsilonMicros
                )
            );
            fl.createTask(c, "");
            vm.stopPrank();
            return;
        }
        uint256 id = fl.createTask(c, "");
        vm.stopPrank();
        uint256 t = c.startsAt;
        for (uint256 step; step < 12; ++step) {
            seed = uint256(keccak256(abi.encode(seed, step)));
            t += (seed % 40) * uint256(WINDOW) + (seed >> 128) % WINDOW;
            vm.warp(t);
            fl.advance(id);
            uint256 r = fl.taskState(id).currentRound;
            assertLe(spentBy(id), c.dpEpsilonMicros, "spent within the budget");
            assertLe(r, c.rounds, "never past the last round");
        }
        vm.warp(t + 200 * uint256(WINDOW));
        for (uint256 i; i < 5; ++i) {
            fl.advance(id);
        }
        IFederatedTraining.TaskState memory s = fl.taskState(id);
        assertTrue(s.finishedAt != 0, "the task ended");
        uint256 ran = s.currentRound;
        if (ran < c.rounds) {
            assertTrue(
                fl.rules().epsilonAfter(c.dpNoiseMicros, c.dpDeltaAtto, ran + 1) > c.dpEpsilonMicros,
                "stopped at the limit"
            );
        }
    }

    /// @notice What differential privacy costs in gas: createTask and the write that opens a
    ///         round, each against a twin without DP. A first task warms what every task
    ///         shares (the task counter, the rules contract); test/fl-contract.test.ts reads
    ///         the same from receipts.
    function test_privacyGas() public {
        IFederatedTraining.TaskConfig memory plain = config(IFederatedTraining.Strategy.FedAvg);
        plain.rounds = 5;
        IFederatedTraining.TaskConfig memory dp = dpConfig(3_000_000);
        createGas(plain);
        uint256 plainCreate = createGas(plain);
        uint256 dpCreate = createGas(dp);
        emit GasUsed("createTask, extra with DP", dpCreate - plainCreate);
        assertLe(dpCreate - plainCreate, 15_000, "the budget check at creation stays small");
        joinAs(2, 0);
        joinAs(3, 0);
        vm.warp(plain.startsAt);
        uint256 plainOpen = openGas(2);
        uint256 dpOpen = openGas(3);
        emit GasUsed("submitUpdate opening a round, extra with DP", dpOpen - plainOpen);
        assertLe(dpOpen - plainOpen, 15_000, "one accountant run and an event per round");
    }

    function createGas(IFederatedTraining.TaskConfig memory c) internal returns (uint256 used) {
        vm.startPrank(owner);
        token.approve(address(fl), c.rewardPool);
        uint256 before = gasleft();
        fl.createTask(c, "ipfs://initial");
        used = before - gasleft();
        vm.stopPrank();
        vm.startPrank(aggregator);
        token.approve(address(fl), c.aggregatorStake);
        fl.stakeAggregator(fl.taskCount());
        vm.stopPrank();
    }

    function openGas(uint256 id) internal returns (uint256 used) {
        bytes32 r = root(vector(0, 1));
        vm.prank(people[0]);
        uint256 before = gasleft();
        fl.submitUpdate(id, r, ELEMENTS, "ipfs://update");
        used = before - gasleft();
    }

    /// @dev The epsilon a task has spent by its current round, as the contract counts it.
    function spentBy(uint256 id) internal view returns (uint256) {
        IFederatedTraining.TaskConfig memory c = fl.taskConfig(id);
        return fl.rules().epsilonAfter(c.dpNoiseMicros, c.dpDeltaAtto, fl.taskState(id).currentRound);
    }

    function expectConfig(bytes32 field, uint256 value) internal {
        vm.expectRevert(abi.encodeWithSelector(IFederatedTraining.FlConfigInvalid.selector, field, value));
    }
}
