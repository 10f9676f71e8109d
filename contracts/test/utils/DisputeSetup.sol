// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Fixture} from "./Fixture.sol";
import {DisputeGame} from "../../src/DisputeGame.sol";
import {IDisputeGame} from "../../src/interfaces/IDisputeGame.sol";
import {IProviderRegistry} from "../../src/interfaces/IProviderRegistry.sol";
import {IModelRegistry} from "../../src/interfaces/IModelRegistry.sol";
import {ITrellisParams} from "../../src/interfaces/ITrellisParams.sol";
import {LayerMath} from "../../src/libraries/LayerMath.sol";
import {TraceMerkle} from "../../src/libraries/TraceMerkle.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title DisputeSetup
/// @notice The game on a two-layer model built by hand: dense (K = 2, M = 2, shift 1) then
///         relu. Input [5, 7]; honest tensors: [-4, 10] and [0, 10]. The cheating provider
///         claims [-4, 11] and [0, 11]. Commitment leaves: row 0, row 1, params 1, params 2.
///         Every tensor fits one chunk, so its root is that chunk and choosing a layer
///         reaches the step at once (DisputeLargeLayer plays descents).
abstract contract DisputeSetup is Fixture {
    uint256 internal constant PROVIDER_KEY = 0xA11CE;
    uint256 internal constant BOND = 10e6;
    uint256 internal constant SLASH = 50e6;
    uint256 internal constant FEE = 5e5;
    uint256 internal constant TIMEOUT = 1 hours;
    uint256 internal constant COMPENSATION = 2e6;
    uint256 internal constant MAX_REFUND = 1e6;
    uint256 internal constant MAX_OPEN = 4;

    DisputeGame internal game;
    address internal provider;
    address internal challenger = address(0xC4A1);
    uint256 internal constant CLIENT_KEY = 0xC11E;
    address internal client;
    bytes32 internal modelId;
    bytes32[4] internal commitLeaves;
    bytes32 internal commitment;
    /// @dev When the receipts were signed: fixed, so a receipt keeps its digest across warps.
    uint64 internal issuedAt;

    function setUpGame() internal {
        deploySystem();
        issuedAt = uint64(block.timestamp);
        provider = vm.addr(PROVIDER_KEY);
        client = vm.addr(CLIENT_KEY);
        game = deployGame(defaultConfig());
        vm.prank(governance);
        registry.setSlasher(address(game), true);
        mint(provider, 1_000e6);
        vm.startPrank(provider);
        token.approve(address(registry), 1_000e6);
        registry.register("http://p", "", 1_000e6);
        vm.stopPrank();
        fundChallenger(challenger);

        commitLeaves[0] = rowLeaf(0);
        commitLeaves[1] = rowLeaf(1);
        commitLeaves[2] = LayerMath.leaf(layerParams(1));
        commitLeaves[3] = LayerMath.leaf(layerParams(2));
        commitment = TraceMerkle.hashPair(
            TraceMerkle.hashPair(commitLeaves[0], commitLeaves[1]),
            TraceMerkle.hashPair(commitLeaves[2], commitLeaves[3])
        );
        modelId = models.publish(keccak256("model"), commitment, shape(), "m", 0);
    }

    function defaultConfig() internal pure returns (IDisputeGame.Config memory) {
        return IDisputeGame.Config({
            moveTimeout: TIMEOUT,
            minBond: BOND,
            slashAmount: SLASH,
            challengerShareBps: 5_000,
            jailDuration: 7 days,
            defenceCompensation: COMPENSATION,
            maxRefund: MAX_REFUND,
            maxOpenPerProvider: MAX_OPEN
        });
    }

    function deployGame(IDisputeGame.Config memory c) internal returns (DisputeGame) {
        return new DisputeGame(
            IERC20(address(token)),
            ITrellisParams(address(params)),
            IProviderRegistry(address(registry)),
            IModelRegistry(address(models)),
            address(escrow),
            c
        );
    }

    function fundChallenger(address who) internal {
        mint(who, 100e6);
        vm.prank(who);
        token.approve(address(game), type(uint256).max);
    }

    // ------------------------------------------------------------------ model and traces

    function shape() internal pure returns (IModelRegistry.Shape memory s) {
        s.inputSize = 2;
        s.rowCount = 2;
        s.layers = new IModelRegistry.LayerShape[](2);
        s.layers[0] = IModelRegistry.LayerShape({outSize: 2, inputA: 0, inputB: 0, fanIn: 2, rowLength: 2, rowStart: 0});
        s.layers[1] = IModelRegistry.LayerShape({outSize: 2, inputA: 1, inputB: 0, fanIn: 1, rowLength: 0, rowStart: 2});
    }

    function emptyShape() internal pure returns (IModelRegistry.Shape memory s) {}

    function weights(uint256 row) internal pure returns (bytes memory) {
        return row == 0 ? abi.encodePacked(int16(3), int16(-2)) : abi.encodePacked(int16(-1), int16(4));
    }

    function bias(uint256 row) internal pure returns (int256) {
        return row == 0 ? int256(-10) : int256(-3);
    }

    function rowLeaf(uint256 row) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked(uint32(1), uint32(row), uint8(1), int64(bias(row)), weights(row)));
    }

    function layerParams(uint256 layer) internal pure returns (LayerMath.Params memory p) {
        p.layer = layer;
        p.layerCount = 2;
        p.op = layer == 1 ? LayerMath.OP_DENSE : LayerMath.OP_RELU;
        p.inputA = layer - 1;
        (p.inC, p.inH, p.inW, p.outC, p.outH, p.outW) = (2, 1, 1, 2, 1, 1);
        p.shift = layer == 1 ? 1 : 0;
    }

    /// @dev Sibling path of leaf `i` in the 4-leaf commitment tree.
    function commitPath(uint256 i) internal view returns (bytes32[] memory path) {
        path = new bytes32[](2);
        path[0] = commitLeaves[i ^ 1];
        uint256 other = i < 2 ? 2 : 0;
        path[1] = TraceMerkle.hashPair(commitLeaves[other], commitLeaves[other + 1]);
    }

    /// @dev The chunk of a two-element tensor [a, b] (int16 big-endian, zero-padded), which
    ///      is also its root.
    function pair(int256 a, int256 b) internal pure returns (bytes32) {
        return bytes32(abi.encodePacked(int16(a), int16(b)));
    }

    function tensor(bool cheat, uint256 t) internal pure returns (int256 a, int256 b) {
        if (t == 0) return (5, 7);
        int256 second = cheat ? int256(11) : int256(10);
        return t == 1 ? (int256(-4), second) : (int256(0), second);
    }

    function roots(bool cheat) internal pure returns (bytes32[] memory r) {
        r = new bytes32[](3);
        for (uint256 t; t < 3; ++t) {
            (int256 a, int256 b) = tensor(cheat, t);
            r[t] = pair(a, b);
        }
    }

    function traceRootOf(bytes32[] memory r) internal pure returns (bytes32) {
        return TraceMerkle.hashPair(TraceMerkle.hashPair(r[0], r[1]), TraceMerkle.hashPair(r[2], bytes32(0)));
    }

    function receipt(bool cheat) internal view returns (IDisputeGame.Receipt memory r) {
        bytes32[] memory rs = roots(cheat);
        r = IDisputeGame.Receipt({
            requestHash: keccak256("request"),
            client: client,
            provider: provider,
            modelId: modelId,
            inputHash: rs[0],
            outputHash: rs[2],
            traceRoot: traceRootOf(rs),
            fee: FEE,
            channelTotal: FEE,
            issuedAt: issuedAt,
            verification: 2
        });
    }

    function sign(IDisputeGame.Receipt memory r) internal view returns (bytes memory) {
        (uint8 v, bytes32 rr, bytes32 s) = vm.sign(PROVIDER_KEY, game.receiptDigest(r));
        return abi.encodePacked(rr, s, v);
    }

    /// @dev The quantized input [5, 7], packed as `open` takes it.
    function input() internal pure returns (bytes memory) {
        return abi.encodePacked(int16(5), int16(7));
    }

    function openAs(address who, IDisputeGame.Receipt memory r) internal returns (bytes32 id) {
        bytes memory sig = sign(r);
        vm.prank(who);
        id = game.open(r, sig, input(), BOND);
    }

    function openAs(address who, bool cheat) internal returns (bytes32 id) {
        return openAs(who, receipt(cheat));
    }

    /// @dev Opens, reveals the roots and chooses `layer`: the tensor is one chunk, so the step is due.
    function toStep(address who, bool cheat, uint256 layer) internal returns (bytes32 id) {
        id = openAs(who, cheat);
        vm.prank(provider);
        game.revealRoots(id, roots(cheat));
        vm.prank(who);
        game.chooseLayer(id, layerParams(layer), commitPath(1 + layer));
    }

    /// @dev The step of dense element `index` (layer 1), input opened whole.
    function denseStep(uint256 index) internal view returns (IDisputeGame.StepProof memory p) {
        p.params = layerParams(1);
        p.rowShift = 1;
        p.bias = bias(index);
        p.weights = weights(index);
        p.rowPath = commitPath(index);
        p.a.chunks = new bytes32[](1);
        p.a.chunks[0] = pair(5, 7);
    }
}
