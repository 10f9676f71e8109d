// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Fixture} from "./utils/Fixture.sol";
import {DisputeGame} from "../src/DisputeGame.sol";
import {IDisputeGame} from "../src/interfaces/IDisputeGame.sol";
import {IProviderRegistry} from "../src/interfaces/IProviderRegistry.sol";
import {IModelRegistry} from "../src/interfaces/IModelRegistry.sol";
import {ITrellisParams} from "../src/interfaces/ITrellisParams.sol";
import {LayerMath} from "../src/libraries/LayerMath.sol";
import {TraceMerkle} from "../src/libraries/TraceMerkle.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @notice The game on a two-layer model built here by hand: dense (K = 2, M = 2, shift 1)
///         then relu. Input [5, 7]; honest tensors: [-4, 10] and [0, 10]. The cheating
///         provider claims [-4, 11] and [0, 11].
contract DisputeGameTest is Fixture {
    uint256 internal constant PROVIDER_KEY = 0xA11CE;
    uint256 internal constant BOND = 10e6;
    uint256 internal constant SLASH = 50e6;
    uint256 internal constant FEE = 5e5;
    uint256 internal constant TIMEOUT = 1 hours;

    DisputeGame internal game;
    address internal provider;
    address internal challenger = address(0xC4A1);
    address internal client = address(0xC11E);
    bytes32 internal modelId;
    bytes32[4] internal commitLeaves;
    bytes32 internal commitment;

    function setUp() public {
        deploySystem();
        provider = vm.addr(PROVIDER_KEY);
        game = new DisputeGame(
            IERC20(address(token)),
            ITrellisParams(address(params)),
            IProviderRegistry(address(registry)),
            IModelRegistry(address(models)),
            address(escrow),
            IDisputeGame.Config(TIMEOUT, BOND, SLASH, 5_000, 7 days)
        );
        vm.prank(governance);
        registry.setSlasher(address(game), true);
        mint(provider, 1_000e6);
        vm.startPrank(provider);
        token.approve(address(registry), 1_000e6);
        registry.register("http://p", "", 1_000e6);
        vm.stopPrank();
        mint(challenger, 100e6);
        vm.prank(challenger);
        token.approve(address(game), type(uint256).max);

        commitLeaves[0] = _rowLeaf(0);
        commitLeaves[1] = _rowLeaf(1);
        commitLeaves[2] = LayerMath.leaf(_params(1));
        commitLeaves[3] = LayerMath.leaf(_params(2));
        commitment = TraceMerkle.hashPair(
            TraceMerkle.hashPair(commitLeaves[0], commitLeaves[1]), TraceMerkle.hashPair(commitLeaves[2], commitLeaves[3])
        );
        modelId = models.publish(keccak256("model"), commitment, "m", 0);
    }

    // ------------------------------------------------------------------ model and traces

    function _weights(uint256 row) internal pure returns (bytes memory) {
        return row == 0 ? abi.encodePacked(int16(3), int16(-2)) : abi.encodePacked(int16(-1), int16(4));
    }

    function _bias(uint256 row) internal pure returns (int256) {
        return row == 0 ? int256(-10) : int256(-3);
    }

    function _rowLeaf(uint256 row) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked(uint32(1), uint32(row), uint8(1), int64(_bias(row)), _weights(row)));
    }

    function _params(uint256 layer) internal pure returns (LayerMath.Params memory p) {
        p.layer = layer;
        p.layerCount = 2;
        p.op = layer == 1 ? LayerMath.OP_DENSE : LayerMath.OP_RELU;
        p.inputA = layer - 1;
        (p.inC, p.inH, p.inW, p.outC, p.outH, p.outW) = (2, 1, 1, 2, 1, 1);
        p.shift = layer == 1 ? 1 : 0;
    }

    /// @dev Sibling path of leaf `i` in the 4-leaf commitment tree.
    function _commitPath(uint256 i) internal view returns (bytes32[] memory path) {
        path = new bytes32[](2);
        path[0] = commitLeaves[i ^ 1];
        uint256 other = i < 2 ? 2 : 0;
        path[1] = TraceMerkle.hashPair(commitLeaves[other], commitLeaves[other + 1]);
    }

    function _pair(int256 a, int256 b) internal pure returns (bytes32) {
        return TraceMerkle.hashPair(TraceMerkle.elementLeaf(a), TraceMerkle.elementLeaf(b));
    }

    function _roots(bool cheat) internal pure returns (bytes32[] memory roots) {
        roots = new bytes32[](3);
        roots[0] = _pair(5, 7);
        roots[1] = _pair(-4, cheat ? int256(11) : int256(10));
        roots[2] = _pair(0, cheat ? int256(11) : int256(10));
    }

    function _traceRoot(bytes32[] memory roots) internal pure returns (bytes32) {
        return TraceMerkle.hashPair(TraceMerkle.hashPair(roots[0], roots[1]), TraceMerkle.hashPair(roots[2], bytes32(0)));
    }

    function _receipt(bool cheat) internal view returns (IDisputeGame.Receipt memory r) {
        bytes32[] memory roots = _roots(cheat);
        r = IDisputeGame.Receipt({
            requestHash: keccak256("request"),
            client: client,
            provider: provider,
            modelId: modelId,
            inputHash: roots[0],
            outputHash: roots[2],
            traceRoot: _traceRoot(roots),
            fee: FEE,
            channelTotal: FEE,
            issuedAt: uint64(block.timestamp),
            verification: 2
        });
    }

    function _sign(IDisputeGame.Receipt memory r) internal view returns (bytes memory) {
        (uint8 v, bytes32 rr, bytes32 s) = vm.sign(PROVIDER_KEY, game.receiptDigest(r));
        return abi.encodePacked(rr, s, v);
    }

    function _input() internal pure returns (int256[] memory x) {
        x = new int256[](2);
        (x[0], x[1]) = (5, 7);
    }

    function _open(bool cheat) internal returns (bytes32 id) {
        IDisputeGame.Receipt memory r = _receipt(cheat);
        bytes memory sig = _sign(r);
        vm.prank(challenger);
        id = game.open(r, sig, _input(), BOND);
    }

    function _toLayerChoice(bool cheat, uint256 layer) internal returns (bytes32 id) {
        id = _open(cheat);
        vm.prank(provider);
        game.revealRoots(id, _roots(cheat));
        vm.prank(challenger);
        game.chooseLayer(id, _params(layer), 1 + layer, _commitPath(1 + layer));
    }

    function _toStep(bool cheat) internal returns (bytes32 id) {
        id = _toLayerChoice(cheat, 1);
        vm.prank(provider);
        game.revealTensor(id, abi.encodePacked(int16(-4), int16(cheat ? int16(11) : int16(10))));
    }

    function _stepProof(bool cheat, uint256 index) internal view returns (IDisputeGame.StepProof memory p) {
        p.params = _params(1);
        p.index = index;
        int256 other = index == 0 ? (cheat ? int256(11) : int256(10)) : int256(-4);
        p.providerValue = index == 0 ? int256(-4) : (cheat ? int256(11) : int256(10));
        p.providerPath = new bytes32[](1);
        p.providerPath[0] = TraceMerkle.elementLeaf(other);
        p.rowShift = 1;
        p.bias = _bias(index);
        p.weights = _weights(index);
        p.rowLeafIndex = index;
        p.rowPath = _commitPath(index);
        p.a.values = _input();
    }

    // ------------------------------------------------------------------ whole games

    function test_cheatingProviderLosesAndIsSlashed() public {
        bytes32 id = _toStep(true);
        uint256 treasuryBefore = token.balanceOf(treasury);
        vm.expectEmit(address(game));
        emit IDisputeGame.StepExecuted(id, 1, 1, 10, 11);
        vm.prank(challenger);
        game.step(id, _stepProof(true, 1));
        uint256 rest = SLASH - FEE;
        assertEq(token.balanceOf(client), FEE, "client refunded the fee");
        assertEq(token.balanceOf(challenger), 100e6 + rest / 2, "bond back plus half the rest");
        assertEq(token.balanceOf(treasury) - treasuryBefore, rest - rest / 2, "treasury gets the remainder");
        assertEq(registry.activeStake(provider), 1_000e6 - SLASH, "stake slashed");
        assertEq(registry.totalStaked(), 1_000e6 - SLASH, "registry total follows");
        assertGe(registry.getProvider(provider).jailedUntil, block.timestamp + 7 days, "jailed");
        assertTrue(game.isSettled(id), "settled");
        assertEq(uint256(game.getDispute(id).phase), 0, "cleared");
        assertEq(token.balanceOf(address(game)), 0, "game keeps nothing");
    }

    function test_honestProviderWinsTheBond() public {
        bytes32 id = _toStep(false);
        vm.expectEmit(address(game));
        emit IDisputeGame.DisputeResolved(id, false, IDisputeGame.Outcome.ProviderComputedRight, provider);
        vm.prank(provider); // the provider may settle the step itself
        game.step(id, _stepProof(false, 0));
        assertEq(token.balanceOf(provider), BOND, "bond to the provider");
        assertEq(registry.activeStake(provider), 1_000e6, "no slash");
        assertFalse(game.isSettled(id), "may be challenged again");
        _open(false); // a new dispute on the same receipt is allowed
    }

    function test_reluLayerStepWithElementProofs() public {
        bytes32 id = _toLayerChoice(true, 2);
        vm.prank(provider);
        game.revealTensor(id, abi.encodePacked(int16(0), int16(11)));
        IDisputeGame.StepProof memory p;
        p.params = _params(2);
        p.index = 1;
        p.providerValue = 11;
        p.providerPath = new bytes32[](1);
        p.providerPath[0] = TraceMerkle.elementLeaf(0);
        // Relu reads tensor 1 at index 1, agreed as the provider's 11: the provider computed right.
        p.a.values = new int256[](1);
        p.a.values[0] = 11;
        p.a.paths = new bytes32[](1);
        p.a.paths[0] = TraceMerkle.elementLeaf(-4);
        vm.prank(challenger);
        game.step(id, p);
        assertEq(token.balanceOf(provider), BOND, "a challenger naming the wrong layer loses");
    }

    function test_timeouts() public {
        bytes32 id = _open(true);
        uint256 deadline = block.timestamp + TIMEOUT;
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeDeadlineNotPassed.selector, id, deadline, block.timestamp));
        game.timeout(id);
        vm.warp(deadline + 1);
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeDeadlinePassed.selector, id, deadline, deadline + 1));
        vm.prank(provider);
        game.revealRoots(id, _roots(true));
        game.timeout(id);
        assertTrue(game.isSettled(id), "silent provider lost");

        vm.warp(block.timestamp + 1);
        IDisputeGame.Receipt memory r = _receipt(false);
        bytes memory sig = _sign(r);
        vm.prank(challenger);
        bytes32 id2 = game.open(r, sig, _input(), BOND);
        vm.prank(provider);
        game.revealRoots(id2, _roots(false));
        vm.warp(block.timestamp + TIMEOUT + 1);
        vm.expectEmit(address(game));
        emit IDisputeGame.DisputeResolved(id2, false, IDisputeGame.Outcome.ChallengerTimedOut, provider);
        game.timeout(id2);
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeUnknown.selector, id2));
        game.timeout(id2);
    }

    function test_wrongLayerCountSettlesAgainstTheProvider() public {
        // The provider signs a trace of four tensors for a two-layer model.
        bytes32[] memory roots = new bytes32[](4);
        bytes32[] memory three = _roots(true);
        (roots[0], roots[1], roots[2], roots[3]) = (three[0], three[1], three[2], three[2]);
        IDisputeGame.Receipt memory r = _receipt(true);
        r.outputHash = roots[3];
        r.traceRoot = TraceMerkle.hashPair(TraceMerkle.hashPair(roots[0], roots[1]), TraceMerkle.hashPair(roots[2], roots[3]));
        bytes memory sig = _sign(r);
        vm.prank(challenger);
        bytes32 id = game.open(r, sig, _input(), BOND);
        vm.prank(provider);
        game.revealRoots(id, roots);
        vm.expectEmit(address(game));
        emit IDisputeGame.DisputeResolved(id, true, IDisputeGame.Outcome.TraceShapeWrong, challenger);
        vm.prank(challenger);
        game.chooseLayer(id, _params(1), 2, _commitPath(2));
        assertEq(registry.activeStake(provider), 1_000e6 - SLASH, "slashed");
    }

    // ------------------------------------------------------------------ open reverts

    function test_open_reverts() public {
        IDisputeGame.Receipt memory r = _receipt(true);
        bytes memory sig = _sign(r);
        bytes32 id = game.receiptDigest(r);

        IDisputeGame.Receipt memory forged = _receipt(true);
        forged.fee = FEE + 1;
        bytes32 forgedId = game.receiptDigest(forged);
        vm.prank(challenger);
        vm.expectRevert();
        game.open(forged, sig, _input(), BOND);
        assertTrue(forgedId != id, "digest covers the fee");

        int256[] memory wrong = _input();
        wrong[1] = 8;
        vm.prank(challenger);
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeInputMismatch.selector, _pair(5, 8), r.inputHash));
        game.open(r, sig, wrong, BOND);

        vm.prank(challenger);
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeBondTooLow.selector, BOND - 1, BOND));
        game.open(r, sig, _input(), BOND - 1);

        IDisputeGame.Receipt memory noTrace = _receipt(true);
        noTrace.traceRoot = bytes32(0);
        bytes memory noTraceSig = _sign(noTrace);
        vm.prank(challenger);
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeNoTrace.selector, game.receiptDigest(noTrace)));
        game.open(noTrace, noTraceSig, _input(), BOND);

        vm.prank(address(0xBEEF));
        bytes32 bare = models.publish(keccak256("bare"), bytes32(0), "b", 0);
        IDisputeGame.Receipt memory unset = _receipt(true);
        unset.modelId = bare;
        bytes memory unsetSig = _sign(unset);
        vm.prank(challenger);
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeNoCommitment.selector, bare));
        game.open(unset, unsetSig, _input(), BOND);

        vm.prank(challenger);
        game.open(r, sig, _input(), BOND);
        vm.prank(challenger);
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeAlreadyOpen.selector, id, challenger));
        game.open(r, sig, _input(), BOND);
    }

    function test_open_badSignatureNamesTheSigner() public {
        IDisputeGame.Receipt memory r = _receipt(true);
        bytes32 digest = game.receiptDigest(r);
        (uint8 v, bytes32 rr, bytes32 s) = vm.sign(0xB0B, digest);
        vm.prank(challenger);
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeBadSignature.selector, digest, vm.addr(0xB0B), provider));
        game.open(r, abi.encodePacked(rr, s, v), _input(), BOND);
    }

    function test_open_settledReceipt() public {
        bytes32 id = _toStep(true);
        vm.prank(challenger);
        game.step(id, _stepProof(true, 1));
        IDisputeGame.Receipt memory r = _receipt(true);
        bytes memory sig = _sign(r);
        vm.prank(challenger);
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeReceiptSettled.selector, id));
        game.open(r, sig, _input(), BOND);
    }

    // ------------------------------------------------------------------ move reverts

    function test_revealRoots_reverts() public {
        bytes32 unknown = keccak256("none");
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeUnknown.selector, unknown));
        game.revealRoots(unknown, _roots(true));
        bytes32 id = _open(true);
        vm.prank(challenger);
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeNotYourTurn.selector, id, challenger, provider));
        game.revealRoots(id, _roots(true));

        vm.startPrank(provider);
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeTooFewRoots.selector, 1));
        game.revealRoots(id, new bytes32[](1));
        bytes32[] memory honest = _roots(false);
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeRootsMismatch.selector, _traceRoot(honest), _receipt(true).traceRoot));
        game.revealRoots(id, honest);
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeWrongPhase.selector, id, IDisputeGame.Phase.AwaitTensor, IDisputeGame.Phase.AwaitRoots));
        game.revealTensor(id, hex"0000");
        vm.stopPrank();
    }

    function test_revealRoots_endpointsMustMatchTheReceipt() public {
        // A receipt whose trace root is honest but whose output hash names another tensor.
        IDisputeGame.Receipt memory r = _receipt(false);
        r.outputHash = keccak256("other output");
        bytes memory sig = _sign(r);
        vm.prank(challenger);
        bytes32 id = game.open(r, sig, _input(), BOND);
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeRootEndpointMismatch.selector, 2, _roots(false)[2], r.outputHash));
        game.revealRoots(id, _roots(false));
    }

    function test_chooseLayer_reverts() public {
        bytes32 id = _open(true);
        vm.prank(provider);
        game.revealRoots(id, _roots(true));
        vm.startPrank(challenger);
        LayerMath.Params memory p = _params(1);
        p.layer = 3;
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeLayerOutOfRange.selector, 3, 2));
        game.chooseLayer(id, p, 2, _commitPath(2));
        p = _params(1);
        p.shift = 2;
        // Leaf index 2 is a left child, then a right child at the next level.
        bytes32 computed = TraceMerkle.hashPair(
            TraceMerkle.hashPair(commitLeaves[0], commitLeaves[1]), TraceMerkle.hashPair(LayerMath.leaf(p), commitLeaves[3])
        );
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeInvalidParamsProof.selector, 1, computed, commitment));
        game.chooseLayer(id, p, 2, _commitPath(2));
        vm.stopPrank();
    }

    function test_revealTensor_reverts() public {
        bytes32 id = _toLayerChoice(true, 1);
        vm.startPrank(provider);
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeTensorSize.selector, 1, 2));
        game.revealTensor(id, abi.encodePacked(int16(-4)));
        bytes32 wrong = _pair(-4, 10);
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeInvalidElementProof.selector, 1, type(uint256).max, wrong, _roots(true)[1]));
        game.revealTensor(id, abi.encodePacked(int16(-4), int16(10)));
        vm.stopPrank();
    }

    function test_step_reverts() public {
        bytes32 id = _toStep(true);
        IDisputeGame.StepProof memory p = _stepProof(true, 1);

        vm.prank(address(0xD00D));
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeNotYourTurn.selector, id, address(0xD00D), challenger));
        game.step(id, p);

        vm.startPrank(challenger);
        p.params.shift = 2;
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeParamsChanged.selector, LayerMath.leaf(p.params), commitLeaves[2]));
        game.step(id, p);

        p = _stepProof(true, 1);
        p.index = 2;
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeIndexOutOfRange.selector, 2, 2));
        game.step(id, p);

        p = _stepProof(true, 1);
        p.providerValue = 40_000;
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeValueOutOfRange.selector, int256(40_000)));
        game.step(id, p);

        p = _stepProof(true, 1);
        p.providerValue = 10;
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeInvalidElementProof.selector, 1, 1, _pair(-4, 10), _roots(true)[1]));
        game.step(id, p);

        p = _stepProof(true, 1);
        p.weights = abi.encodePacked(int16(-1));
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeWeightLength.selector, 1, 2));
        game.step(id, p);

        p = _stepProof(true, 1);
        p.bias = 0;
        vm.expectRevert(); // DisputeInvalidWeightProof with the recomputed root
        game.step(id, p);

        p = _stepProof(true, 1);
        p.a.values[0] = 6;
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeInvalidElementProof.selector, 0, type(uint256).max, _pair(6, 7), _pair(5, 7)));
        game.step(id, p);

        p = _stepProof(true, 1);
        p.a.values = new int256[](1);
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeOperandShape.selector, 0, 1, 0, 2, 2));
        game.step(id, p);
        vm.stopPrank();

        vm.warp(block.timestamp + TIMEOUT + 1);
        vm.prank(challenger);
        vm.expectRevert();
        game.step(id, _stepProof(true, 1));
    }

    // ------------------------------------------------------------------ construction and views

    function test_constructor_rejectsBadConfig() public {
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeBadConfig.selector, bytes32("moveTimeout"), 0));
        _deploy(IDisputeGame.Config(0, BOND, SLASH, 5_000, 1 days));
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeBadConfig.selector, bytes32("slashAmount"), 0));
        _deploy(IDisputeGame.Config(TIMEOUT, BOND, 0, 5_000, 1 days));
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeBadConfig.selector, bytes32("challengerShareBps"), 10_001));
        _deploy(IDisputeGame.Config(TIMEOUT, BOND, SLASH, 10_001, 1 days));
    }

    function test_views() public view {
        IDisputeGame.Config memory c = game.config();
        assertEq(c.moveTimeout, TIMEOUT, "timeout");
        assertEq(c.minBond, BOND, "bond");
        assertEq(c.slashAmount, SLASH, "slash");
        assertEq(c.challengerShareBps, 5_000, "share");
        assertEq(c.jailDuration, 7 days, "jail");
        assertEq(game.escrow(), address(escrow), "escrow");
        assertEq(uint256(game.getDispute(bytes32(0)).phase), 0, "none");
    }

    function _deploy(IDisputeGame.Config memory c) internal returns (DisputeGame) {
        return new DisputeGame(
            IERC20(address(token)),
            ITrellisParams(address(params)),
            IProviderRegistry(address(registry)),
            IModelRegistry(address(models)),
            address(escrow),
            c
        );
    }
}
