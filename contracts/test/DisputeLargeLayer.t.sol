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
///         (over its 1,568 chunks of 16 elements) keeps every move far below that.
contract DisputeLargeLayerTest is DisputeSetup {
    uint256 internal constant SIZE = 32 * 28 * 28;
    uint256 internal constant INPUT = 28 * 28;
    uint256 internal constant ROWS = 32;
    uint256 internal constant LIE = 12_345;
    /// @dev The chunk holding the lie.
    uint256 internal constant LIE_CHUNK = LIE / 16;
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

    function _value(uint256 t, bool cheat, uint256 i) internal pure returns (int256 v) {
        v = t == 0 ? int256(i % 5) : _hidden(i);
        if (t == 2) v = v > 0 ? v : int256(0);
        if (t == 2 && cheat && i == LIE) v += 1;
    }

    /// @dev The tensor's elements, int16 big-endian (what `open` takes for tensor 0).
    function _packed(uint256 t, bool cheat) internal pure returns (bytes memory out) {
        uint256 n = t == 0 ? INPUT : SIZE;
        out = new bytes(2 * n);
        for (uint256 i; i < n; ++i) {
            uint16 u = uint16(int16(_value(t, cheat, i)));
            out[2 * i] = bytes1(uint8(u >> 8));
            out[2 * i + 1] = bytes1(uint8(u));
        }
    }

    /// @dev The tensor's leaves: its chunks, the 32-byte words of the packed elements.
    function _tensor(uint256 t, bool cheat) internal pure returns (bytes32[] memory leaves) {
        bytes memory packed = _packed(t, cheat);
        leaves = new bytes32[]((packed.length + 31) / 32);
        for (uint256 c; c < leaves.length; ++c) {
            bytes32 word;
            assembly ("memory-safe") {
                word := mload(add(add(packed, 32), shl(5, c)))
            }
            leaves[c] = word;
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

    function _rootFrom(bytes32 leaf, uint256 index, bytes32[] memory path) internal pure returns (bytes32 node) {
        node = leaf;
        for (uint256 l; l < path.length; ++l) {
            node = (index >> l) & 1 == 0 ? TraceMerkle.hashPair(node, path[l]) : TraceMerkle.hashPair(path[l], node);
        }
    }

    function _measure(uint256 before) internal {
        uint256 used = before - gasleft();
        if (used > maxMoveGas) maxMoveGas = used;
    }

    /// @dev A receipt over tensor roots `roots`, signed by the provider, and its dispute opened.
    function _open(bytes32[] memory roots) internal returns (bytes32 id) {
        IDisputeGame.Receipt memory r = IDisputeGame.Receipt({
            requestHash: keccak256(abi.encode("request", roots)),
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
        bytes memory x = _packed(0, false);
        uint256 g = gasleft();
        vm.prank(challenger);
        id = game.open(r, abi.encodePacked(rr, s, v), x, BOND);
        _measure(g);
        g = gasleft();
        vm.prank(provider);
        game.revealRoots(id, roots);
        _measure(g);
        g = gasleft();
        vm.prank(challenger);
        game.chooseLayer(id, _params(2), _path(_commitLevels(), ROWS + 1));
        _measure(g);
    }

    function _roots(bytes32[][] memory outputLevels) internal pure returns (bytes32[] memory roots) {
        roots = new bytes32[](3);
        (roots[0], roots[1], roots[2]) =
        (_root(_levels(_tensor(0, false))), _root(_levels(_tensor(1, false))), _root(outputLevels));
    }

    /// @dev The honest challenger's descent of `outputLevels` towards chunk `target`; returns
    ///      the rounds played.
    function _descend(bytes32 id, bytes32[][] memory outputLevels, uint256 target) internal returns (uint256 rounds) {
        uint256 height = outputLevels.length - 1;
        uint256 index;
        while (height != 0) {
            uint256 k = height < 4 ? height : 4;
            bytes32[] memory nodes = new bytes32[](1 << k);
            for (uint256 j; j < nodes.length; ++j) {
                nodes[j] = _node(outputLevels, height - k, (index << k) | j);
            }
            uint256 g = gasleft();
            vm.prank(provider);
            game.revealNodes(id, nodes);
            _measure(g);
            // The challenger picks the child its own honest tree disagrees with.
            uint256 child = (target >> (height - k)) & ((1 << k) - 1);
            g = gasleft();
            vm.prank(challenger);
            game.pick(id, child, nodes);
            _measure(g);
            index = (index << k) | child;
            height -= k;
            ++rounds;
        }
        assertEq(index, target, "the descent reached the chunk");
    }

    /// @dev The relu step of element LIE: one chunk of tensor 1 and its path.
    function _reluStep(bytes32[][] memory hiddenLevels) internal pure returns (IDisputeGame.StepProof memory p) {
        p.params = _params(2);
        p.a.chunks = new bytes32[](1);
        p.a.chunks[0] = hiddenLevels[0][LIE_CHUNK];
        p.a.paths = _path(hiddenLevels, LIE_CHUNK);
    }

    function test_attack_largeLayer() public {
        bytes32[][] memory hiddenLevels = _levels(_tensor(1, false));
        bytes32[][] memory outputLevels = _levels(_tensor(2, true));
        bytes32 id = _open(_roots(outputLevels));
        assertEq(_descend(id, outputLevels, LIE_CHUNK), 3, "11 levels over 1,568 chunks in 3 rounds");
        assertEq(game.getDispute(id).node, outputLevels[0][LIE_CHUNK], "the provider's chunk");

        IDisputeGame.StepProof memory p = _reluStep(hiddenLevels);
        uint256 g = gasleft();
        vm.prank(challenger);
        game.step(id, LIE, p);
        _measure(g);
        assertEq(registry.activeStake(provider), 1_000e6 - SLASH, "the lie in a large layer is slashed");
        assertLe(maxMoveGas, MOVE_GAS_BOUND, "every move fits far inside a block");
    }

    /// [operand-chunks] A step's operand must be the chunk its position falls in, at its own
    /// index, with a path of the tree's depth: every other chunk or path is refused by name.
    function test_attack_wrongOperandChunks() public {
        bytes32[][] memory hiddenLevels = _levels(_tensor(1, false));
        bytes32[][] memory outputLevels = _levels(_tensor(2, true));
        bytes32 hiddenRoot = _root(hiddenLevels);
        bytes32 id = _open(_roots(outputLevels));
        _descend(id, outputLevels, LIE_CHUNK);
        vm.startPrank(challenger);

        // A neighbouring chunk with its own true path: not the chunk at the position's index.
        IDisputeGame.StepProof memory p = _reluStep(hiddenLevels);
        p.a.chunks[0] = hiddenLevels[0][LIE_CHUNK + 1];
        p.a.paths = _path(hiddenLevels, LIE_CHUNK + 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IDisputeGame.DisputeInvalidElementProof.selector,
                0,
                LIE,
                _rootFrom(p.a.chunks[0], LIE_CHUNK, p.a.paths),
                hiddenRoot
            )
        );
        game.step(id, LIE, p);

        // The right chunk with another chunk's path: the position is read from the wrong place.
        p = _reluStep(hiddenLevels);
        p.a.paths = _path(hiddenLevels, LIE_CHUNK - 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IDisputeGame.DisputeInvalidElementProof.selector,
                0,
                LIE,
                _rootFrom(p.a.chunks[0], LIE_CHUNK, p.a.paths),
                hiddenRoot
            )
        );
        game.step(id, LIE, p);

        // A path one node short, or two chunks for a window of one position.
        p = _reluStep(hiddenLevels);
        bytes32[] memory short_ = new bytes32[](p.a.paths.length - 1);
        for (uint256 i; i < short_.length; ++i) {
            short_[i] = p.a.paths[i];
        }
        p.a.paths = short_;
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeOperandShape.selector, 0, 1, 10, 1, 11));
        game.step(id, LIE, p);
        p = _reluStep(hiddenLevels);
        p.a.chunks = new bytes32[](2);
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeOperandShape.selector, 0, 2, 11, 1, 11));
        game.step(id, LIE, p);

        // An element of another chunk than the one the descent reached.
        vm.expectRevert(
            abi.encodeWithSelector(IDisputeGame.DisputeElementNotInChunk.selector, LIE + 16, LIE_CHUNK, SIZE)
        );
        game.step(id, LIE + 16, _reluStep(hiddenLevels));

        // The whole tensor (every chunk, no path) opens it as well.
        p.a.chunks = hiddenLevels[0];
        p.a.paths = new bytes32[](0);
        game.step(id, LIE, p);
        vm.stopPrank();
        assertEq(registry.activeStake(provider), 1_000e6 - SLASH, "the lie is slashed");
    }

    /// [padding-chunk] A provider whose tree holds a non-zero chunk in its zero padding
    /// (past the 1,568 chunks) loses as soon as the descent reaches it.
    function test_attack_nonZeroPaddingChunk() public {
        bytes32[] memory leaves = new bytes32[](2048);
        bytes32[] memory honest = _tensor(2, false);
        for (uint256 c; c < honest.length; ++c) {
            leaves[c] = honest[c];
        }
        uint256 target = 1600;
        leaves[target] = bytes32(uint256(1));
        bytes32[][] memory outputLevels = _levels(leaves);
        bytes32 id = _open(_roots(outputLevels));
        _descend(id, outputLevels, target);
        assertEq(uint256(game.getDispute(id).phase), 0, "resolved at the leaf");
        assertEq(registry.activeStake(provider), 1_000e6 - SLASH, "the malformed trace is slashed");
    }

    function test_descent_reverts() public {
        bytes32[][] memory outputLevels = _levels(_tensor(2, true));
        bytes32[][] memory honestLevels = _levels(_tensor(2, false));
        bytes32 id = _open(_roots(outputLevels));
        uint256 height = outputLevels.length - 1;
        bytes32[] memory nodes = new bytes32[](16);
        bytes32[] memory honest = new bytes32[](16);
        for (uint256 j; j < 16; ++j) {
            nodes[j] = _node(outputLevels, height - 4, j);
            honest[j] = _node(honestLevels, height - 4, j);
        }
        vm.prank(challenger);
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeNotYourTurn.selector, id, challenger, provider));
        game.revealNodes(id, nodes);
        vm.startPrank(provider);
        vm.expectRevert(
            abi.encodeWithSelector(
                IDisputeGame.DisputeInvalidNodes.selector, id, 1, 16, bytes32(0), _root(outputLevels)
            )
        );
        game.revealNodes(id, new bytes32[](1));
        vm.expectRevert(
            abi.encodeWithSelector(
                IDisputeGame.DisputeInvalidNodes.selector, id, 16, 16, _root(honestLevels), _root(outputLevels)
            )
        );
        game.revealNodes(id, honest);
        game.revealNodes(id, nodes);
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeNotYourTurn.selector, id, provider, challenger));
        game.pick(id, 1, nodes);
        vm.stopPrank();
        vm.startPrank(challenger);
        vm.expectRevert(
            abi.encodeWithSelector(
                IDisputeGame.DisputeInvalidNodes.selector,
                id,
                16,
                16,
                keccak256(abi.encodePacked(honest)),
                keccak256(abi.encodePacked(nodes))
            )
        );
        game.pick(id, 1, honest);
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DisputeChildOutOfRange.selector, 16, 16));
        game.pick(id, 16, nodes);
        game.pick(id, LIE_CHUNK >> (height - 4), nodes);
        vm.stopPrank();
    }

    /// A model whose step would need more calldata than a move may carry is refused at publication.
    function test_publish_refusesAnUndisputableLayer() public {
        IModelRegistry.Shape memory s = _shape();
        // A dense layer over the whole 25,088-element tensor reads every element per output.
        s.layers[1] = IModelRegistry.LayerShape({
            outSize: 10, inputA: 1, inputB: 0, fanIn: uint32(SIZE), rowLength: uint32(SIZE), rowStart: uint32(ROWS)
        });
        uint256 max = models.MAX_STEP_WORDS();
        // Input A whole (its 1,568 chunks, one more word for the empty path) and one chunk of
        // "input B" (tensor 0, 49 chunks) with its path, then the row packed 16 weights a
        // word and its path.
        uint256 words = SIZE / 16 + 1 + 6 + (2 * SIZE + 31) / 32 + 6;
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
