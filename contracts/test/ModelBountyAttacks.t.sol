// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {MarketSetup} from "./utils/MarketSetup.sol";
import {ReenteringToken} from "./utils/ReenteringToken.sol";
import {ModelBounty} from "../src/ModelBounty.sol";
import {IDisputeGame} from "../src/interfaces/IDisputeGame.sol";
import {IMarketParams} from "../src/interfaces/IMarketParams.sol";
import {IModelBounty} from "../src/interfaces/IModelBounty.sol";
import {IModelRegistry} from "../src/interfaces/IModelRegistry.sol";
import {IModelStaking} from "../src/interfaces/IModelStaking.sol";
import {IProviderRegistry} from "../src/interfaces/IProviderRegistry.sol";
import {ITrellisParams} from "../src/interfaces/ITrellisParams.sol";
import {TraceMerkle} from "../src/libraries/TraceMerkle.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @notice Attacks on the bounty, each from the attacker's side. The labels are 1, 0, 1, 1;
///         Alice's model gets every row right, the target is 70%.
contract ModelBountyAttacksTest is MarketSetup {
    uint256 internal id;

    function setUp() public {
        setUpMarket();
        id = post();
    }

    function _pastWindows() internal {
        IModelBounty.Task memory t = bounty.taskOf(id);
        vm.warp(t.claimDeadline + ROW_WINDOW + 1);
    }

    /// [withholding-poster] The poster sees the models and never reveals: the reward is
    /// split among the submitters, who also get their bonds back; the poster gets nothing.
    function test_attack_posterNeverReveals() public {
        submitAs(alice, id, aliceModel);
        submitAs(mallory, id, malloryModel);
        vm.warp(bounty.taskOf(id).submitDeadline + 1);
        vm.expectRevert();
        bounty.finalize(id);
        vm.warp(bounty.taskOf(id).revealDeadline + 1);
        vm.prank(poster);
        vm.expectRevert();
        bounty.reveal(id, inputHashes(), labels(), "late");
        bounty.finalize(id);
        assertEq(withdrawAll(alice), REWARD / 2 + SUBMIT_BOND, "half the reward and the bond");
        assertEq(withdrawAll(mallory), REWARD / 2 + SUBMIT_BOND, "half the reward and the bond");
        assertEq(bounty.claimable(poster), 0, "the withholding poster gets nothing back");
        assertEq(token.balanceOf(address(bounty)), 0, "nothing left behind");
    }

    /// [forged-set] The poster reveals labels other than the committed ones (to make every
    /// claim miss the target): refused, and the bounty then ends as if it never revealed.
    function test_attack_posterRevealsAnotherSet() public {
        submitAs(alice, id, aliceModel);
        vm.warp(bounty.taskOf(id).submitDeadline + 1);
        vm.prank(poster);
        vm.expectRevert();
        bounty.reveal(id, inputHashes(), hex"00000000", "forged");
        bytes32[] memory hashes = inputHashes();
        hashes[2] = keccak256("another input");
        vm.prank(poster);
        vm.expectRevert();
        bounty.reveal(id, hashes, labels(), "forged");
        vm.warp(bounty.taskOf(id).revealDeadline + 1);
        bounty.finalize(id);
        assertEq(withdrawAll(alice), REWARD + SUBMIT_BOND, "the only submitter takes the reward");
    }

    /// [early-reveal] Revealing before submissions close would hand submitters the test set.
    function test_attack_posterCannotRevealEarly() public {
        vm.prank(poster);
        vm.expectRevert();
        bounty.reveal(id, inputHashes(), labels(), "early");
    }

    /// [lying-claimant] Mallory's model really predicts 0 on row 3 (75%, under a target of
    /// 80%) and she claims 1 there. A challenger picks row 3; the receipt she can get says
    /// 0, so she cannot answer; the claim is void and the challenger takes her bond.
    function test_attack_claimantLiesAboutOneRow() public {
        IModelBounty.Task memory t = task();
        t.targetBps = 8_000;
        vm.prank(poster);
        id = bounty.post(t, REWARD);
        submitAs(mallory, id, malloryModel);
        toReveal(id);
        vm.prank(mallory);
        vm.expectRevert(abi.encodeWithSelector(IModelBounty.BountyBelowTarget.selector, 3, 4, 8_000));
        bounty.claim(id, malloryModel, hex"01000100");
        claimAs(mallory, id, malloryModel, hex"01000101");
        bytes32 c = challengeRow(challenger, id, malloryModel, 3);
        int256[] memory honest = outputFor(0);
        IDisputeGame.Receipt memory r = rowReceipt(malloryModel, inputHashOf(3), honest);
        bytes memory sig = sign(r);
        vm.expectRevert(abi.encodeWithSelector(IModelBounty.BountyPredictionMismatch.selector, 0, 1));
        bounty.answer(c, r, sig, honest);
        vm.warp(block.timestamp + RESPONSE + 1);
        bounty.timeoutChallenge(c);
        assertTrue(bounty.submissionOf(id, malloryModel).voided, "the claim is void");
        assertEq(bounty.claimable(challenger), ROW_BOND + SUBMIT_BOND, "bond back and the liar's bond");
        _pastWindows();
        bounty.finalize(id);
        assertEq(withdrawAll(poster), REWARD, "no valid claim: the reward goes back");
        assertEq(bounty.claimable(mallory), 0, "the liar loses its bond");
    }

    /// [grief-honest-row] A challenger picks a row Alice got right; she answers with a
    /// receipt, it survives its window, and the challenger's bond goes to her.
    function test_attack_challengingAnHonestRowLosesTheBond() public {
        submitAs(alice, id, aliceModel);
        toReveal(id);
        claimAs(alice, id, aliceModel, labels());
        bytes32 c = challengeRow(challenger, id, aliceModel, 0);
        vm.expectRevert(abi.encodeWithSelector(IModelBounty.BountyRowAlreadyChallenged.selector, c));
        challengeRow(challenger, id, aliceModel, 0);
        answerRow(c, aliceModel, 0, 1);
        vm.expectRevert();
        bounty.settleAnswer(c);
        vm.warp(block.timestamp + CHALLENGE_WINDOW + 1);
        bounty.settleAnswer(c);
        _pastWindows();
        bounty.finalize(id);
        assertEq(withdrawAll(alice), REWARD + SUBMIT_BOND + ROW_BOND, "reward, bond and the challenger's bond");
        assertEq(bounty.claimable(challenger), 0, "the griefer loses its bond");
        assertEq(bounty.getBounty(id).winner, 1, "Alice's submission wins");
    }

    /// [wrong-receipt] Answers with a receipt for another model, another input, an unsigned
    /// one, or one already slashed are all refused.
    function test_attack_answerWithAWrongReceipt() public {
        submitAs(alice, id, aliceModel);
        toReveal(id);
        claimAs(alice, id, aliceModel, labels());
        bytes32 c = challengeRow(challenger, id, aliceModel, 0);
        int256[] memory out = outputFor(1);

        IDisputeGame.Receipt memory r = rowReceipt(malloryModel, inputHashOf(0), out);
        _answerExpectingRevert(
            c, r, out, abi.encodeWithSelector(IModelBounty.BountyReceiptMismatch.selector, bytes32("modelId"))
        );

        r = rowReceipt(aliceModel, inputHashOf(1), out);
        _answerExpectingRevert(
            c, r, out, abi.encodeWithSelector(IModelBounty.BountyReceiptMismatch.selector, bytes32("inputHash"))
        );

        r = rowReceipt(aliceModel, inputHashOf(0), out);
        r.verification = 0;
        _answerExpectingRevert(
            c, r, out, abi.encodeWithSelector(IModelBounty.BountyReceiptMismatch.selector, bytes32("verification"))
        );

        r = rowReceipt(aliceModel, inputHashOf(0), out);
        (uint8 v, bytes32 rr, bytes32 s) = vm.sign(0xBEEF, game.receiptDigest(r));
        vm.expectRevert();
        bounty.answer(c, r, abi.encodePacked(rr, s, v), out);

        out[0] = 11;
        _answerExpectingRevert(
            c, r, out, abi.encodeWithSelector(IModelBounty.BountyOutputMismatch.selector, outputRoot(out), r.outputHash)
        );
        out[0] = 0;
        // A score outside int16 packs as another one (65,536 as 0) under the same root: refused.
        out[1] = out[1] + 65_536;
        _answerExpectingRevert(c, r, out, abi.encodeWithSelector(IModelBounty.BountyOutputOutOfRange.selector));
        out[1] = out[1] - 65_536;

        registry.slash(provider, 1e6, treasury, game.receiptDigest(r));
        _answerExpectingRevert(
            c, r, out, abi.encodeWithSelector(IModelBounty.BountyReceiptSlashed.selector, game.receiptDigest(r))
        );
    }

    function _answerExpectingRevert(bytes32 c, IDisputeGame.Receipt memory r, int256[] memory out, bytes memory err)
        internal
    {
        bytes memory sig = sign(r);
        vm.expectRevert(err);
        bounty.answer(c, r, sig, out);
    }

    function outputRoot(int256[] memory out) internal pure returns (bytes32) {
        return pair(out[0], out[1]);
    }

    /// [slashed-later] Alice answers with a receipt that a dispute slashes within its window:
    /// the answer does not count, the claim is void and the challenger is paid.
    function test_attack_answerWhoseReceiptIsSlashedLater() public {
        submitAs(alice, id, aliceModel);
        toReveal(id);
        claimAs(alice, id, aliceModel, labels());
        bytes32 c = challengeRow(challenger, id, aliceModel, 2);
        IDisputeGame.Receipt memory r = answerRow(c, aliceModel, 2, 1);
        registry.slash(provider, 1e6, treasury, game.receiptDigest(r));
        bounty.settleAnswer(c);
        assertTrue(bounty.submissionOf(id, aliceModel).voided, "the claim is void");
        assertEq(bounty.claimable(challenger), ROW_BOND + SUBMIT_BOND, "the challenger is paid");
    }

    /// [stale-receipt] A receipt whose dispute window is mostly over cannot be re-executed in
    /// time by watchers: refused.
    function test_attack_answerWithAStaleReceipt() public {
        submitAs(alice, id, aliceModel);
        toReveal(id);
        int256[] memory out = outputFor(1);
        IDisputeGame.Receipt memory r = rowReceipt(aliceModel, inputHashOf(0), out);
        vm.warp(block.timestamp + CHALLENGE_WINDOW / 2 + 1);
        claimAs(alice, id, aliceModel, labels());
        bytes32 c = challengeRow(challenger, id, aliceModel, 0);
        bytes memory sig = sign(r);
        vm.expectRevert();
        bounty.answer(c, r, sig, out);
    }

    /// [copycat] Mallory republishes Alice's winning model under her own name: the same
    /// commitment is refused, and a tweaked copy with the same accuracy loses the tie.
    function test_attack_copyOfAWinningModel() public {
        submitAs(alice, id, aliceModel);
        vm.prank(mallory);
        bytes32 copy = models.publish(keccak256("alice"), commitment, shape(), "copy", 500);
        vm.prank(mallory);
        vm.expectRevert(abi.encodeWithSelector(IModelBounty.BountyDuplicateCommitment.selector, commitment));
        bounty.submit(id, copy);
        vm.prank(mallory);
        vm.expectRevert();
        bounty.submit(id, aliceModel);
        submitAs(mallory, id, malloryModel);
        toReveal(id);
        claimAs(alice, id, aliceModel, labels());
        claimAs(mallory, id, malloryModel, labels());
        _pastWindows();
        bounty.finalize(id);
        assertEq(bounty.getBounty(id).winner, 1, "the earlier submission keeps a tie");
        assertEq(withdrawAll(alice), REWARD + SUBMIT_BOND, "Alice is paid");
        assertEq(withdrawAll(mallory), SUBMIT_BOND, "the copy gets its bond only");
        (address owner, uint16 royalty) = models.royaltyInfo(aliceModel);
        assertEq(owner, alice, "royalties for the winner's use go to its owner");
        assertEq(royalty, 500, "at the royalty it published");
    }

    /// [late-submission] After the deadline, and after the set is known, nobody can enter.
    function test_attack_submissionAfterTheDeadline() public {
        toReveal(id);
        vm.prank(alice);
        vm.expectRevert();
        bounty.submit(id, aliceModel);
    }

    /// [unstaked-model] A poster asking for staked models gets only staked ones.
    function test_attack_unstakedModelWhereStakeIsRequired() public {
        IModelBounty.Task memory t = task();
        t.minModelStake = STAKE;
        vm.prank(poster);
        id = bounty.post(t, REWARD);
        vm.prank(mallory);
        vm.expectRevert(
            abi.encodeWithSelector(IModelBounty.BountyModelUnfit.selector, malloryModel, bytes32("stake"), 0, STAKE)
        );
        bounty.submit(id, malloryModel);
        vm.prank(alice);
        staking.stake(aliceModel, STAKE);
        submitAs(alice, id, aliceModel);
    }

    /// [no-winner] Nothing beats the target: after the windows the reward returns.
    function test_attack_noClaimLeavesTheRewardWithThePoster() public {
        submitAs(alice, id, aliceModel);
        toReveal(id);
        _pastWindows();
        vm.prank(alice);
        vm.expectRevert();
        bounty.claim(id, aliceModel, labels());
        bounty.finalize(id);
        vm.expectRevert(abi.encodeWithSelector(IModelBounty.BountyAlreadyFinalized.selector, id));
        bounty.finalize(id);
        assertEq(withdrawAll(poster), REWARD, "reward back");
        assertEq(withdrawAll(alice), SUBMIT_BOND, "bond back");
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IModelBounty.BountyNothingToWithdraw.selector, alice));
        bounty.withdraw();
    }

    /// [pending-challenge] The poster cannot finalize around an open row challenge.
    function test_attack_finalizeAroundAnOpenChallenge() public {
        submitAs(alice, id, aliceModel);
        toReveal(id);
        vm.warp(bounty.taskOf(id).claimDeadline);
        claimAs(alice, id, aliceModel, labels());
        vm.warp(block.timestamp + ROW_WINDOW);
        bytes32 c = challengeRow(challenger, id, aliceModel, 1);
        vm.warp(block.timestamp + 1);
        vm.expectRevert(abi.encodeWithSelector(IModelBounty.BountyChallengesPending.selector, id, 1));
        bounty.finalize(id);
        answerRow(c, aliceModel, 1, 0);
        vm.warp(block.timestamp + CHALLENGE_WINDOW + 1);
        bounty.settleAnswer(c);
        bounty.finalize(id);
        assertEq(bounty.getBounty(id).winner, 1, "Alice wins");
    }

    /// [re-entrancy] A token that calls back into withdraw during the transfer gets nothing
    /// twice: the credit is cleared before the transfer and the guard refuses the re-entry.
    function test_attack_reentrantWithdrawPaysOnce() public {
        ReenteringToken evil = new ReenteringToken();
        ModelBounty b = new ModelBounty(
            IERC20(address(evil)),
            ITrellisParams(address(params)),
            IMarketParams(address(market)),
            IModelRegistry(address(models)),
            IModelStaking(address(staking)),
            IProviderRegistry(address(registry)),
            IDisputeGame(address(game))
        );
        evil.mint(poster, REWARD);
        vm.prank(poster);
        evil.approve(address(b), REWARD);
        vm.prank(poster);
        uint256 bid = b.post(task(), REWARD);
        vm.warp(block.timestamp + 2 days + 1);
        b.finalize(bid);
        evil.arm(address(b));
        vm.prank(poster);
        b.withdraw();
        assertEq(evil.balanceOf(poster), REWARD, "paid once");
        assertFalse(evil.reentered(), "the nested withdraw was refused");
    }

    /// [governance] Bonds and windows stay inside their bounds, only the timelock moves them,
    /// and a change never reaches a bounty already posted.
    function test_attack_boundedParameters() public {
        vm.expectRevert();
        market.setBountySubmitBond(1);
        vm.startPrank(governance);
        vm.expectRevert(
            abi.encodeWithSelector(
                IMarketParams.MarketParamsOutOfBounds.selector, bytes32("bountySubmitBond"), 0, 1e6, 100_000e6
            )
        );
        market.setBountySubmitBond(0);
        vm.expectRevert();
        market.setBountyResponseWindow(1 minutes);
        vm.expectRevert();
        market.setModelSlashChallengerBps(10_000);
        vm.expectRevert();
        market.setModelUnstakeDelay(365 days);
        vm.expectRevert();
        market.renounceOwnership();
        market.setBountySubmitBond(50e6);
        vm.stopPrank();
        assertEq(bounty.getBounty(id).submitBond, SUBMIT_BOND, "the posted terms hold");
        submitAs(alice, id, aliceModel);
        assertEq(token.balanceOf(address(bounty)), REWARD + SUBMIT_BOND, "the old bond was taken");
    }
}
