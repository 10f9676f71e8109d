// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {TestBase} from "./utils/TestBase.sol";
import {FixedPointMath} from "../src/libraries/FixedPointMath.sol";
import {LayerMath} from "../src/libraries/LayerMath.sol";
import {TraceMerkle} from "../src/libraries/TraceMerkle.sol";

/// @notice Hand-computed cases of docs/engine-spec.md for the Solidity library (the random
///         differential test against the TypeScript engine is test/disputes-differential.test.ts).
contract FixedPointMathTest is TestBase {
    function _eq(int256 a, int256 b, string memory what) internal pure {
        assertEq(uint256(a), uint256(b), what);
    }

    function test_shiftRoundHalfUp() public pure {
        _eq(FixedPointMath.shiftRoundHalfUp(5, 1), 3, "2.5 rounds up");
        _eq(FixedPointMath.shiftRoundHalfUp(-5, 1), -2, "-2.5 rounds up to -2");
        _eq(FixedPointMath.shiftRoundHalfUp(-1, 1), 0, "-0.5 rounds up to 0");
        _eq(FixedPointMath.shiftRoundHalfUp(-3, 1), -1, "-1.5 rounds up to -1");
        _eq(FixedPointMath.shiftRoundHalfUp(7, 0), 7, "shift 0 is the identity");
        _eq(FixedPointMath.shiftRoundHalfUp(-(int256(1) << 49) - 1, 50), -1, "floors below one half");
    }

    function testFuzz_shiftRoundHalfUpFloors(int64 x, uint8 s) public pure {
        uint256 shift = bound(s, 1, 50);
        int256 y = FixedPointMath.shiftRoundHalfUp(x, shift);
        // y is the largest integer with y * 2^s <= x + 2^(s-1).
        int256 v = int256(x) + int256(1 << (shift - 1));
        assertTrue(y * int256(1 << shift) <= v && (y + 1) * int256(1 << shift) > v, "floor((x + half) / 2^s)");
    }

    function test_saturateAndRequantize() public pure {
        _eq(FixedPointMath.saturate(40_000), 32_767, "upper");
        _eq(FixedPointMath.saturate(-40_000), -32_768, "lower");
        _eq(FixedPointMath.requantizeRoundHalfUp(180_000, 1), 32_767, "saturates after the shift");
        _eq(FixedPointMath.requantizeRoundHalfUp(-3, 1), -1, "-1.5 -> -1");
    }

    function test_dotReluAddAverage() public pure {
        int256[] memory x = new int256[](3);
        (x[0], x[1], x[2]) = (1, 2, 3);
        bytes memory w = abi.encodePacked(int16(1), int16(0), int16(-1));
        _eq(FixedPointMath.dotRequantizeRoundHalfUp(x, w, 4, 1), 1, "(4 + 1 - 3) / 2");
        _eq(FixedPointMath.weightAt(abi.encodePacked(int16(-32767), int16(5)), 0), -32767, "sign extension");
        _eq(FixedPointMath.relu(-1), 0, "relu negative");
        _eq(FixedPointMath.relu(5), 5, "relu positive");
        _eq(FixedPointMath.addRequantizeRoundHalfUp(3, 1, 0, 1, 1), 3, "3 + 2 = 5 -> 3");
        _eq(FixedPointMath.addRequantizeRoundHalfUp(-3, 1, 0, 1, 1), 0, "-1 -> 0");
        _eq(FixedPointMath.averageRoundHalfUp(11, 1 << 30), 3, "11 / 4 = 2.75 -> 3");
        _eq(FixedPointMath.averageRoundHalfUp(-10, 1 << 30), -2, "-2.5 -> -2");
    }

    function test_convWindowMarksPadding() public pure {
        LayerMath.Params memory p;
        p.op = LayerMath.OP_CONV;
        (p.inC, p.inH, p.inW, p.outC, p.outH, p.outW) = (1, 3, 3, 1, 2, 2);
        (p.kh, p.kw, p.sh, p.sw) = (2, 2, 2, 2);
        (p.pt, p.pl, p.pb, p.pr) = (1, 1, 1, 1);
        (p.dh, p.dw, p.group) = (1, 1, 1);
        uint256[] memory pos = LayerMath.window(p, 0);
        assertEq(pos[0], LayerMath.PAD, "top-left padded");
        assertEq(pos[3], 0, "bottom-right is element 0");
        pos = LayerMath.window(p, 3);
        assertEq(pos[0], 4, "last window starts at the centre");
        assertEq(pos[3], 8, "and ends at the last element (the bottom padding is never read)");
        int256[] memory a = new int256[](4);
        (a[0], a[1], a[2], a[3]) = (5, 6, 8, 9);
        pos[3] = LayerMath.PAD;
        a[3] = 0;
        _eq(
            LayerMath.evaluate(p, pos, a, 0, abi.encodePacked(int16(1), int16(2), int16(3), int16(4)), 1, 1),
            21,
            "(1 + 5 + 12 + 24 + 0 + 1) >> 1"
        );
    }

    function test_maxPoolSkipsPadding() public pure {
        LayerMath.Params memory p;
        p.op = LayerMath.OP_MAXPOOL;
        uint256[] memory pos = new uint256[](2);
        (pos[0], pos[1]) = (LayerMath.PAD, 0);
        int256[] memory a = new int256[](2);
        (a[0], a[1]) = (0, -5);
        _eq(LayerMath.evaluate(p, pos, a, 0, "", 0, 0), -5, "padding never wins");
    }

    function test_rootOfLeavesPadsWithZeroSubtrees() public pure {
        bytes32[] memory leaves = new bytes32[](3);
        (leaves[0], leaves[1], leaves[2]) = (bytes32(uint256(1)), bytes32(uint256(2)), bytes32(uint256(3)));
        bytes32 expected = TraceMerkle.hashPair(
            TraceMerkle.hashPair(bytes32(uint256(1)), bytes32(uint256(2))), TraceMerkle.hashPair(bytes32(uint256(3)), 0)
        );
        assertEq(TraceMerkle.rootOfLeaves(leaves), expected, "odd level completed with zero");
        assertEq(TraceMerkle.rootOfLeaves(new bytes32[](0)), bytes32(0), "empty tree");
        assertEq(TraceMerkle.depthOf(5), 3, "depth");
        assertEq(TraceMerkle.elementLeaf(-1), bytes32(type(uint256).max), "two's complement");
    }
}
