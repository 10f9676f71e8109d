// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title TraceMerkle
/// @notice The one Merkle tree shape of the engine (docs/engine-spec.md, section 6):
///         parent = keccak256(left ++ right), an odd level completed with the zero subtree
///         of that level, depth ceil(log2(n)). A trace tensor's leaves are chunks: 16
///         consecutive elements as int16 big-endian in one 32-byte word, the last chunk
///         zero-padded (section "Execution trace").
library TraceMerkle {
    /// @notice Elements per chunk, the leaf node of a tensor tree.
    uint256 internal constant CHUNK_ELEMENTS = 16;

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

    /// @notice A one-value leaf, its 32-byte two's complement (federated-learning update
    ///         commitments; trace tensors use chunks).
    function elementLeaf(int256 value) internal pure returns (bytes32) {
        return bytes32(uint256(value));
    }

    /// @notice Chunks (leaf nodes) of a tensor of `n` elements.
    function chunkCount(uint256 n) internal pure returns (uint256) {
        return (n + CHUNK_ELEMENTS - 1) / CHUNK_ELEMENTS;
    }

    /// @notice The int16 in slot `slot` (0..15, big-endian order) of a chunk.
    function chunkValue(bytes32 chunk, uint256 slot) internal pure returns (int256 v) {
        assembly ("memory-safe") {
            v := signextend(1, shr(sub(240, shl(4, slot)), chunk))
        }
    }

    /// @notice Slots of chunk `index` inside a tensor of `size` elements (0 to 16).
    function slotsUsed(uint256 index, uint256 size) internal pure returns (uint256) {
        uint256 start = index * CHUNK_ELEMENTS;
        if (size <= start) return 0;
        return size - start < CHUNK_ELEMENTS ? size - start : CHUNK_ELEMENTS;
    }

    /// @notice Whether every slot of chunk `index` past the end of a tensor of `size`
    ///         elements is zero, as the format requires.
    function paddingIsZero(bytes32 chunk, uint256 index, uint256 size) internal pure returns (bool) {
        uint256 used = slotsUsed(index, size);
        if (used == CHUNK_ELEMENTS) return true;
        if (used == 0) return chunk == bytes32(0);
        return uint256(chunk) & ((uint256(1) << (256 - 16 * used)) - 1) == 0;
    }

    /// @notice The root of a tensor given as its elements, int16 big-endian, two bytes each:
    ///         the chunks are the 32-byte words of `packed`, the last one zero-padded.
    function rootOfPacked(bytes calldata packed) internal pure returns (bytes32) {
        uint256 n = (packed.length + 31) >> 5;
        bytes32[] memory leaves = new bytes32[](n);
        for (uint256 i; i < n; ++i) {
            bytes32 word;
            assembly ("memory-safe") {
                word := calldataload(add(packed.offset, shl(5, i)))
            }
            leaves[i] = word;
        }
        uint256 tail = packed.length & 31;
        // calldataload reads past the end of `packed`: keep only its own bytes.
        if (tail != 0) leaves[n - 1] &= ~bytes32((uint256(1) << (256 - 8 * tail)) - 1);
        return rootOfLeaves(leaves);
    }

    /// @notice The root of a tensor given as one value per element, and whether every value
    ///         is an int16 (the root means nothing when one is not).
    function rootOfValues(int256[] calldata values) internal pure returns (bytes32 root, bool inRange) {
        uint256 n = values.length;
        bytes32[] memory leaves = new bytes32[](chunkCount(n));
        inRange = true;
        for (uint256 i; i < n; ++i) {
            int256 v = values[i];
            if (v < type(int16).min || v > type(int16).max) inRange = false;
            uint256 shift = 240 - 16 * (i % CHUNK_ELEMENTS);
            leaves[i / CHUNK_ELEMENTS] |= bytes32((uint256(v) & 0xffff) << shift);
        }
        root = rootOfLeaves(leaves);
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
