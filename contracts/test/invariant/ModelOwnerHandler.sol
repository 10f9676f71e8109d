// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {TestBase} from "../utils/TestBase.sol";
import {Ledger} from "./Ledger.sol";
import {Shapes} from "../utils/Shapes.sol";
import {Escrow} from "../../src/Escrow.sol";
import {ModelRegistry} from "../../src/ModelRegistry.sol";
import {TrellisParams} from "../../src/TrellisParams.sol";

/// @title ModelOwnerHandler
/// @notice Model owners publish, change royalties, hand models to each other, deprecate and
///         claim their royalties.
contract ModelOwnerHandler is TestBase {
    /// @dev Bound on published models, so the ledger's loops stay short.
    uint256 internal constant MAX_MODELS = 6;

    Ledger internal immutable ledger;
    Escrow internal immutable escrow;
    ModelRegistry internal immutable models;
    TrellisParams internal immutable params;

    uint256 public ghost_claimed;
    uint256 public ghost_claims;

    constructor(Ledger ledger_, Escrow escrow_, ModelRegistry models_, TrellisParams params_) {
        ledger = ledger_;
        escrow = escrow_;
        models = models_;
        params = params_;
    }

    function _owner(uint256 seed) internal view returns (address) {
        return ledger.modelOwners(seed % ledger.modelOwnerCount());
    }

    function publish(uint256 seed, uint256 content, uint256 royaltyBps) external {
        if (ledger.modelCount() >= MAX_MODELS) return;
        address owner = _owner(seed);
        bytes32 contentHash = keccak256(abi.encode(content));
        if (models.ownerOf(models.modelIdOf(owner, contentHash)) != address(0)) return;
        royaltyBps = bound(royaltyBps, 0, params.royaltyCapBps());
        vm.prank(owner);
        bytes32 modelId = models.publish(contentHash, bytes32(0), Shapes.none(), "", uint16(royaltyBps));
        ledger.addModel(modelId);
    }

    function setRoyalty(uint256 modelSeed, uint256 royaltyBps) external {
        if (ledger.modelCount() == 0) return;
        bytes32 modelId = ledger.modelIds(modelSeed % ledger.modelCount());
        royaltyBps = bound(royaltyBps, 0, params.royaltyCapBps());
        vm.prank(models.ownerOf(modelId));
        models.setRoyalty(modelId, uint16(royaltyBps));
    }

    function transfer(uint256 modelSeed, uint256 toSeed) external {
        if (ledger.modelCount() == 0) return;
        bytes32 modelId = ledger.modelIds(modelSeed % ledger.modelCount());
        address to = _owner(toSeed);
        vm.prank(models.ownerOf(modelId));
        models.transfer(modelId, to);
    }

    function deprecate(uint256 modelSeed) external {
        if (ledger.modelCount() == 0) return;
        bytes32 modelId = ledger.modelIds(modelSeed % ledger.modelCount());
        if (models.isDeprecated(modelId)) return;
        vm.prank(models.ownerOf(modelId));
        models.deprecate(modelId);
    }

    function claim(uint256 seed) external {
        address owner = _owner(seed);
        uint256 amount = escrow.earnings(owner);
        if (amount == 0) return;
        vm.prank(owner);
        escrow.claim();
        ghost_claimed += amount;
        ++ghost_claims;
    }
}
