// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {FlSetup} from "./FlSetup.sol";
import {IFederatedTraining} from "../../src/interfaces/IFederatedTraining.sol";
import {IEscrow} from "../../src/interfaces/IEscrow.sol";
import {ContributorRoyalties} from "../../src/fl/ContributorRoyalties.sol";

/// @title FlRoyaltiesTest
/// @notice End to end: a task's final model is published, a client pays for it through the
///         real Escrow, and the data contributors' royalty claims add up to what the Escrow
///         credited to the model's owner.
contract FlRoyaltiesTest is FlSetup {
    uint256 internal constant CLIENT_KEY = 0xC11E;
    address internal provider = address(0x9409);

    function setUp() public {
        deployFl();
    }

    /// @dev One round, scored 1:2:3:0, closed and published.
    function runAndPublish() internal returns (uint256 id, bytes32 modelId, ContributorRoyalties royalties) {
        IFederatedTraining.TaskConfig memory c = config(IFederatedTraining.Strategy.FedAvg);
        c.rounds = 1;
        id = createTask(c);
        joinAll(id);
        vm.warp(c.startsAt);
        submitAll(id, 1, 4);
        vm.warp(c.startsAt + WINDOW);
        post(id, honestAggregate(c.strategy, 1, firstN(4)), new uint32[](0));
        vm.warp(block.timestamp + WINDOW);
        uint256[] memory scores = new uint256[](4);
        (scores[0], scores[1], scores[2]) = (1, 2, 3);
        vm.startPrank(owner);
        fl.postScores(id, 1, firstN(4), scores);
        vm.expectRevert(abi.encodeWithSelector(IFederatedTraining.FlTaskNotClosed.selector, id));
        fl.publishModel(id, keccak256("final onnx"), bytes32(0), emptyShape(), "ipfs://final");
        fl.closeTask(id);
        modelId = fl.publishModel(id, keccak256("final onnx"), bytes32(0), emptyShape(), "ipfs://final");
        vm.expectRevert(abi.encodeWithSelector(IFederatedTraining.FlAlreadyPublished.selector, id));
        fl.publishModel(id, keccak256("other"), bytes32(0), emptyShape(), "ipfs://other");
        vm.stopPrank();
        royalties = ContributorRoyalties(fl.taskState(id).royalties);
    }

    function pay(bytes32 modelId, uint256 cumulative) internal returns (uint256 royalty) {
        address client = vm.addr(CLIENT_KEY);
        IEscrow.Voucher memory v = IEscrow.Voucher(client, provider, modelId, cumulative);
        bytes memory sig = signVoucher(CLIENT_KEY, v);
        uint256 before = escrow.earnings(fl.taskState(1).royalties);
        vm.prank(provider);
        escrow.redeem(v, sig);
        royalty = escrow.earnings(fl.taskState(1).royalties) - before;
    }

    function test_contributorsClaimWhatEscrowPaid() public {
        (, bytes32 modelId, ContributorRoyalties royalties) = runAndPublish();
        address client = vm.addr(CLIENT_KEY);
        mint(client, 10_000e6);
        vm.startPrank(client);
        token.approve(address(escrow), 10_000e6);
        escrow.deposit(10_000e6);
        vm.stopPrank();

        uint256 royalty = pay(modelId, 1_234_567);
        assertEq(royalty, uint256(1_234_567 * 1_000) / 10_000, "the registry's royalty on the redemption");
        uint256 claimed;
        // Alice claims between two redemptions; the others after both.
        uint256 before = token.balanceOf(people[0]);
        royalties.claim(people[0]);
        claimed += token.balanceOf(people[0]) - before;
        royalty += pay(modelId, 9_876_543);
        for (uint256 i; i < 3; ++i) {
            before = token.balanceOf(people[i]);
            if (i == 0 && royalties.claimable(people[0]) == 0) continue;
            royalties.claim(people[i]);
            claimed += token.balanceOf(people[i]) - before;
        }
        vm.expectRevert(abi.encodeWithSelector(ContributorRoyalties.RoyaltiesNothingToClaim.selector, people[3]));
        royalties.claim(people[3]);
        vm.expectRevert(abi.encodeWithSelector(ContributorRoyalties.RoyaltiesNothingToClaim.selector, people[1]));
        royalties.claim(people[1]);

        assertEq(royalties.totalReceived(), royalty, "everything the Escrow credited was collected");
        assertEq(claimed + token.balanceOf(address(royalties)), royalty, "claims plus dust are the royalties");
        assertLe(token.balanceOf(address(royalties)), 3, "dust below one unit per contributor");
        // Pro rata to the shares the scores gave (1 : 2 : 3 : 0).
        uint256 total = fl.taskState(1).totalShares;
        for (uint256 i; i < 4; ++i) {
            assertEq(royalties.released(people[i]), (royalty * fl.shareOf(1, people[i])) / total, "pro rata");
        }
    }

    /// @notice Nobody can publish through a task's royalty account but its coordinator, and a
    ///         royalty account made by anyone else is not the one the task uses.
    function test_attack_publishThroughRoyaltyAccount() public {
        (,, ContributorRoyalties royalties) = runAndPublish();
        vm.prank(watcher);
        vm.expectRevert(abi.encodeWithSelector(ContributorRoyalties.RoyaltiesNotCoordinator.selector, watcher));
        royalties.publish(keccak256("mine"), bytes32(0), emptyShape(), "x", 0);
        vm.prank(watcher);
        ContributorRoyalties fake = factory.create(1, watcher);
        assertEq(address(fake.coordinator()), watcher, "a stranger's account names the stranger");
    }

    /// @notice With no scores at all, the task owner takes the royalties.
    function test_noScoresOwnerTakesRoyalties() public {
        IFederatedTraining.TaskConfig memory c = config(IFederatedTraining.Strategy.FedAvg);
        c.rounds = 1;
        uint256 id = createTask(c);
        vm.warp(c.startsAt + WINDOW);
        vm.startPrank(owner);
        fl.closeTask(id);
        bytes32 modelId = fl.publishModel(id, keccak256("final onnx"), bytes32(0), emptyShape(), "ipfs://final");
        vm.stopPrank();
        ContributorRoyalties royalties = ContributorRoyalties(fl.taskState(id).royalties);
        address client = vm.addr(CLIENT_KEY);
        mint(client, 1_000e6);
        vm.startPrank(client);
        token.approve(address(escrow), 1_000e6);
        escrow.deposit(1_000e6);
        vm.stopPrank();
        uint256 royalty = pay(modelId, 100e6);
        assertEq(royalties.claimable(owner), royalty, "all to the owner");
        assertEq(royalties.claimable(people[0]), 0, "nothing to a non-contributor");
    }
}
