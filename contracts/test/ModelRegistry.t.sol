// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Fixture} from "./utils/Fixture.sol";
import {Shapes} from "./utils/Shapes.sol";
import {IModelRegistry} from "../src/interfaces/IModelRegistry.sol";

contract ModelRegistryTest is Fixture {
    address internal owner = address(0x0A);
    address internal stranger = address(0xBAD);
    bytes32 internal constant CONTENT = keccak256("model.onnx");
    bytes32 internal constant COMMITMENT = keccak256("weights");
    bytes32 internal modelId;

    function setUp() public {
        deploySystem();
        vm.prank(owner);
        modelId = models.publish(CONTENT, bytes32(0), Shapes.none(), "ipfs://meta", 500);
    }

    function test_publish_recordsAndEmits() public {
        bytes32 expected = models.modelIdOf(stranger, CONTENT);
        assertEq(expected, keccak256(abi.encode(stranger, CONTENT)), "id formula");
        vm.expectEmit(address(models));
        emit IModelRegistry.ModelPublished(expected, stranger, CONTENT, COMMITMENT, "uri", 3_000);
        vm.prank(stranger);
        bytes32 id = models.publish(CONTENT, COMMITMENT, Shapes.dense2(), "uri", 3_000);
        assertEq(id, expected, "returned id");
        IModelRegistry.Model memory m = models.getModel(id);
        assertEq(m.owner, stranger, "owner");
        assertEq(uint256(m.royaltyBps), 3_000, "royalty");
        assertEq(m.contentHash, CONTENT, "content");
        assertEq(m.weightCommitment, COMMITMENT, "commitment");
        assertEq(m.metadataURI, "uri", "uri");
        assertFalse(m.deprecated, "not deprecated");
        // Same content, different publisher: a different model, so nobody squats the hash.
        assertTrue(id != modelId, "ids differ per publisher");
    }

    function test_publish_revertsOnZeroContent() public {
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelEmptyContentHash.selector));
        models.publish(bytes32(0), bytes32(0), Shapes.none(), "", 0);
    }

    function test_publish_revertsOnDuplicate() public {
        vm.prank(owner);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelAlreadyPublished.selector, modelId));
        models.publish(CONTENT, bytes32(0), Shapes.none(), "", 0);
    }

    function test_publish_revertsAboveCap() public {
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelRoyaltyTooHigh.selector, 3_001, ROYALTY_CAP_BPS));
        models.publish(keccak256("x"), bytes32(0), Shapes.none(), "", 3_001);
    }

    function test_views() public view {
        assertEq(models.ownerOf(modelId), owner, "ownerOf");
        assertEq(uint256(models.royaltyBpsOf(modelId)), 500, "royaltyBpsOf");
        assertEq(models.weightCommitmentOf(modelId), bytes32(0), "commitment unset");
        assertFalse(models.isDeprecated(modelId), "isDeprecated");
        (address o, uint16 bps) = models.royaltyInfo(modelId);
        assertEq(o, owner, "royaltyInfo owner");
        assertEq(uint256(bps), 500, "royaltyInfo bps");
        (o, bps) = models.royaltyInfo(keccak256("unknown"));
        assertEq(o, address(0), "unknown owner");
        assertEq(uint256(bps), 0, "unknown bps");
    }

    function test_setWeightCommitment_onceOnly() public {
        vm.expectEmit(address(models));
        emit IModelRegistry.WeightCommitmentSet(modelId, COMMITMENT);
        vm.prank(owner);
        models.setWeightCommitment(modelId, COMMITMENT, Shapes.dense2());
        assertEq(models.weightCommitmentOf(modelId), COMMITMENT, "set");
        vm.prank(owner);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelCommitmentAlreadySet.selector, modelId, COMMITMENT));
        models.setWeightCommitment(modelId, keccak256("other"), Shapes.dense2());
    }

    function test_setWeightCommitment_revertsOnZero() public {
        vm.prank(owner);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelEmptyCommitment.selector));
        models.setWeightCommitment(modelId, bytes32(0), Shapes.dense2());
    }

    function test_ownerOnly_functions() public {
        bytes memory notOwner = abi.encodeWithSelector(IModelRegistry.ModelNotOwner.selector, modelId, owner, stranger);
        vm.startPrank(stranger);
        vm.expectRevert(notOwner);
        models.setWeightCommitment(modelId, COMMITMENT, Shapes.dense2());
        vm.expectRevert(notOwner);
        models.setRoyalty(modelId, 1);
        vm.expectRevert(notOwner);
        models.transfer(modelId, stranger);
        vm.expectRevert(notOwner);
        models.deprecate(modelId);
        vm.stopPrank();
    }

    function test_unknownModel_reverts() public {
        bytes32 unknown = keccak256("unknown");
        bytes memory err = abi.encodeWithSelector(IModelRegistry.ModelUnknown.selector, unknown);
        vm.expectRevert(err);
        models.setWeightCommitment(unknown, COMMITMENT, Shapes.dense2());
        vm.expectRevert(err);
        models.setRoyalty(unknown, 1);
        vm.expectRevert(err);
        models.transfer(unknown, owner);
        vm.expectRevert(err);
        models.deprecate(unknown);
    }

    function test_setRoyalty_updatesWithinCap() public {
        vm.expectEmit(address(models));
        emit IModelRegistry.RoyaltySet(modelId, 500, 0);
        vm.prank(owner);
        models.setRoyalty(modelId, 0);
        assertEq(uint256(models.royaltyBpsOf(modelId)), 0, "royalty");
        vm.prank(owner);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelRoyaltyTooHigh.selector, 3_001, ROYALTY_CAP_BPS));
        models.setRoyalty(modelId, 3_001);
    }

    function test_setRoyalty_increaseWaitsForNotice() public {
        uint64 effectiveAt = uint64(block.timestamp + ROYALTY_NOTICE);
        vm.expectEmit(address(models));
        emit IModelRegistry.RoyaltyIncreaseScheduled(modelId, 500, 2_000, effectiveAt);
        vm.prank(owner);
        models.setRoyalty(modelId, 2_000);
        assertEq(uint256(models.royaltyBpsOf(modelId)), 500, "old royalty in force");
        (uint16 pending, uint64 at) = models.pendingRoyalty(modelId);
        assertEq(uint256(pending), 2_000, "pending");
        assertEq(uint256(at), effectiveAt, "effective at");
        IModelRegistry.Model memory m = models.getModel(modelId);
        assertEq(uint256(m.royaltyBps), 500, "record: in force");
        assertEq(uint256(m.pendingRoyaltyBps), 2_000, "record: pending");
        assertEq(uint256(m.royaltyEffectiveAt), effectiveAt, "record: effective at");

        vm.warp(effectiveAt);
        assertEq(uint256(models.royaltyBpsOf(modelId)), 2_000, "new royalty in force");
        (, uint16 bps) = models.royaltyInfo(modelId);
        assertEq(uint256(bps), 2_000, "royaltyInfo");
        (pending, at) = models.pendingRoyalty(modelId);
        assertEq(uint256(pending) + uint256(at), 0, "nothing pending");
        m = models.getModel(modelId);
        assertEq(uint256(m.royaltyBps), 2_000, "record: folded");
        assertEq(uint256(m.pendingRoyaltyBps) + uint256(m.royaltyEffectiveAt), 0, "record: nothing pending");

        // A later decrease compares against the royalty now in force and applies at once.
        vm.expectEmit(address(models));
        emit IModelRegistry.RoyaltySet(modelId, 2_000, 1_500);
        vm.prank(owner);
        models.setRoyalty(modelId, 1_500);
        assertEq(uint256(models.royaltyBpsOf(modelId)), 1_500, "decreased");
    }

    function test_setRoyalty_newIncreaseReplacesPendingAndRestartsNotice() public {
        vm.prank(owner);
        models.setRoyalty(modelId, 2_000);
        vm.warp(block.timestamp + 1 days);
        vm.prank(owner);
        models.setRoyalty(modelId, 1_000);
        (uint16 pending, uint64 at) = models.pendingRoyalty(modelId);
        assertEq(uint256(pending), 1_000, "replaced");
        assertEq(uint256(at), block.timestamp + ROYALTY_NOTICE, "notice restarted");
        assertEq(uint256(models.royaltyBpsOf(modelId)), 500, "still the old one");
    }

    function test_setRoyalty_notAboveCurrentCancelsPending() public {
        vm.prank(owner);
        models.setRoyalty(modelId, 2_000);
        vm.expectEmit(address(models));
        emit IModelRegistry.RoyaltyIncreaseCancelled(modelId, 2_000);
        vm.expectEmit(address(models));
        emit IModelRegistry.RoyaltySet(modelId, 500, 500);
        vm.prank(owner);
        models.setRoyalty(modelId, 500);
        (uint16 pending,) = models.pendingRoyalty(modelId);
        assertEq(uint256(pending), 0, "cancelled");
        vm.warp(block.timestamp + ROYALTY_NOTICE);
        assertEq(uint256(models.royaltyBpsOf(modelId)), 500, "never applied");
    }

    function test_setRoyalty_transferDoesNotSkipNotice() public {
        vm.prank(owner);
        models.transfer(modelId, stranger);
        vm.prank(stranger);
        models.setRoyalty(modelId, 3_000);
        assertEq(uint256(models.royaltyBpsOf(modelId)), 500, "the new owner waits too");
    }

    function test_setRoyalty_followsLoweredCap() public {
        vm.prank(governance);
        params.setRoyaltyCapBps(100);
        vm.prank(owner);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelRoyaltyTooHigh.selector, 101, 100));
        models.setRoyalty(modelId, 101);
    }

    function test_transfer_movesOwnership() public {
        vm.expectEmit(address(models));
        emit IModelRegistry.ModelTransferred(modelId, owner, stranger);
        vm.prank(owner);
        models.transfer(modelId, stranger);
        assertEq(models.ownerOf(modelId), stranger, "new owner");
        vm.prank(stranger);
        models.setRoyalty(modelId, 7);
        assertEq(uint256(models.royaltyBpsOf(modelId)), 7, "new owner controls royalty");
        vm.prank(owner);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelNotOwner.selector, modelId, stranger, owner));
        models.setRoyalty(modelId, 8);
    }

    function test_transfer_revertsToZero() public {
        vm.prank(owner);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelZeroOwner.selector));
        models.transfer(modelId, address(0));
    }

    function test_deprecate_once() public {
        vm.expectEmit(address(models));
        emit IModelRegistry.ModelDeprecated(modelId);
        vm.prank(owner);
        models.deprecate(modelId);
        assertTrue(models.isDeprecated(modelId), "deprecated");
        vm.prank(owner);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelAlreadyDeprecated.selector, modelId));
        models.deprecate(modelId);
    }

    function testFuzz_publish_royaltyCap(uint16 royaltyBps, bytes32 content) public {
        vm.assume(content != bytes32(0) && content != CONTENT);
        if (royaltyBps > ROYALTY_CAP_BPS) {
            vm.expectRevert(
                abi.encodeWithSelector(
                    IModelRegistry.ModelRoyaltyTooHigh.selector, uint256(royaltyBps), ROYALTY_CAP_BPS
                )
            );
        }
        bytes32 id = models.publish(content, bytes32(0), Shapes.none(), "", royaltyBps);
        if (royaltyBps <= ROYALTY_CAP_BPS) {
            assertEq(uint256(models.royaltyBpsOf(id)), royaltyBps, "stored");
        } else {
            assertEq(models.ownerOf(models.modelIdOf(address(this), content)), address(0), "not published");
        }
    }
}
