// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {DisputeSetup} from "./utils/DisputeSetup.sol";
import {ModelRegistry} from "../src/ModelRegistry.sol";
import {IDisputeGame} from "../src/interfaces/IDisputeGame.sol";
import {IModelRegistry} from "../src/interfaces/IModelRegistry.sol";
import {LayerMath} from "../src/libraries/LayerMath.sol";
import {TraceMerkle} from "../src/libraries/TraceMerkle.sol";

/// @notice [large-layer] A model with a 32x28x28 layer: conv (1 -> 32 channels, 3x3, pad 1)
///         on a 28x28 input, then relu. The provider lies about one relu element. Revealing
///         the 25,088-element tensor whole took about 31 M gas, over a block; the descent
///         keeps every move far below that.
contract DisputeLargeLayerTest is DisputeSetup {
    uint256 internal constant SIZE = 32 * 28 * 28;
    uint256 internal constant INPUT = 28 * 28;
    uint256 internal constant ROWS = 32;
    uint256 internal constant LIE = 12_345;
    /// @dev The bound every move stays under here (execution gas, without calldata).
    uint256 internal constant MOVE_GAS_BOUND = 2_000_000;

    bytes32 internal largeModelId;
    uint256 internal maxMoveGas;

    function setUp() public {
        setUpGame();
        largeModelId = models.publish(keccak256("large"), _root(_commitLevels()), _shape(), "large", 0);
    }

    /// @dev The commitment: 32 row leaves (stand-ins: no conv step is played here), then
    ///      the two parameter leaves.
    function _commitLevels() internal pure returns (bytes32[][] memory) {
        bytes32[] memory leaves = new bytes32[](ROWS + 2);
        for (uint256 r; r < ROWS; ++r) {
            leaves[r] = keccak256(abi.encode("row", r));
        }
        leaves[ROWS] = LayerMath.leaf(_params(1));
        leaves[ROWS + 1] = LayerMath.leaf(_params(2));
        return _levels(leaves);
    }

    function _params(uint256 layer) internal pure returns (LayerMath.Params memory p) {
        p.layer = layer;
        p.layerCount = 2;
        if (layer == 1) {
            p.op = LayerMath.OP_CONV;
            (p.inC, p.inH, p.inW, p.outC, p.outH, p.outW) = (1, 28, 28, 32, 28, 28);
            (p.kh, p.kw, p.sh, p.sw) = (3, 3, 1, 1);
            (p.pt, p.pl, p.pb, p.pr) = (1, 1, 1, 1);
            (p.dh, p.dw, p.group, p.shift) = (1, 1, 1, 7);
        } else {
            p.op = LayerMath.OP_RELU;
            p.inputA = 1;
            (p.inC, p.inH, p.inW, p.outC, p.outH, p.outW) = (SIZE, 1, 1, SIZE, 1, 1);
        }
    }

    function _shape() internal pure returns (IModelRegistry.Shape memory s) {
        s.inputSize = uint32(INPUT);
        s.rowCount = uint32(ROWS);
        s.layers = new IModelRegistry.LayerShape[](2);
        s.layers[0] = IModelRegistry.LayerShape({
            outSize: uint32(SIZE), inputA: 0, inputB: 0, fanIn: 9, rowLength: 9, rowStart: 0
        });
        s.layers[1] = IModelRegistry.LayerShape({
            outSize: uint32(SIZE), inputA: 1, inputB: 0, fanIn: 1, rowLength: 0, rowStart: uint32(ROWS)
        });
    }

    function _hidden(uint256 i) internal pure returns (int256) {
        return int256((i * 7919) % 201) - 100;
    }

    function _tensor(uint256 t, bool cheat) internal pure returns (bytes32[] memory leaves) {
        uint256 n = t == 0 ? INPUT : SIZE;
        leaves = new bytes32[](n);
        for (uint256 i; i < n; ++i) {
            int256 v = t == 0 ? int256(i % 5) : _hidden(i);
            if (t == 2) v = v > 0 ? v : int256(0);
            if (t == 2 && cheat && i == LIE) v += 1;
            leaves[i] = TraceMerkle.elementLeaf(v);
        }
    }

    /// @dev Every level of the engine's Merkle tree over `leaves`, leaves first.
    function _levels(bytes32[] memory leaves) internal pure returns (bytes32[][] memory out) {
        out = new bytes32[][](TraceMerkle.depthOf(leaves.length) + 1);
        out[0] = leaves;
        bytes32 zero;
        for (uint256 l = 1; l < out.length; ++l) {
            bytes32[] memory below = out[l - 1];
            bytes32[] memory up = new bytes32[]((below.length + 1) / 2);
            for (uint256 i; i < up.length; ++i) {
                up[i] = TraceMerkle.hashPair(below[2 * i], 2 * i + 1 < below.length ? below[2 * i + 1] : zero);
            }
            zero = TraceMerkle.hashPair(zero, zero);
            out[l] = up;
        }
    }

    function _root(bytes32[][] memory levels) internal pure returns (bytes32) {
        return levels[levels.length - 1][0];
    }

    /// @dev Node `index` at `level` (0 = leaves), the zero subtree past the level's end.
    function _node(bytes32[][] memory levels, uint256 level, uint256 index) internal pure returns (bytes32 node) {
        if (index < levels[level].length) return levels[level][index];
        for (uint256 l; l < level; ++l) {
            node = TraceMerkle.hashPair(node, node);
        }
    }

    function _path(bytes32[][] memory levels, uint256 index) internal pure returns (bytes32[] memory path) {
        path = new bytes32[](levels.length - 1);
        for (uint256 l; l < path.length; ++l) {
            path[l] = _node(levels, l, (index >> l) ^ 1);
        }
    }

    function _measure(uint256 before) internal {
        uint256 used = before - gasleft();
        if (used > maxMoveGas) maxMoveGas = used;
    }

    function test_attack_largeLayer() public {
        bytes32[][] memory hiddenLevels = _levels(_tensor(1, false));
        bytes32[][] memory outputLevels = _levels(_tensor(2, true));
        bytes32[] memory roots = new bytes32[](3);
        (roots[0], roots[1], roots[2]) = (_root(_levels(_tensor(0, false))), _root(hiddenLevels), _root(outputLevels));
        IDisputeGame.Receipt memory r = IDisputeGame.Receipt({
            requestHash: keccak256("request"),
            client: address(0xC11E),
            provider: provider,
            modelId: largeModelId,
            inputHash: roots[0],
            outputHash: roots[2],
            traceRoot: TraceMerkle.hashPair(
                TraceMerkle.hashPair(roots[0], roots[1]), TraceMerkle.hashPair(roots[2], 0)
            ),
            fee: 1e4,
            channelTotal: 1e4,
            issuedAt: uint64(block.timestamp),
            verification: 2
        });
        (uint8 v, bytes32 rr, bytes32 s) = vm.sign(PROVIDER_KEY, game.receiptDigest(r));
        int256[] memory x = new int256[](INPUT);
        for (uint256 i; i < INPUT; ++i) {
            x[i] = int256(i % 5);
        }

        uint256 g = gasleft();
        vm.prank(challenger);
        bytes32 id = game.open(r, abi.encodePacked(rr, s, v), x, BOND);
        _measure(g);
        g = gasleft();
        vm.prank(provider);
        game.revealRoots(id, roots);
        _measure(g);
        g = gasleft();
        vm.prank(challenger);
        game.chooseLayer(id, _params(2), _path(_commitLevels(), ROWS + 1));
        _measure(g);

        uint256 height = outputLevels.length - 1;
        uint256 rounds;
        uint256 index;
        while (height != 0) {
            uint256 k = height < 4 ? height : 4;
            bytes32[] memory nodes = new bytes32[](1 << k);
            for (uint256 j; j < nodes.length; ++j) {
                nodes[j] = _node(outputLevels, height - k, (index << k) | j);
            }
            g = gasleft();
            vm.prank(provider);
            game.revealNodes(id, nodes);
            _measure(g);
            // The challenger picks the child its own honest tree disagrees with: the one
            // above the lie.
            uint256 child = (LIE >> (height - k)) & ((1 << k) - 1);
            g = gasleft();
            vm.prank(challenger);
            game.pick(id, child, nodes);
            _measure(g);
            index = (index << k) | child;
            height -= k;
            ++rounds;
        }
        assertEq(index, LIE, "the descent reached the lie");
        assertEq(rounds, 4, "15 levels in 4 rounds");

        IDisputeGame.StepProof memory p;
        p.params = _params(2);
        p.a.values = new int256[](1);
        p.a.values[0] = _hidden(LIE);
        p.a.paths = _path(hiddenLevels, LIE);
        g = gasleft();
        vm.prank(challenger);
        game.step(id, p);
        _measure(g);
        assertEq(registry.activeStake(provider), 1_000e6 - SLASH, "the lie in a large layer is slashed");
        assertLe(maxMoveGas, MOVE_GAS_BOUND, "every move fits far inside a block");
    }

    /// A model whose step would need more calldata than a move may carry is refused at publication.
    function test_publish_refusesAnUndisputableLayer() public {
        IModelRegistry.Shape memory s = _shape();
        // A dense layer over the whole 25,088-element tensor reads every element per output.
        s.layers[1] = IModelRegistry.LayerShape({
            outSize: 10, inputA: 1, inputB: 0, fanIn: uint32(SIZE), rowLength: uint32(SIZE), rowStart: uint32(ROWS)
        });
        uint256 max = models.MAX_STEP_WORDS();
        // Input A whole (SIZE words + 1) and one element of "input B" (tensor 0) with its path,
        // then the row packed 16 weights a word and its path.
        uint256 words = SIZE + 1 + 10 + (2 * SIZE + 31) / 32 + 6;
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelStepTooLarge.selector, 2, words, max));
        models.publish(keccak256("too large"), keccak256("c"), s, "x", 0);
    }

    function test_publish_checksTheShape() public {
        IModelRegistry.Shape memory s = _shape();
        s.layers[1].inputA = 2;
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelShapeInvalid.selector, 2, bytes32("inputA"), 2));
        models.publish(keccak256("x"), keccak256("c"), s, "x", 0);
        s = _shape();
        s.layers[0].outSize = 0;
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelShapeInvalid.selector, 1, bytes32("outSize"), 0));
        models.publish(keccak256("x"), keccak256("c"), s, "x", 0);
        s = _shape();
        s.layers[0].fanIn = uint32(INPUT + 1);
        vm.expectRevert(
            abi.encodeWithSelector(IModelRegistry.ModelShapeInvalid.selector, 1, bytes32("fanIn"), INPUT + 1)
        );
        models.publish(keccak256("x"), keccak256("c"), s, "x", 0);
        bytes32 id = models.modelIdOf(address(this), keccak256("x"));
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelShapeMissing.selector, id));
        models.publish(keccak256("x"), keccak256("c"), emptyShape(), "x", 0);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelShapeMissing.selector, id));
        models.publish(keccak256("x"), bytes32(0), _shape(), "x", 0);
        assertEq(models.shapeOf(largeModelId).layers.length, 2, "the large model's shape is recorded");
        assertEq(models.layerShape(largeModelId, 1).outSize, SIZE, "with its sizes");
        assertTrue(address(models) != address(0) && ModelRegistry(address(models)).MAX_LAYERS() == 128, "bounds");
    }
}
