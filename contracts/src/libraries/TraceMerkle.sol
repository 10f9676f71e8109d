// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title TraceMerkle
/// @notice The one Merkle tree shape of the engine (docs/engine-spec.md, section 6):
///         parent = keccak256(left ++ right), an odd level completed with the zero subtree
///         of that level, depth ceil(log2(n)). Trace elements are leaves as
///         abi.encode(int256(value)).
library TraceMerkle {
    /// @notice keccak256(abi.encodePacked(left, right)) without allocating.
    function hashPair(bytes32 left, bytes32 right) internal pure returns (bytes32 h) {
        assembly ("memory-safe") {
            mstore(0x00, left)
            mstore(0x20, right)
            h := keccak256(0x00, 0x40)
        }
    }

    /// @notice ceil(log2(n)), 0 for n <= 1.
    function depthOf(uint256 n) internal pure returns (uint256 d) {
        while ((uint256(1) << d) < n) ++d;
    }

    /// @notice The leaf node of a trace element: its 32-byte two's complement.
    function elementLeaf(int256 value) internal pure returns (bytes32) {
        return bytes32(uint256(value));
    }

    /// @notice Root from a leaf, its index and `depth` siblings read from `path` at `offset`.
    function rootFromPath(bytes32 leaf, uint256 index, bytes32[] calldata path, uint256 offset, uint256 depth)
        internal
        pure
        returns (bytes32 node)
    {
        node = leaf;
        for (uint256 d; d < depth; ++d) {
            bytes32 sibling = path[offset + d];
            node = (index >> d) & 1 == 0 ? hashPair(node, sibling) : hashPair(sibling, node);
        }
    }

    /// @notice Root from a leaf and a path of exactly `depth` siblings; zero, which no
    ///         commitment the contracts accept equals, for a path of any other length.
    function rootFromExactPath(bytes32 leaf, uint256 index, bytes32[] calldata path, uint256 depth)
        internal
        pure
        returns (bytes32)
    {
        return path.length == depth ? rootFromPath(leaf, index, path, 0, depth) : bytes32(0);
    }

    /// @notice Root over leaf nodes (zero for none), hashing the array in place.
    function rootOfLeaves(bytes32[] memory leaves) internal pure returns (bytes32) {
        uint256 n = leaves.length;
        if (n == 0) return bytes32(0);
        bytes32 zero;
        while (n > 1) {
            uint256 half = (n + 1) >> 1;
            for (uint256 i; i < half; ++i) {
                uint256 l = 2 * i;
                leaves[i] = hashPair(leaves[l], l + 1 < n ? leaves[l + 1] : zero);
            }
            n = half;
            zero = hashPair(zero, zero);
        }
        return leaves[0];
    }
}
