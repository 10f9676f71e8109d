// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {DisputeSetup} from "./utils/DisputeSetup.sol";
import {IDisputeGame} from "../src/interfaces/IDisputeGame.sol";
import {IEscrow} from "../src/interfaces/IEscrow.sol";
import {LayerMath} from "../src/libraries/LayerMath.sol";
import {TraceMerkle} from "../src/libraries/TraceMerkle.sol";

/// @notice Whole games, payouts and every revert path on the hand-built two-layer model.
contract DisputeGameTest is DisputeSetup {
    function setUp() public {
        setUpGame();
    }

    // ------------------------------------------------------------------ whole games

    function test_cheatingProviderLosesAndIsSlashed() public {
        bytes32 id = toStep(challenger, true, 1);
        bytes32 receiptId = game.receiptDigest(receipt(true));
        vm.expectEmit(address(game));
        emit IDisputeGame.StepExecuted(id, 1, 1, 10, 11);
        vm.prank(challenger);
        game.step(id, 1, denseStep(1));
        // The fee (below maxRefund) is reserved for the client; half the rest to the challenger.
        uint256 rest = SLASH - FEE;
        assertEq(game.claimable(challenger), BOND + rest / 2, "bond back plus half the rest");
        assertEq(game.claimable(treasury), rest - rest / 2, "treasury gets the remainder");
        assertEq(game.refundOf(receiptId).reserved, FEE, "the fee is reserved for the client");
        assertEq(registry.activeStake(provider), 1_000e6 - SLASH, "stake slashed");
        assertEq(registry.totalStaked(), 1_000e6 - SLASH, "registry total follows");
        assertGe(registry.getProvider(provider).jailedUntil, block.timestamp + 7 days, "jailed");
        assertTrue(game.isSettled(receiptId), "settled");
        assertEq(uint256(game.getDispute(id).phase), 0, "cleared");
        assertEq(registry.openDisputes(provider), 0, "stake lock released");
        assertEq(token.balanceOf(address(game)), BOND + rest + FEE, "the game holds exactly what it owes");
        vm.prank(challenger);
        game.claim();
        assertEq(token.balanceOf(challenger), 100e6 + rest / 2, "claimed");
    }

    function test_refundPaysOnlyWhatTheEscrowCharged() public {
        bytes32 id = toStep(challenger, true, 1);
        vm.prank(challenger);
        game.step(id, 1, denseStep(1));
        bytes32 receiptId = game.receiptDigest(receipt(true));
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeNothingToClaim.selector, client));
        game.claimRefund(receiptId);
        // The client paid for the result after all: its voucher is redeemed, then refunded.
        mint(client, FEE);
        vm.startPrank(client);
        token.approve(address(escrow), FEE);
        escrow.deposit(FEE);
        vm.stopPrank();
        IEscrow.Voucher memory v = IEscrow.Voucher(client, provider, modelId, FEE);
        bytes memory sig = signVoucher(CLIENT_KEY, v);
        vm.prank(provider);
        escrow.redeem(v, sig);
        assertEq(game.claimRefund(receiptId), FEE, "refund of the charged fee");
        assertEq(game.claimable(client), FEE, "credited to the client");
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeNothingToClaim.selector, client));
        game.claimRefund(receiptId);
        vm.expectRevert(
            abi.encodeWithSelector(
                IDisputeGame.DisputeRefundNotSweepable.selector,
                receiptId,
                block.timestamp + game.REFUND_PERIOD(),
                block.timestamp
            )
        );
        game.sweepRefund(receiptId);
    }

    function test_unchargedRefundIsSweptToTheTreasury() public {
        bytes32 id = toStep(challenger, true, 1);
        vm.prank(challenger);
        game.step(id, 1, denseStep(1));
        bytes32 receiptId = game.receiptDigest(receipt(true));
        uint256 before = game.claimable(treasury);
        vm.warp(block.timestamp + game.REFUND_PERIOD());
        game.sweepRefund(receiptId);
        assertEq(game.claimable(treasury) - before, FEE, "the uncharged reserve");
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeNoRefund.selector, receiptId));
        game.sweepRefund(receiptId);
    }

    function test_honestProviderKeepsItsStakeAndIsCompensated() public {
        bytes32 id = toStep(challenger, false, 1);
        vm.expectEmit(address(game));
        emit IDisputeGame.DisputeResolved(id, false, IDisputeGame.Outcome.ProviderComputedRight, provider);
        vm.prank(challenger);
        game.step(id, 0, denseStep(0));
        assertEq(game.claimable(provider), COMPENSATION, "defence compensation to the provider");
        assertEq(game.claimable(treasury), BOND - COMPENSATION, "the rest of the bond to the treasury");
        assertEq(registry.activeStake(provider), 1_000e6, "no slash");
        assertFalse(game.isSettled(game.receiptDigest(receipt(false))), "may be challenged again");
        openAs(challenger, false); // a new dispute on the same receipt is allowed
    }

    function test_reluLayerStepWithElementProofs() public {
        bytes32 id = toStep(challenger, true, 2);
        IDisputeGame.StepProof memory p;
        p.params = layerParams(2);
        // Relu reads tensor 1 at index 1, agreed as the provider's 11: the provider computed right.
        // The tensor is one chunk, its own root: the chunk comes with an empty path.
        p.a.chunks = new bytes32[](1);
        p.a.chunks[0] = pair(-4, 11);
        vm.prank(challenger);
        game.step(id, 1, p);
        assertEq(game.claimable(provider), COMPENSATION, "a challenger naming the wrong layer loses");
    }

    function test_timeouts() public {
        bytes32 id = openAs(challenger, true);
        uint256 deadline = block.timestamp + TIMEOUT;
        vm.expectRevert(
            abi.encodeWithSelector(IDisputeGame.DisputeDeadlineNotPassed.selector, id, deadline, block.timestamp)
        );
        game.timeout(id);
        vm.warp(deadline + 1);
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeDeadlinePassed.selector, id, deadline, deadline + 1));
        vm.prank(provider);
        game.revealRoots(id, roots(true));
        game.timeout(id);
        assertTrue(game.isSettled(game.receiptDigest(receipt(true))), "silent provider lost");

        vm.warp(block.timestamp + 1);
        bytes32 id2 = toStep(challenger, false, 1);
        vm.warp(block.timestamp + TIMEOUT + 1);
        vm.expectEmit(address(game));
        emit IDisputeGame.DisputeResolved(id2, false, IDisputeGame.Outcome.ChallengerTimedOut, provider);
        game.timeout(id2);
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeUnknown.selector, id2));
        game.timeout(id2);
    }

    function test_traceOfAnotherLengthCannotBeRevealed() public {
        // The provider signs a trace of four tensors for a two-layer model: no reveal fits,
        // so it loses by timeout.
        bytes32[] memory four = new bytes32[](4);
        bytes32[] memory three = roots(true);
        (four[0], four[1], four[2], four[3]) = (three[0], three[1], three[2], three[2]);
        IDisputeGame.Receipt memory r = receipt(true);
        r.outputHash = four[3];
        r.traceRoot =
            TraceMerkle.hashPair(TraceMerkle.hashPair(four[0], four[1]), TraceMerkle.hashPair(four[2], four[3]));
        bytes32 id = openAs(challenger, r);
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeRootCount.selector, 4, 3));
        game.revealRoots(id, four);
        vm.warp(block.timestamp + TIMEOUT + 1);
        game.timeout(id);
        assertEq(registry.activeStake(provider), 1_000e6 - SLASH, "slashed");
    }

    /// @dev Tensor 1 of the cheating trace with a non-zero slot 2, past the tensor's end.
    function _paddedRoots() internal pure returns (bytes32[] memory rs) {
        rs = roots(true);
        rs[1] = rs[1] | bytes32(uint256(1) << 208);
    }

    function test_nonZeroPaddingLosesTheProvider() public {
        // The provider committed tensor 1 with a value in a padding slot of its chunk.
        bytes32[] memory rs = _paddedRoots();
        IDisputeGame.Receipt memory r = receipt(true);
        r.traceRoot = traceRootOf(rs);
        bytes32 id = openAs(challenger, r);
        vm.prank(provider);
        game.revealRoots(id, rs);
        vm.expectEmit(address(game));
        emit IDisputeGame.DisputeResolved(id, true, IDisputeGame.Outcome.TraceShapeWrong, challenger);
        vm.prank(challenger);
        game.chooseLayer(id, layerParams(1), commitPath(2));
    }

    function test_step_refusesAnOperandChunkWithPadding() public {
        // Agreeing on the padded tensor 1 (choosing layer 2) leaves a step that cannot open it.
        bytes32[] memory rs = _paddedRoots();
        IDisputeGame.Receipt memory r = receipt(true);
        r.traceRoot = traceRootOf(rs);
        bytes32 id = openAs(challenger, r);
        vm.prank(provider);
        game.revealRoots(id, rs);
        vm.startPrank(challenger);
        game.chooseLayer(id, layerParams(2), commitPath(3));
        IDisputeGame.StepProof memory p;
        p.params = layerParams(2);
        p.a.chunks = new bytes32[](1);
        p.a.chunks[0] = rs[1];
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeChunkPadding.selector, 0, 0, rs[1]));
        game.step(id, 1, p);
        vm.stopPrank();
    }

    // ------------------------------------------------------------------ open reverts

    function test_open_reverts() public {
        IDisputeGame.Receipt memory r = receipt(true);
        bytes memory sig = sign(r);
        bytes32 receiptId = game.receiptDigest(r);

        IDisputeGame.Receipt memory forged = receipt(true);
        forged.fee = FEE + 1;
        vm.prank(challenger);
        vm.expectRevert();
        game.open(forged, sig, input(), BOND);
        assertTrue(game.receiptDigest(forged) != receiptId, "digest covers the fee");

        vm.prank(challenger);
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeInputMismatch.selector, pair(5, 8), r.inputHash));
        game.open(r, sig, abi.encodePacked(int16(5), int16(8)), BOND);

        // Two bytes per element, exactly: one element short, or a stray byte.
        vm.prank(challenger);
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeInputSize.selector, 2, 4));
        game.open(r, sig, abi.encodePacked(int16(5)), BOND);
        vm.prank(challenger);
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeInputSize.selector, 5, 4));
        game.open(r, sig, abi.encodePacked(input(), uint8(0)), BOND);

        vm.prank(challenger);
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeBondTooLow.selector, BOND - 1, BOND));
        game.open(r, sig, input(), BOND - 1);

        IDisputeGame.Receipt memory noTrace = receipt(true);
        noTrace.traceRoot = bytes32(0);
        bytes memory noTraceSig = sign(noTrace);
        vm.prank(challenger);
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeNoTrace.selector, game.receiptDigest(noTrace)));
        game.open(noTrace, noTraceSig, input(), BOND);

        IDisputeGame.Receipt memory none = receipt(true);
        none.verification = 0;
        bytes memory noneSig = sign(none);
        vm.prank(challenger);
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeNotVerified.selector, game.receiptDigest(none), 0));
        game.open(none, noneSig, input(), BOND);

        vm.prank(address(0xBEEF));
        bytes32 bare = models.publish(keccak256("bare"), bytes32(0), emptyShape(), "b", 0);
        IDisputeGame.Receipt memory unset = receipt(true);
        unset.modelId = bare;
        bytes memory unsetSig = sign(unset);
        vm.prank(challenger);
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeNoCommitment.selector, unset.modelId));
        game.open(unset, unsetSig, input(), BOND);

        vm.prank(challenger);
        bytes32 id = game.open(r, sig, input(), BOND);
        assertEq(id, game.disputeIdOf(receiptId, challenger), "id names receipt and challenger");
        vm.prank(challenger);
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeAlreadyOpen.selector, id, challenger));
        game.open(r, sig, input(), BOND);
    }

    function test_open_afterTheChallengeWindow() public {
        IDisputeGame.Receipt memory r = receipt(true);
        bytes memory sig = sign(r);
        uint256 closesAt = r.issuedAt + CHALLENGE_WINDOW;
        vm.warp(closesAt + 1);
        vm.prank(challenger);
        vm.expectRevert(
            abi.encodeWithSelector(
                IDisputeGame.DisputeWindowClosed.selector, game.receiptDigest(r), closesAt, closesAt + 1
            )
        );
        game.open(r, sig, input(), BOND);
    }

    function test_open_badSignatureNamesTheSigner() public {
        IDisputeGame.Receipt memory r = receipt(true);
        bytes32 digest = game.receiptDigest(r);
        (uint8 v, bytes32 rr, bytes32 s) = vm.sign(0xB0B, digest);
        vm.prank(challenger);
        vm.expectRevert(
            abi.encodeWithSelector(IDisputeGame.DisputeBadSignature.selector, digest, vm.addr(0xB0B), provider)
        );
        game.open(r, abi.encodePacked(rr, s, v), input(), BOND);
    }

    function test_open_settledReceipt() public {
        bytes32 id = toStep(challenger, true, 1);
        vm.prank(challenger);
        game.step(id, 1, denseStep(1));
        IDisputeGame.Receipt memory r = receipt(true);
        bytes memory sig = sign(r);
        address other = address(0x0DD);
        fundChallenger(other);
        vm.prank(other);
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeReceiptSettled.selector, game.receiptDigest(r)));
        game.open(r, sig, input(), BOND);
    }

    // ------------------------------------------------------------------ move reverts

    function test_revealRoots_reverts() public {
        bytes32 unknown = keccak256("none");
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeUnknown.selector, unknown));
        game.revealRoots(unknown, roots(true));
        bytes32 id = openAs(challenger, true);
        vm.prank(challenger);
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeNotYourTurn.selector, id, challenger, provider));
        game.revealRoots(id, roots(true));

        vm.startPrank(provider);
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeRootCount.selector, 1, 3));
        game.revealRoots(id, new bytes32[](1));
        bytes32[] memory honest = roots(false);
        vm.expectRevert(
            abi.encodeWithSelector(
                IDisputeGame.DisputeRootsMismatch.selector, traceRootOf(honest), receipt(true).traceRoot
            )
        );
        game.revealRoots(id, honest);
        vm.expectRevert(
            abi.encodeWithSelector(
                IDisputeGame.DisputeWrongPhase.selector,
                id,
                IDisputeGame.Phase.AwaitNodes,
                IDisputeGame.Phase.AwaitRoots
            )
        );
        game.revealNodes(id, new bytes32[](2));
        vm.stopPrank();
    }

    function test_revealRoots_endpointsMustMatchTheReceipt() public {
        // A receipt whose trace root is honest but whose output hash names another tensor.
        IDisputeGame.Receipt memory r = receipt(false);
        r.outputHash = keccak256("other output");
        bytes32 id = openAs(challenger, r);
        vm.prank(provider);
        vm.expectRevert(
            abi.encodeWithSelector(IDisputeGame.DisputeRootEndpointMismatch.selector, 2, roots(false)[2], r.outputHash)
        );
        game.revealRoots(id, roots(false));
    }

    function test_chooseLayer_reverts() public {
        bytes32 id = openAs(challenger, true);
        vm.prank(provider);
        game.revealRoots(id, roots(true));
        vm.startPrank(challenger);
        LayerMath.Params memory p = layerParams(1);
        p.layer = 3;
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeLayerOutOfRange.selector, 3, 2));
        game.chooseLayer(id, p, commitPath(2));
        p = layerParams(1);
        p.shift = 2;
        // Leaf index 2 is a left child, then a right child at the next level.
        bytes32 computed = TraceMerkle.hashPair(
            TraceMerkle.hashPair(commitLeaves[0], commitLeaves[1]),
            TraceMerkle.hashPair(LayerMath.leaf(p), commitLeaves[3])
        );
        vm.expectRevert(
            abi.encodeWithSelector(IDisputeGame.DisputeInvalidParamsProof.selector, 1, computed, commitment)
        );
        game.chooseLayer(id, p, commitPath(2));
        // A path of another depth proves nothing, whatever it hashes to.
        vm.expectRevert(
            abi.encodeWithSelector(IDisputeGame.DisputeInvalidParamsProof.selector, 1, bytes32(0), commitment)
        );
        game.chooseLayer(id, layerParams(1), new bytes32[](3));
        vm.stopPrank();
    }

    function test_oneChunkTensorGoesStraightToTheStep() public {
        bytes32 id = openAs(challenger, true);
        vm.prank(provider);
        game.revealRoots(id, roots(true));
        vm.expectEmit(address(game));
        emit IDisputeGame.ChunkNamed(id, 1, 0, pair(-4, 11), uint64(block.timestamp + TIMEOUT));
        vm.prank(challenger);
        game.chooseLayer(id, layerParams(1), commitPath(2));
        assertEq(uint256(game.getDispute(id).phase), uint256(IDisputeGame.Phase.AwaitStep), "no descent");
        vm.prank(provider);
        vm.expectRevert(
            abi.encodeWithSelector(
                IDisputeGame.DisputeWrongPhase.selector, id, IDisputeGame.Phase.AwaitNodes, IDisputeGame.Phase.AwaitStep
            )
        );
        game.revealNodes(id, new bytes32[](2));
    }

    function test_step_reverts() public {
        bytes32 id = toStep(challenger, true, 1);
        IDisputeGame.StepProof memory p = denseStep(1);

        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeNotYourTurn.selector, id, provider, challenger));
        game.step(id, 1, p);

        vm.startPrank(challenger);
        p.params.shift = 2;
        vm.expectRevert(
            abi.encodeWithSelector(
                IDisputeGame.DisputeParamsChanged.selector, LayerMath.leaf(p.params), commitLeaves[2]
            )
        );
        game.step(id, 1, p);

        p = denseStep(1);
        p.weights = abi.encodePacked(int16(-1));
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeWeightLength.selector, 1, 2));
        game.step(id, 1, p);

        p = denseStep(1);
        p.bias = 0;
        vm.expectRevert(); // DisputeInvalidWeightProof with the recomputed root
        game.step(id, 1, p);

        p = denseStep(1);
        p.rowPath = commitPath(0); // row 0's path: the row's position is fixed
        vm.expectRevert();
        game.step(id, 1, p);

        p = denseStep(1);
        p.a.chunks[0] = pair(6, 7);
        vm.expectRevert(
            abi.encodeWithSelector(IDisputeGame.DisputeInvalidElementProof.selector, 0, 0, pair(6, 7), pair(5, 7))
        );
        game.step(id, 1, p);

        p = denseStep(1);
        p.a.chunks = new bytes32[](2);
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeOperandShape.selector, 0, 2, 0, 1, 0));
        game.step(id, 1, p);

        // A path of the wrong length: the one-chunk tensor's path is empty.
        p = denseStep(1);
        p.a.paths = new bytes32[](1);
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeOperandShape.selector, 0, 1, 1, 1, 0));
        game.step(id, 1, p);

        // The element must lie in the chunk reached, inside the tensor.
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeElementNotInChunk.selector, 2, 0, 2));
        game.step(id, 2, denseStep(1));
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeElementNotInChunk.selector, 16, 0, 2));
        game.step(id, 16, denseStep(1));
        vm.stopPrank();

        vm.warp(block.timestamp + TIMEOUT + 1);
        vm.prank(challenger);
        vm.expectRevert();
        game.step(id, 1, denseStep(1));
    }

    function test_claim_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeNothingToClaim.selector, address(this)));
        game.claim();
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeNoRefund.selector, bytes32(0)));
        game.claimRefund(bytes32(0));
        bytes32 id = openAs(challenger, true);
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeNotClosable.selector, id));
        game.close(id);
    }

    // ------------------------------------------------------------------ construction and views

    function test_constructor_rejectsBadConfig() public {
        IDisputeGame.Config memory c = defaultConfig();
        c.moveTimeout = 0;
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeBadConfig.selector, bytes32("moveTimeout"), 0));
        deployGame(c);
        c = defaultConfig();
        c.slashAmount = 0;
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeBadConfig.selector, bytes32("slashAmount"), 0));
        deployGame(c);
        c = defaultConfig();
        c.challengerShareBps = 10_001;
        vm.expectRevert(
            abi.encodeWithSelector(IDisputeGame.DisputeBadConfig.selector, bytes32("challengerShareBps"), 10_001)
        );
        deployGame(c);
        c = defaultConfig();
        c.defenceCompensation = BOND + 1;
        vm.expectRevert(
            abi.encodeWithSelector(IDisputeGame.DisputeBadConfig.selector, bytes32("defenceCompensation"), BOND + 1)
        );
        deployGame(c);
        c = defaultConfig();
        c.maxRefund = SLASH + 1;
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeBadConfig.selector, bytes32("maxRefund"), SLASH + 1));
        deployGame(c);
        c = defaultConfig();
        c.maxOpenPerProvider = 0;
        vm.expectRevert(
            abi.encodeWithSelector(IDisputeGame.DisputeBadConfig.selector, bytes32("maxOpenPerProvider"), 0)
        );
        deployGame(c);
    }

    function test_views() public view {
        IDisputeGame.Config memory c = game.config();
        assertEq(c.moveTimeout, TIMEOUT, "timeout");
        assertEq(c.minBond, BOND, "bond");
        assertEq(c.slashAmount, SLASH, "slash");
        assertEq(c.challengerShareBps, 5_000, "share");
        assertEq(c.jailDuration, 7 days, "jail");
        assertEq(c.defenceCompensation, COMPENSATION, "compensation");
        assertEq(c.maxRefund, MAX_REFUND, "refund cap");
        assertEq(c.maxOpenPerProvider, MAX_OPEN, "open cap");
        assertEq(game.escrow(), address(escrow), "escrow");
        assertEq(uint256(game.getDispute(bytes32(0)).phase), 0, "none");
    }
}
