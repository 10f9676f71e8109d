// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {MarketSetup} from "./utils/MarketSetup.sol";
import {IModelStaking} from "../src/interfaces/IModelStaking.sol";
import {LayerMath} from "../src/libraries/LayerMath.sol";

/// @notice The commitment's data-availability game, each attack from the attacker's side.
contract ModelStakingAttacksTest is MarketSetup {
    function setUp() public {
        setUpMarket();
        vm.prank(alice);
        staking.stake(aliceModel, STAKE);
        vm.prank(mallory);
        staking.stake(malloryModel, STAKE);
    }

    function _challenge(bytes32 model, uint256 leaf) internal returns (uint256 id) {
        vm.prank(challenger);
        id = staking.challenge(model, leaf);
    }

    function test_stake_viewShowsWhatClientsNeed() public view {
        IModelStaking.StakeInfo memory s = staking.stakeOf(aliceModel);
        assertEq(s.staker, alice, "staker");
        assertEq(s.active, STAKE, "active");
        assertEq(staking.slashableStakeOf(aliceModel), STAKE, "slashable");
        assertFalse(s.slashed, "not slashed");
    }

    /// [malformed-commitment] Mallory's commitment opens to nothing: any leaf she is asked
    /// for stays closed, and her whole stake goes to the challenger and the treasury.
    function test_attack_malformedCommitmentIsSlashed() public {
        uint256 id = _challenge(malloryModel, 0);
        vm.prank(mallory);
        vm.expectRevert();
        staking.answerRow(id, 1, bias(0), weights(0), commitPath(0));
        vm.prank(mallory);
        vm.expectRevert(abi.encodeWithSelector(IModelStaking.StakingChallengesOpen.selector, malloryModel, 1));
        staking.requestUnstake(malloryModel, STAKE);
        vm.warp(block.timestamp + RESPONSE + 1);
        staking.timeout(id);
        assertEq(staking.claimable(challenger), MODEL_BOND + STAKE / 2, "bond back and half the stake");
        assertEq(staking.claimable(treasury), STAKE / 2, "the rest to the treasury");
        assertTrue(staking.stakeOf(malloryModel).slashed, "clients see the slash");
        assertEq(staking.slashableStakeOf(malloryModel), 0, "nothing left");
    }

    /// [flee] Mallory asks her stake back; a challenge lands during the delay and the stake
    /// cannot leave until it is resolved, then it is slashed from the unstaking part.
    function test_attack_unstakeDoesNotEscapeAChallenge() public {
        vm.prank(mallory);
        staking.requestUnstake(malloryModel, STAKE);
        uint256 id = _challenge(malloryModel, 3);
        vm.warp(block.timestamp + UNSTAKE_DELAY);
        vm.prank(mallory);
        vm.expectRevert(abi.encodeWithSelector(IModelStaking.StakingChallengesOpen.selector, malloryModel, 1));
        staking.withdrawUnstaked(malloryModel);
        staking.timeout(id);
        assertEq(staking.stakeOf(malloryModel).unstaking, 0, "slashed while unstaking");
        vm.prank(mallory);
        vm.expectRevert(abi.encodeWithSelector(IModelStaking.StakingNothingToWithdraw.selector, malloryModel));
        staking.withdrawUnstaked(malloryModel);
    }

    /// [grief-honest] Challenges of an honest model's row and parameter leaves are answered;
    /// the challenger's bonds pay Alice and her stake is untouched.
    function test_attack_challengingAnHonestModelLosesTheBond() public {
        uint256 rowId = _challenge(aliceModel, 1);
        uint256 paramsId = _challenge(aliceModel, 3);
        vm.startPrank(alice);
        vm.expectRevert(abi.encodeWithSelector(IModelStaking.StakingWrongLeafKind.selector, rowId, 1));
        staking.answerParams(rowId, layerParams(2), commitPath(3));
        staking.answerRow(rowId, 1, bias(1), weights(1), commitPath(1));
        staking.answerParams(paramsId, layerParams(2), commitPath(3));
        vm.stopPrank();
        vm.warp(block.timestamp + RESPONSE + 1);
        vm.expectRevert(
            abi.encodeWithSelector(IModelStaking.StakingNotOpen.selector, rowId, IModelStaking.Status.Answered)
        );
        staking.timeout(rowId);
        assertEq(staking.claimable(alice), 2 * MODEL_BOND, "both bonds to the staker");
        assertEq(staking.slashableStakeOf(aliceModel), STAKE, "stake intact");
        vm.prank(alice);
        staking.requestUnstake(aliceModel, STAKE);
        vm.warp(block.timestamp + UNSTAKE_DELAY);
        vm.prank(alice);
        assertEq(staking.withdrawUnstaked(aliceModel), STAKE, "the honest staker leaves with everything");
    }

    /// [wrong-leaf] Alice cannot answer a row with another row, nor a layer with parameters
    /// that contradict the published shape.
    function test_attack_answerWithAnotherLeafIsRefused() public {
        uint256 id = _challenge(aliceModel, 0);
        vm.prank(alice);
        vm.expectRevert();
        staking.answerRow(id, 1, bias(1), weights(1), commitPath(1));
        uint256 paramsId = _challenge(aliceModel, 2);
        LayerMath.Params memory p = layerParams(1);
        p.outC = 3;
        vm.prank(alice);
        vm.expectRevert();
        staking.answerParams(paramsId, p, commitPath(2));
    }

    /// [out-of-range] A challenger cannot name a leaf beyond the shape's leaf count, so no
    /// honest staker is asked for a leaf that does not exist.
    function test_attack_leafBeyondTheShapeIsRefused() public {
        vm.prank(challenger);
        vm.expectRevert(abi.encodeWithSelector(IModelStaking.StakingLeafOutOfRange.selector, 4, 4));
        staking.challenge(aliceModel, 4);
    }

    /// [late-answer] An answer after the deadline is refused and the stake is slashed.
    function test_attack_lateAnswerIsRefused() public {
        uint256 id = _challenge(aliceModel, 0);
        vm.warp(block.timestamp + RESPONSE + 1);
        vm.prank(alice);
        vm.expectRevert();
        staking.answerRow(id, 1, bias(0), weights(0), commitPath(0));
        staking.timeout(id);
        assertEq(staking.slashableStakeOf(aliceModel), 0, "slashed");
    }

    /// [squat] Someone else's stake on a model Mallory bought cannot be taken over.
    function test_attack_newOwnerCannotTakeTheOldStake() public {
        vm.prank(alice);
        models.transfer(aliceModel, mallory);
        vm.prank(mallory);
        vm.expectRevert(abi.encodeWithSelector(IModelStaking.StakingHeldByOther.selector, aliceModel, alice));
        staking.stake(aliceModel, 1e6);
        vm.prank(mallory);
        vm.expectRevert(abi.encodeWithSelector(IModelStaking.StakingNotStaker.selector, aliceModel, alice, mallory));
        staking.requestUnstake(aliceModel, STAKE);
    }
}
